"""Outreach: the account manager's records of each client (public schema).

Check-ins, follow-ups, health scores, segments, campaigns and broadcasts are the MSP's own
records about its clients, so they live in the public schema and carry `client_id` (as the
architecture puts it: "the public schema holds the MSP's own data"). Contacts live in each
client's schema: a check-in keeps their ids and a snapshot of their names.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from tenants.models import Client, ClientTier

# Documented defaults (docs/outreach.md); an MSP admin edits them in `OutreachSettings`.
DEFAULT_CADENCE_DAYS = {ClientTier.PREMIUM: 30, ClientTier.STANDARD: 90, ClientTier.ESSENTIAL: 180}
MAX_CADENCE_DAYS = 366
DEFAULT_WEIGHTS = {
    "sla_compliance": 20,
    "open_p1_p2": 15,
    "ticket_trend": 10,
    "checkin_recency": 15,
    "sentiment": 10,
    "overdue_invoices": 10,
    "security_incidents": 10,
    "mfa_coverage": 5,
    "availability": 5,
}
DEFAULT_THRESHOLDS = {
    "at_risk_below": 50,  # score < 50: at risk
    "healthy_from": 75,  # score >= 75: healthy; between: watch
    "fall_alert_points": 15,  # a fall of this many points within 7 days → follow-up
    "sla_target_percent": 95,
    "availability_target_percent": 99.5,
}


class OutreachSettings(models.Model):
    """The MSP admin's settings of outreach: cadence per tier, health weights and thresholds.

    One row (pk 1); `OutreachSettings.current()` creates it with the documented defaults."""

    premium_cadence_days = models.PositiveSmallIntegerField(default=DEFAULT_CADENCE_DAYS[ClientTier.PREMIUM])
    standard_cadence_days = models.PositiveSmallIntegerField(
        default=DEFAULT_CADENCE_DAYS[ClientTier.STANDARD]
    )
    essential_cadence_days = models.PositiveSmallIntegerField(
        default=DEFAULT_CADENCE_DAYS[ClientTier.ESSENTIAL]
    )
    weights = models.JSONField(default=dict, help_text="Signal key → weight (0–100).")
    thresholds = models.JSONField(default=dict, help_text="Band limits, fall alert and targets.")
    reminder_days_before = models.PositiveSmallIntegerField(
        default=3, help_text="Remind the account manager this many days before a check-in is due."
    )
    updated_at = models.DateTimeField(default=now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name_plural = "outreach settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="outreach_settings_single_row"),
            models.CheckConstraint(
                condition=Q(premium_cadence_days__gte=1)
                & Q(standard_cadence_days__gte=1)
                & Q(essential_cadence_days__gte=1),
                name="outreach_settings_cadence_positive",
            ),
        ]

    def __str__(self) -> str:
        return "Outreach settings"

    @classmethod
    def current(cls) -> OutreachSettings:
        row, _ = cls.objects.get_or_create(pk=1)
        return row

    def cadence_for_tier(self, tier: str) -> int:
        by_tier: dict[str, int] = {
            ClientTier.PREMIUM: self.premium_cadence_days,
            ClientTier.STANDARD: self.standard_cadence_days,
            ClientTier.ESSENTIAL: self.essential_cadence_days,
        }
        return by_tier.get(tier, self.standard_cadence_days)

    def weight(self, key: str) -> int:
        return int({**DEFAULT_WEIGHTS, **(self.weights or {})}.get(key, 0))

    def threshold(self, key: str) -> float:
        return float({**DEFAULT_THRESHOLDS, **(self.thresholds or {})}[key])


class HealthBand(models.TextChoices):
    HEALTHY = "healthy", "Healthy"
    WATCH = "watch", "Watch"
    AT_RISK = "at_risk", "At risk"
    NO_DATA = "no_data", "No data"


class ClientOutreach(models.Model):
    """The account manager's standing of one client: cadence, due date, the latest health.

    The board reads this table (public) and nothing else per client."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="outreach")
    cadence_override_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Set by the account manager; the tier's cadence when empty."
    )
    last_checkin_at = models.DateTimeField(null=True, blank=True)
    next_planned_at = models.DateTimeField(
        null=True, blank=True, help_text="The earliest planned (scheduled) check-in."
    )
    next_due_on = models.DateField(null=True, blank=True, help_text="Last check-in + cadence.")
    # The idempotent-stage pattern of the SLA sweep: each stage is alerted once per due date.
    overdue_stage = models.PositiveSmallIntegerField(default=0)
    reminded_for = models.DateField(null=True, blank=True, help_text="Due date already reminded.")
    health_score = models.PositiveSmallIntegerField(null=True, blank=True)
    health_band = models.CharField(max_length=16, choices=HealthBand.choices, default=HealthBand.NO_DATA)
    health_explanation = models.JSONField(default=list, blank=True)
    health_computed_at = models.DateTimeField(null=True, blank=True)
    health_stale = models.BooleanField(default=False, help_text="A signal changed since the last score.")
    updated_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["next_due_on"], name="outreach_next_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(cadence_override_days__isnull=True) | Q(cadence_override_days__gte=1),
                name="outreach_cadence_override_positive",
            )
        ]

    def __str__(self) -> str:
        return f"Outreach of {self.client_id}"


