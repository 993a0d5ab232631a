"""Client services the MSP runs, their monitors, outages, maintenance and availability.

Lives in each client's schema (imported by `services.infrastructure.models`). The
cross-client scheduling index of monitors is public: `services.infrastructure.monitor_index`.

A **client service** ("Microsoft 365 mail", "VPN") is what the client's people notice; it
has one or more **monitors** (HTTP(S), TCP, heartbeat, push). A monitor's state moves
through a flap-suppressing state machine (`services.infrastructure.monitoring`): it goes
down after `failures_to_down` consecutive failures and comes back after
`successes_to_up` consecutive successes. Every change of state is stored with its instant
(`MonitorStateChange`), which is what availability is computed from. Going down opens one
`Outage` (and one incident ticket); recovery closes it.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from services.support.models import Ticket

# Documented defaults (docs/monitoring.md).
DEFAULT_FAILURES_TO_DOWN = 3
DEFAULT_SUCCESSES_TO_UP = 2
DEFAULT_INTERVAL_SECONDS = 300
MIN_INTERVAL_SECONDS = 30
MAX_INTERVAL_SECONDS = 86_400
DEFAULT_TIMEOUT_SECONDS = 10
MAX_TIMEOUT_SECONDS = 60
DEFAULT_CERT_WARNING_DAYS = 14
DEFAULT_HEARTBEAT_GRACE_SECONDS = 60
MAX_CONSECUTIVE = 20


class ServiceCategory(models.TextChoices):
    CONNECTIVITY = "connectivity", "Connectivity"
    COLLABORATION = "collaboration", "Collaboration"
    LINE_OF_BUSINESS = "line_of_business", "Line of business"
    SECURITY = "security", "Security"
    OTHER = "other", "Other"


class ClientService(models.Model):
    """A service the MSP runs for the client, with the availability the contract promises."""

    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=ServiceCategory.choices, default=ServiceCategory.OTHER)
    description = models.CharField(max_length=500, blank=True)
    is_business_critical = models.BooleanField(
        default=False, help_text="An outage of it is a high-impact incident."
    )
    promised_availability = models.DecimalField(
        max_digits=6,
        decimal_places=3,
        default=Decimal("99.900"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Monthly availability the contract promises, in percent.",
    )
    resolve_ticket_on_recovery = models.BooleanField(
        default=True, help_text="Recovery resolves the outage's incident ticket (else a timeline entry only)."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="client_service_name_unique"),
            models.CheckConstraint(
                condition=Q(promised_availability__gte=0) & Q(promised_availability__lte=100),
                name="client_service_promise_is_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MonitorKind(models.TextChoices):
    HTTP = "http", "HTTP(S)"
    TCP = "tcp", "TCP port"
    HEARTBEAT = "heartbeat", "Heartbeat"
    PUSH = "push", "Push (ingest)"


class MonitorState(models.TextChoices):
    UNKNOWN = "unknown", "Not checked yet"
    UP = "up", "Up"
    DEGRADED = "degraded", "Degraded"
    DOWN = "down", "Down"
    PAUSED = "paused", "Paused"


class ResultStatus(models.TextChoices):
    UP = "up", "Up"
    DEGRADED = "degraded", "Degraded"
    DOWN = "down", "Down"


class MonitorUrgency(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Monitor(models.Model):
    """One check of a service. Its current state lives here (the row is locked while a
    result is recorded, so concurrent results are applied one at a time)."""

    service = models.ForeignKey(ClientService, on_delete=models.CASCADE, related_name="monitors")
    name = models.CharField(max_length=120)
    key = models.SlugField(
        max_length=64, help_text="Stable name an agent or RMM reports results under (push ingest)."
    )
    kind = models.CharField(max_length=12, choices=MonitorKind.choices)
    target = models.CharField(
        max_length=500, blank=True, help_text="http(s)://… for HTTP, host:port for TCP; empty otherwise."
    )
    interval_seconds = models.PositiveIntegerField(
        default=DEFAULT_INTERVAL_SECONDS,
        help_text="How often it is checked; for a heartbeat, how often a ping is expected.",
    )
    timeout_seconds = models.PositiveSmallIntegerField(default=DEFAULT_TIMEOUT_SECONDS)
    expected_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="HTTP status that counts as up; empty: any 2xx or 3xx."
    )
    keyword = models.CharField(max_length=200, blank=True, help_text="HTTP: the body must contain it.")
    cert_warning_days = models.PositiveSmallIntegerField(
        default=DEFAULT_CERT_WARNING_DAYS,
        help_text="HTTPS: degraded when the certificate expires within this many days (0: off).",
    )
    heartbeat_grace_seconds = models.PositiveIntegerField(
        default=DEFAULT_HEARTBEAT_GRACE_SECONDS,
        help_text="Heartbeat: lateness tolerated before a ping is missed.",
    )
    heartbeat_secret = models.CharField(
        max_length=64, blank=True, help_text="Heartbeat: the secret part of its ping URL."
    )
    failures_to_down = models.PositiveSmallIntegerField(default=DEFAULT_FAILURES_TO_DOWN)
    successes_to_up = models.PositiveSmallIntegerField(default=DEFAULT_SUCCESSES_TO_UP)
    urgency = models.CharField(max_length=8, choices=MonitorUrgency.choices, default=MonitorUrgency.HIGH)
    is_paused = models.BooleanField(default=False)
    # Current state (the state machine's memory).
    state = models.CharField(max_length=12, choices=MonitorState.choices, default=MonitorState.UNKNOWN)
    state_since = models.DateTimeField(default=timezone.now)
    consecutive_failures = models.PositiveSmallIntegerField(default=0)
    consecutive_successes = models.PositiveSmallIntegerField(default=0)
    streak_started_at = models.DateTimeField(
        null=True, blank=True, help_text="When the current run of failures (or successes) began."
    )
    last_result_status = models.CharField(max_length=12, blank=True)
    last_result_at = models.DateTimeField(null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_message = models.CharField(max_length=300, blank=True)
    cert_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["service_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="monitor_key_unique"),
            models.UniqueConstraint(
                fields=["heartbeat_secret"],
                condition=~Q(heartbeat_secret=""),
                name="monitor_heartbeat_secret_unique",
            ),
            models.CheckConstraint(
                condition=Q(interval_seconds__gte=MIN_INTERVAL_SECONDS)
                & Q(interval_seconds__lte=MAX_INTERVAL_SECONDS),
                name="monitor_interval_bounds",
            ),
            models.CheckConstraint(
                condition=Q(timeout_seconds__gte=1) & Q(timeout_seconds__lte=MAX_TIMEOUT_SECONDS),
                name="monitor_timeout_bounds",
            ),
            models.CheckConstraint(
                condition=Q(failures_to_down__gte=1)
                & Q(failures_to_down__lte=MAX_CONSECUTIVE)
                & Q(successes_to_up__gte=1)
                & Q(successes_to_up__lte=MAX_CONSECUTIVE),
                name="monitor_flap_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.name}"


class MonitorStateChange(models.Model):
    """Append-only: the monitor entered `to_state` at `at` (availability is computed from these)."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="state_changes")
    from_state = models.CharField(max_length=12, choices=MonitorState.choices)
    to_state = models.CharField(max_length=12, choices=MonitorState.choices)
    at = models.DateTimeField()
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["monitor", "at"], name="monitor_state_change_idx")]

    def __str__(self) -> str:
        return f"{self.monitor_id}: {self.from_state} → {self.to_state} at {self.at:%Y-%m-%d %H:%M:%S}"