class CheckInKind(models.TextChoices):
    CALL = "call", "Call"
    MEETING = "meeting", "Meeting"
    QBR = "qbr", "Quarterly business review"
    EMAIL = "email", "E-mail"


class CheckInStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class Sentiment(models.TextChoices):
    POSITIVE = "positive", "Positive"
    NEUTRAL = "neutral", "Neutral"
    NEGATIVE = "negative", "Negative"


SENTIMENT_VALUE = {Sentiment.POSITIVE: 1.0, Sentiment.NEUTRAL: 0.5, Sentiment.NEGATIVE: 0.0}


class CheckIn(models.Model):
    """A conversation with the client (planned or held), with who was there and how it went."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=CheckInKind.choices)
    status = models.CharField(max_length=16, choices=CheckInStatus.choices, default=CheckInStatus.DONE)
    subject = models.CharField(max_length=200)
    notes = models.TextField(blank=True, max_length=20_000)
    sentiment = models.CharField(max_length=16, choices=Sentiment.choices, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    location = models.CharField(max_length=200, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    # Contacts live in the client's schema: their ids and a snapshot of name and e-mail.
    contacts = models.JSONField(default=list, blank=True, help_text='[{"id": 1, "name": "…", "email": "…"}]')
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    campaign_task = models.ForeignKey(
        "CampaignTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="checkins"
    )
    ics_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    ics_sequence = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["client", "status", "held_at"], name="checkin_client_held_idx"),
            models.Index(fields=["client", "scheduled_for"], name="checkin_client_planned_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.client_id}: {self.subject}"


class InvitationDelivery(models.Model):
    """One .ics invitation of a meeting to one contact: unique, so each is sent once."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="invitations")
    contact_id = models.IntegerField()
    email = models.EmailField()
    name = models.CharField(max_length=200)
    sequence = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkin", "contact_id", "sequence"], name="invitation_delivery_once"
            )
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to check-in {self.checkin_id}"


class FollowUp(models.Model):
    """Something agreed with the client, owned by a staff member, due on a day."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    checkin = models.ForeignKey(
        CheckIn, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups"
    )
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True, max_length=5_000)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    ticket_number = models.PositiveIntegerField(null=True, blank=True)
    # Follow-ups the system opens (a health fall) are keyed so they are opened once.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["owner", "due_on"], name="followup_owner_open_idx", condition=Q(done_at=None)
            ),
            models.Index(
                fields=["client", "due_on"], name="followup_client_open_idx", condition=Q(done_at=None)
            ),
        ]

    def __str__(self) -> str:
        return self.title


class HealthSnapshot(models.Model):
    """A client's health on one day (the history chart): one row per client and day."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    score = models.PositiveSmallIntegerField(null=True)
    band = models.CharField(max_length=16, choices=HealthBand.choices)
    explanation = models.JSONField(default=list)
    computed_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["client", "day"], name="health_snapshot_daily")]

    def __str__(self) -> str:
        return f"Health of {self.client_id} on {self.day}: {self.score}"


class Segment(models.Model):
    """A saved set of rules over clients (industry, tier, health band, …), evaluated live."""

    name = models.CharField(max_length=120, unique=True)
    rules = models.JSONField(default=list, help_text='[{"field": "industry", "values": ["retail"]}]')
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    """Reach out to every client of a segment about one topic."""

    name = models.CharField(max_length=120)
    brief = models.TextField(blank=True, max_length=5_000)
    segment = models.ForeignKey(Segment, null=True, on_delete=models.SET_NULL, related_name="campaigns")
    due_on = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class CampaignTaskStatus(models.TextChoices):
    PENDING = "pending", "To contact"
    CONTACTED = "contacted", "Contacted"
    RESPONDED = "responded", "Responded"
    FOLLOW_UP_NEEDED = "follow_up_needed", "Follow-up needed"


class CampaignTask(models.Model):
    """One client of a campaign, assigned to that client's account manager."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tasks")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=24, choices=CampaignTaskStatus.choices, default=CampaignTaskStatus.PENDING
    )
    response = models.TextField(blank=True, max_length=5_000)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "client"], name="campaign_task_per_client")
        ]
        indexes = [models.Index(fields=["assignee", "status"], name="campaign_task_assignee_idx")]

    def __str__(self) -> str:
        return f"Campaign {self.campaign_id}: client {self.client_id} ({self.status})"


class BroadcastKind(models.TextChoices):
    ANNOUNCEMENT = "announcement", "Announcement"
    HOWTO = "howto", "How-to"


class Broadcast(models.Model):
    """A how-to or announcement to every client or a segment: on the status page, by e-mail."""

    kind = models.CharField(max_length=16, choices=BroadcastKind.choices)
    title = models.CharField(max_length=200)
    body_html = models.TextField(help_text="Sanitised (nh3): safe to render.")
    body_text = models.TextField(help_text="Plain text of the body (search, e-mail).")
    segment = models.ForeignKey(
        Segment, null=True, blank=True, on_delete=models.PROTECT, related_name="broadcasts"
    )
    email_roles = ArrayField(models.CharField(max_length=16), default=list, blank=True)
    publish_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    search = SearchVectorField(null=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-publish_at"]
        indexes = [
            GinIndex(fields=["search"], name="broadcast_search_gin"),
            models.Index(fields=["publish_at"], name="broadcast_due_idx", condition=Q(published_at=None)),
        ]

    def __str__(self) -> str:
        return self.title


class BroadcastAudience(models.Model):
    """A client a broadcast was published to (fixed when it is published)."""

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="audience")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["broadcast", "client"], name="broadcast_audience_once")
        ]
        indexes = [models.Index(fields=["client", "broadcast"], name="broadcast_audience_client_idx")]

    def __str__(self) -> str:
        return f"Broadcast {self.broadcast_id} to {self.client_id}"


class BroadcastDelivery(models.Model):
    """One e-mail of a broadcast to one person: unique, so each recipient gets it once."""

    broadcast = models.ForeignKey(Broadcast, on_delete=models.CASCADE, related_name="deliveries")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped = models.BooleanField(default=False, help_text="No longer reaches the client when sending.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["broadcast", "user"], name="broadcast_delivery_once")]
        indexes = [
            models.Index(
                fields=["id"], name="broadcast_delivery_pending_idx", condition=Q(sent_at=None, skipped=False)
            )
        ]

    def __str__(self) -> str:
        return f"Broadcast {self.broadcast_id} e-mail to {self.user_id}"


class SuggestionOutcome(models.TextChoices):
    SHOWN = "shown", "Shown"
    SOLVED = "solved", "This solved it"
    ABANDONED = "abandoned", "Request abandoned"
    SUBMITTED = "submitted", "Request submitted anyway"


class Suggestion(models.Model):
    """Broadcasts suggested to a client user who started a new request, and what happened."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    query = models.CharField(max_length=200)
    broadcast_ids = ArrayField(models.IntegerField(), default=list)
    outcome = models.CharField(
        max_length=16, choices=SuggestionOutcome.choices, default=SuggestionOutcome.SHOWN
    )
    solved_by = models.ForeignKey(
        Broadcast, null=True, blank=True, on_delete=models.SET_NULL, related_name="solved_suggestions"
    )
    created_at = models.DateTimeField(default=now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [GinIndex(fields=["broadcast_ids"], name="suggestion_broadcasts_gin")]

    def __str__(self) -> str:
        return f"Suggestion for {self.query!r} ({self.outcome})"


class QbrStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class QbrReport(models.Model):
    """A quarterly business review pack (PDF) of one client, built by Celery."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=16, choices=QbrStatus.choices, default=QbrStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    step = models.CharField(max_length=120, blank=True)
    pdf = models.BinaryField(null=True, blank=True)
    size_bytes = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["client", "-created_at"], name="qbr_client_idx")]

    def __str__(self) -> str:
        return f"QBR of {self.client_id} {self.period_start}–{self.period_end}"