class Outage(models.Model):
    """A monitor's time down, from the state change to down until the one back up.

    At most one is open per monitor (constraint): the incident ticket is raised once."""

    monitor = models.ForeignKey(Monitor, on_delete=models.CASCADE, related_name="outages")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    first_message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitor"], condition=Q(ended_at__isnull=True), name="one_open_outage_per_monitor"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="outage_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.monitor_id} down from {self.started_at:%Y-%m-%d %H:%M}"


class MaintenanceWindow(models.Model):
    """Planned work on a service: no outage opens, and the time is left out of availability."""

    service = models.ForeignKey(ClientService, on_delete=models.CASCADE, related_name="maintenance_windows")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=300)
    created_by_id = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="maintenance_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["service", "ends_at"], name="maintenance_service_end_idx")]

    def __str__(self) -> str:
        return f"{self.service_id}: {self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"


class AvailabilityMonth(models.Model):
    """A closed month's availability of one monitor (`monitor` set) or of a whole service
    (`monitor` empty). Written once after the month ends and never changed (like
    `SlaOutcome`); the current month is computed live."""

    service = models.ForeignKey(ClientService, on_delete=models.CASCADE, related_name="availability_months")
    monitor = models.ForeignKey(
        Monitor, null=True, blank=True, on_delete=models.CASCADE, related_name="availability_months"
    )
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    measured_seconds = models.PositiveIntegerField(
        help_text="Monitored time, maintenance and pauses left out."
    )
    down_seconds = models.PositiveIntegerField()
    maintenance_seconds = models.PositiveIntegerField()
    availability_percent = models.DecimalField(
        max_digits=7, decimal_places=4, null=True, blank=True, help_text="Empty when nothing was measured."
    )
    promised_percent = models.DecimalField(max_digits=6, decimal_places=3)
    met = models.BooleanField(null=True, help_text="Empty when nothing was measured.")
    outage_count = models.PositiveIntegerField(default=0)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "-month", "service_id", "monitor_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["monitor", "year", "month"],
                condition=Q(monitor__isnull=False),
                name="availability_month_once_per_monitor",
            ),
            models.UniqueConstraint(
                fields=["service", "year", "month"],
                condition=Q(monitor__isnull=True),
                name="availability_month_once_per_service",
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12), name="availability_month_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}/{self.monitor_id} {self.year}-{self.month:02d}"


class AvailabilityDay(models.Model):
    """A closed UTC day's measured, down and maintenance seconds of one monitor (`monitor`
    set) or of a whole service (`monitor` empty), so the status page and this month's figure
    compute only today live. Filled once a day is over (beat task, or the first read that
    needs it); a service's rows from a day on are deleted whenever its history for that day
    changes afterwards (late results, maintenance reaching back, a monitor deleted), and the
    next read computes them again. A service row means the day is stored for every monitor
    the service had then; a monitor without a row that day did not exist yet."""

    service = models.ForeignKey(ClientService, on_delete=models.CASCADE, related_name="availability_days")
    monitor = models.ForeignKey(
        Monitor, null=True, blank=True, on_delete=models.CASCADE, related_name="availability_days"
    )
    day = models.DateField()
    measured_seconds = models.PositiveIntegerField()
    down_seconds = models.PositiveIntegerField()
    maintenance_seconds = models.PositiveIntegerField()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day", "service_id", "monitor_id"]
        indexes = [models.Index(fields=["day"], name="availability_day_day")]
        constraints = [
            models.UniqueConstraint(
                fields=["monitor", "day"],
                condition=Q(monitor__isnull=False),
                name="availability_day_once_per_monitor",
            ),
            models.UniqueConstraint(
                fields=["service", "day"],
                condition=Q(monitor__isnull=True),
                name="availability_day_once_per_service",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_id}/{self.monitor_id} {self.day}"
