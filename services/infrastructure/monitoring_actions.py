"""Use cases of client services, monitors and maintenance windows (staff manage them).

Each is one transaction in the client's schema that also writes the monitor's public index
row (`services.infrastructure.monitoring.sync_index`), so the scheduler and the "Down now"
board are never out of step. Callers authorise first (GraphQL: MSP technicians and admins
who reach the client); every bad value is a typed `ActionError` and nothing is written.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django_tenants.utils import tenant_context

from core.errors import ActionError, FieldError
from core.tenancy import require_schema
from services.infrastructure.monitor_index.models import MonitorSchedule
from services.infrastructure.monitoring import (
    CheckResultIn,
    RecordedResults,
    forget_days,
    record_check_results,
    sync_index,
)
from services.infrastructure.monitoring_models import (
    DEFAULT_FAILURES_TO_DOWN,
    DEFAULT_HEARTBEAT_GRACE_SECONDS,
    DEFAULT_INTERVAL_SECONDS,
    DEFAULT_SUCCESSES_TO_UP,
    DEFAULT_TIMEOUT_SECONDS,
    MAX_CONSECUTIVE,
    MAX_INTERVAL_SECONDS,
    MAX_TIMEOUT_SECONDS,
    MIN_INTERVAL_SECONDS,
    ClientService,
    MaintenanceWindow,
    Monitor,
    MonitorKind,
    MonitorState,
    MonitorStateChange,
    MonitorUrgency,
    Outage,
    ServiceCategory,
)
from tenants.access import ensure_client_writable
from tenants.models import Client, User

MAX_NAME = 120
MAX_DESCRIPTION = 500
MAX_TARGET = 500
MAX_KEYWORD = 200
MAX_REASON = 300
MAX_CERT_WARNING_DAYS = 365
MAX_GRACE_SECONDS = 86_400
MAX_MAINTENANCE_DAYS = 31
# What one status page shows and one query may cost (LIST_SIZES in msp_portal/schema.py).
MAX_SERVICES = 50
MAX_MONITORS_PER_SERVICE = 10
# A maintenance window may not start in the past (beyond this tolerance): it would take
# downtime that already happened out of the availability the contract promises.
MAINTENANCE_PAST_TOLERANCE = timedelta(minutes=5)
HOSTNAME = re.compile(r"^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?$")
KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def _text(errors: list[FieldError], value: str, field: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        errors.append(FieldError("INVALID", "Remove the NUL character.", field))
    elif len(value) > limit:
        errors.append(FieldError("TOO_LONG", f"Keep it under {limit + 1} characters.", field))
    elif required and not value:
        errors.append(FieldError("REQUIRED", "This can't be empty.", field))
    return value


def _bounded(errors: list[FieldError], value: int | None, field: str, low: int, high: int, what: str) -> None:
    if value is not None and not low <= value <= high:
        errors.append(FieldError("INVALID", f"{what} is {low} to {high}.", field))


def _valid_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(HOSTNAME.match(host))


def validate_target(kind: str, target: str) -> str | None:
    """Why `target` is no good for a `kind` monitor (None when it is)."""
    if kind == MonitorKind.HTTP:
        if any(c.isspace() for c in target) or not target:
            return "Give the address to check, e.g. https://mail.example.com/health."
        parts = urlsplit(target)
        try:
            port = parts.port
        except ValueError:
            return "The port in the address is not a number from 1 to 65535."
        if parts.scheme not in ("http", "https") or not parts.hostname or not _valid_host(parts.hostname):
            return "Give a full http:// or https:// address, e.g. https://mail.example.com/health."
        if port == 0:
            return "The port in the address is not a number from 1 to 65535."
        return None
    if kind == MonitorKind.TCP:
        host, sep, port_text = target.rpartition(":")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        if not sep or not host or not port_text.isdigit() or not _valid_host(host):
            return "Give host:port, e.g. vpn.example.com:443 or 10.0.0.5:3389."
        if not 1 <= int(port_text) <= 65535:
            return "The port is a number from 1 to 65535."
        return None
    return "Heartbeat and push monitors have no target." if target else None


@dataclass(frozen=True)
class ServiceInput:
    name: str
    category: str = ServiceCategory.OTHER
    description: str = ""
    is_business_critical: bool = False
    promised_availability: Decimal | str | float = Decimal("99.9")
    resolve_ticket_on_recovery: bool = True
    is_active: bool = True


def _clean_service(data: ServiceInput) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    name = _text(errors, data.name, "name", MAX_NAME, required=True)
    description = _text(errors, data.description, "description", MAX_DESCRIPTION)
    if data.category not in ServiceCategory.values:
        errors.append(FieldError("INVALID", "Choose a category.", "category"))
    try:
        promise = Decimal(str(data.promised_availability))
        if not promise.is_finite() or not Decimal("0") < promise <= Decimal("100"):
            raise InvalidOperation
        promise = promise.quantize(Decimal("0.001"))
    except (InvalidOperation, ValueError):
        errors.append(
            FieldError(
                "INVALID",
                "The promised availability is a percentage above 0, at most 100.",
                "promisedAvailability",
            )
        )
        promise = Decimal("0")
    return {
        "name": name,
        "category": data.category,
        "description": description,
        "is_business_critical": bool(data.is_business_critical),
        "promised_availability": promise,
        "resolve_ticket_on_recovery": bool(data.resolve_ticket_on_recovery),
        "is_active": bool(data.is_active),
    }, errors


def _duplicate_service(name: str, exclude: int | None = None) -> FieldError | None:
    clash = ClientService.objects.filter(name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    return (
        FieldError("DUPLICATE", "The client already has a service with this name.", "name")
        if clash.exists()
        else None
    )


def create_service(
    client: Client, data: ServiceInput, *, actor: User, now: datetime | None = None
) -> ClientService:
    """Add a service the MSP runs for `client`."""
    require_schema(client)
    ensure_client_writable(client)
    values, errors = _clean_service(data)
    if not errors and (clash := _duplicate_service(values["name"])):
        errors.append(clash)
    if errors:
        raise ActionError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        if ClientService.objects.filter(is_active=True).count() >= MAX_SERVICES:
            raise ActionError.single(
                "TOO_MANY", f"A client has at most {MAX_SERVICES} active services; archive one first.", "name"
            )
        return ClientService.objects.create(**values, created_at=now, updated_at=now)


def get_service(service_id: int, *, for_update: bool = False) -> ClientService:
    services = ClientService.objects.select_for_update() if for_update else ClientService.objects.all()
    service = services.filter(pk=service_id).first()
    if service is None:
        raise ActionError.single("NOT_FOUND", "There is no such service for this client.", "serviceId")
    return service


def update_service(
    client: Client, service_id: int, data: ServiceInput, *, actor: User, now: datetime | None = None
) -> ClientService:
    """Change a service (archive it with `is_active=False`: its monitors stop being checked)."""
    require_schema(client)
    ensure_client_writable(client)
    values, errors = _clean_service(data)
    now = now or timezone.now()
    with transaction.atomic():
        service = get_service(service_id, for_update=True)
        if not errors and (clash := _duplicate_service(values["name"], exclude=service.pk)):
            errors.append(clash)
        if errors:
            raise ActionError(errors)
        for name, value in values.items():
            setattr(service, name, value)
        service.updated_at = now
        service.save()
        for monitor in Monitor.objects.filter(service=service).select_related("service"):
            sync_index(client, monitor, next_check_at=now if monitor.service.is_active else None, now=now)
    return service


@dataclass(frozen=True)
class MonitorInput:
    name: str
    kind: str
    target: str = ""
    key: str = ""
    interval_seconds: int | None = None
    timeout_seconds: int | None = None
    expected_status: int | None = None
    keyword: str = ""
    cert_warning_days: int | None = None
    heartbeat_grace_seconds: int | None = None
    failures_to_down: int | None = None
    successes_to_up: int | None = None
    urgency: str = MonitorUrgency.HIGH


def _clean_monitor(data: MonitorInput, current: Monitor | None) -> tuple[dict[str, Any], list[FieldError]]:
    errors: list[FieldError] = []
    name = _text(errors, data.name, "name", MAX_NAME, required=True)
    target = _text(errors, data.target, "target", MAX_TARGET)
    keyword = _text(errors, data.keyword, "keyword", MAX_KEYWORD)
    key = _text(errors, data.key, "key", 64).lower()
    kind = data.kind
    if kind not in MonitorKind.values:
        errors.append(FieldError("INVALID", "Choose HTTP(S), TCP, heartbeat or push.", "kind"))
    elif current is not None and kind != current.kind:
        errors.append(
            FieldError("INVALID", "A monitor's kind can't change; add a new monitor instead.", "kind")
        )
    elif not any(e.field == "target" for e in errors) and (problem := validate_target(kind, target)):
        errors.append(FieldError("INVALID", problem, "target"))
    if key and not KEY.match(key):
        errors.append(
            FieldError("INVALID", "A key is lower-case letters, digits, - and _ (up to 64).", "key")
        )
    if data.urgency not in MonitorUrgency.values:
        errors.append(FieldError("INVALID", "Choose an urgency: low, medium or high.", "urgency"))
    _bounded(
        errors,
        data.interval_seconds,
        "intervalSeconds",
        MIN_INTERVAL_SECONDS,
        MAX_INTERVAL_SECONDS,
        "The interval in seconds",
    )
    _bounded(errors, data.timeout_seconds, "timeoutSeconds", 1, MAX_TIMEOUT_SECONDS, "The timeout in seconds")
    _bounded(errors, data.expected_status, "expectedStatus", 100, 599, "An HTTP status")
    _bounded(
        errors, data.cert_warning_days, "certWarningDays", 0, MAX_CERT_WARNING_DAYS, "The warning in days"
    )
    _bounded(
        errors,
        data.heartbeat_grace_seconds,
        "heartbeatGraceSeconds",
        0,
        MAX_GRACE_SECONDS,
        "The grace in seconds",
    )
    _bounded(errors, data.failures_to_down, "failuresToDown", 1, MAX_CONSECUTIVE, "Failures before down")
    _bounded(errors, data.successes_to_up, "successesToUp", 1, MAX_CONSECUTIVE, "Successes before up")
    interval = data.interval_seconds or (current.interval_seconds if current else DEFAULT_INTERVAL_SECONDS)
    timeout = data.timeout_seconds or (current.timeout_seconds if current else DEFAULT_TIMEOUT_SECONDS)
    if kind in (MonitorKind.HTTP, MonitorKind.TCP) and timeout >= interval and not errors:
        errors.append(
            FieldError("INVALID", "The timeout must be shorter than the interval.", "timeoutSeconds")
        )
    if kind not in (MonitorKind.HTTP,) and (keyword or data.expected_status is not None):
        errors.append(FieldError("INVALID", "Only HTTP(S) monitors check a status or a keyword.", "keyword"))

    def pick(value: Any, name: str, default: Any) -> Any:
        if value is not None:
            return value
        return getattr(current, name) if current is not None else default

    default_failures = 1 if kind == MonitorKind.HEARTBEAT else DEFAULT_FAILURES_TO_DOWN
    return {
        "name": name,
        "kind": kind,
        "target": target,
        "key": key,
        "interval_seconds": interval,
        "timeout_seconds": timeout,
        "expected_status": data.expected_status,
        "keyword": keyword,
        "cert_warning_days": pick(data.cert_warning_days, "cert_warning_days", 14),
        "heartbeat_grace_seconds": pick(
            data.heartbeat_grace_seconds, "heartbeat_grace_seconds", DEFAULT_HEARTBEAT_GRACE_SECONDS
        ),
        "failures_to_down": pick(data.failures_to_down, "failures_to_down", default_failures),
        "successes_to_up": pick(data.successes_to_up, "successes_to_up", DEFAULT_SUCCESSES_TO_UP),
        "urgency": data.urgency,
    }, errors


def _unique_key(base: str, exclude: int | None = None) -> str:
    base = (slugify(base)[:56] or "monitor").strip("-") or "monitor"
    others = Monitor.objects.filter(key__startswith=base)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    taken = set(others.values_list("key", flat=True))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def ping_token(client: Client, monitor: Monitor) -> str:
    """The token of a heartbeat's ping URL (`/monitoring/ping/<token>`): the client's id and
    the monitor's secret; only its SHA-256 is in the public index."""
    return f"{client.pk}-{monitor.heartbeat_secret}" if monitor.heartbeat_secret else ""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_monitor(
    client: Client, service_id: int, data: MonitorInput, *, actor: User, now: datetime | None = None
) -> Monitor:
    """Add a monitor to a service; it is first checked at once (heartbeat: first ping due
    within its period + grace)."""
    require_schema(client)
    ensure_client_writable(client)
    values, errors = _clean_monitor(data, None)
    now = now or timezone.now()
    with transaction.atomic():
        service = get_service(service_id, for_update=True) if not errors or service_id else None
        if errors:
            raise ActionError(errors)
        assert service is not None
        if Monitor.objects.filter(service=service).count() >= MAX_MONITORS_PER_SERVICE:
            raise ActionError.single(
                "TOO_MANY", f"A service has at most {MAX_MONITORS_PER_SERVICE} monitors.", "serviceId"
            )
        if values["key"] and Monitor.objects.filter(key=values["key"]).exists():
            raise ActionError.single("DUPLICATE", "Another monitor of this client has this key.", "key")
        values["key"] = values["key"] or _unique_key(values["name"])
        secret = secrets.token_urlsafe(24) if values["kind"] == MonitorKind.HEARTBEAT else ""
        monitor = Monitor.objects.create(
            service=service,
            **values,
            heartbeat_secret=secret,
            state_since=now,
            created_at=now,
            updated_at=now,
        )
        first_check = now
        if monitor.kind == MonitorKind.HEARTBEAT:
            first_check = now + timedelta(seconds=monitor.interval_seconds + monitor.heartbeat_grace_seconds)
        token = ping_token(client, monitor)
        sync_index(
            client,
            monitor,
            next_check_at=first_check,
            ping_token_hash=token_hash(token) if token else "",
            now=now,
        )
    return monitor


def get_monitor(monitor_id: int, *, for_update: bool = False) -> Monitor:
    monitors = Monitor.objects.select_for_update(of=("self",)) if for_update else Monitor.objects.all()
    monitor = monitors.select_related("service").filter(pk=monitor_id).first()
    if monitor is None:
        raise ActionError.single("NOT_FOUND", "There is no such monitor for this client.", "monitorId")
    return monitor


def update_monitor(
    client: Client, monitor_id: int, data: MonitorInput, *, actor: User, now: datetime | None = None
) -> Monitor:
    """Change a monitor's settings (not its kind); the next check is due at once."""
    require_schema(client)
    ensure_client_writable(client)
    now = now or timezone.now()
    with transaction.atomic():
        monitor = get_monitor(monitor_id, for_update=True)
        values, errors = _clean_monitor(data, monitor)
        if errors:
            raise ActionError(errors)
        if values["key"] and Monitor.objects.filter(key=values["key"]).exclude(pk=monitor.pk).exists():
            raise ActionError.single("DUPLICATE", "Another monitor of this client has this key.", "key")
        values["key"] = values["key"] or monitor.key
        for name, value in values.items():
            setattr(monitor, name, value)
        monitor.updated_at = now
        monitor.save()
        next_check = now
        if monitor.kind == MonitorKind.HEARTBEAT:
            last = monitor.last_result_at or monitor.created_at
            next_check = max(
                now, last + timedelta(seconds=monitor.interval_seconds + monitor.heartbeat_grace_seconds)
            )
        sync_index(client, monitor, next_check_at=next_check, now=now)
    return monitor


def set_monitor_paused(
    client: Client, monitor_id: int, *, actor: User, paused: bool, now: datetime | None = None
) -> Monitor:
    """Pause (no checks, no outages; the time counts neither for nor against availability)
    or resume (state starts again from "not checked yet"). Pausing a down monitor ends its
    open outage; its ticket stays with the service desk. Doing it twice changes nothing."""
    require_schema(client)
    ensure_client_writable(client)
    now = now or timezone.now()
    with transaction.atomic():
        monitor = get_monitor(monitor_id, for_update=True)
        if monitor.is_paused == paused:
            return monitor
        at = max(now, monitor.state_since)
        to_state = MonitorState.PAUSED if paused else MonitorState.UNKNOWN
        MonitorStateChange.objects.create(
            monitor=monitor,
            from_state=monitor.state,
            to_state=to_state,
            at=at,
            reason=f"{'Paused' if paused else 'Resumed'} by {actor.full_name or actor.email}"[:300],
        )
        Outage.objects.filter(monitor=monitor, ended_at__isnull=True).update(ended_at=at)
        forget_days([monitor.service_id], at)
        monitor.is_paused = paused
        monitor.state, monitor.state_since = to_state, at
        monitor.consecutive_failures = monitor.consecutive_successes = 0
        monitor.streak_started_at = None
        monitor.updated_at = now
        monitor.save()
        sync_index(client, monitor, next_check_at=None if paused else now, now=now)
        MonitorSchedule.objects.filter(client=client, monitor_id=monitor.pk).update(open_ticket_number=None)
    return monitor


def delete_monitor(client: Client, monitor_id: int, *, actor: User) -> None:
    """Remove a monitor, its history and its index row (tickets it raised stay)."""
    require_schema(client)
    ensure_client_writable(client)
    with transaction.atomic():
        monitor = get_monitor(monitor_id, for_update=True)
        MonitorSchedule.objects.filter(client=client, monitor_id=monitor.pk).delete()
        forget_days([monitor.service_id], monitor.created_at)  # its history leaves the service's
        monitor.delete()


def schedule_maintenance(
    client: Client,
    service_id: int,
    *,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    now: datetime | None = None,
) -> MaintenanceWindow:
    """Plan maintenance of a service: no outage opens inside it and the time is left out of
    availability. It may not start in the past (that would erase downtime that happened)
    nor last longer than 31 days."""
    require_schema(client)
    ensure_client_writable(client)
    now = now or timezone.now()
    errors: list[FieldError] = []
    reason = _text(errors, reason, "reason", MAX_REASON, required=True)
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        errors.append(FieldError("INVALID", "Give times with their timezone.", "startsAt"))
    else:
        if starts_at < now - MAINTENANCE_PAST_TOLERANCE:
            errors.append(FieldError("INVALID", "Maintenance can't start in the past.", "startsAt"))
        if ends_at <= starts_at:
            errors.append(FieldError("INVALID", "The end must be after the start.", "endsAt"))
        elif ends_at - starts_at > timedelta(days=MAX_MAINTENANCE_DAYS):
            errors.append(
                FieldError("INVALID", f"A window lasts at most {MAX_MAINTENANCE_DAYS} days.", "endsAt")
            )
    with transaction.atomic():
        service = get_service(service_id, for_update=True)
        if errors:
            raise ActionError(errors)
        window = MaintenanceWindow.objects.create(
            service=service,
            starts_at=max(starts_at, now - MAINTENANCE_PAST_TOLERANCE),
            ends_at=ends_at,
            reason=reason,
            created_by_id=actor.pk,
            created_at=now,
        )
        forget_days([service.pk], window.starts_at)
        _sync_maintenance(client, service, now)
    return window


def cancel_maintenance(client: Client, window_id: int, *, actor: User, now: datetime | None = None) -> None:
    """Cancel a planned window, or end one in progress now. A window that is over stays
    (availability already leaves it out)."""
    require_schema(client)
    ensure_client_writable(client)
    now = now or timezone.now()
    with transaction.atomic():
        window = (
            MaintenanceWindow.objects.select_for_update()
            .filter(pk=window_id)
            .select_related("service")
            .first()
        )
        if window is None:
            raise ActionError.single("NOT_FOUND", "There is no such maintenance window.", "windowId")
        if window.ends_at <= now:
            raise ActionError.single("INVALID", "This window is over; it stays in the record.", "windowId")
        if window.starts_at > now:
            window.delete()
        else:
            window.ends_at = now
            window.save(update_fields=["ends_at"])
        forget_days([window.service_id], min(window.starts_at, now))
        _sync_maintenance(client, window.service, now)


def _sync_maintenance(client: Client, service: ClientService, now: datetime) -> None:
    current = (
        MaintenanceWindow.objects.filter(service=service, starts_at__lte=now, ends_at__gt=now)
        .order_by("-ends_at")
        .values_list("ends_at", flat=True)
        .first()
    )
    MonitorSchedule.objects.filter(client=client, service_id=service.pk).update(in_maintenance_until=current)


def record_heartbeat_ping(token: str, *, now: datetime | None = None, message: str = "") -> bool:
    """A heartbeat pinged its URL: record an "up" result in its client's schema (a paused
    monitor keeps it as its last result without changing state). False, with nothing
    written, for an unknown or malformed token or a client that is no longer a client."""
    if not token or len(token) > 100 or "\x00" in token:
        return False
    row = (
        MonitorSchedule.objects.filter(ping_token_hash=token_hash(token), kind=MonitorKind.HEARTBEAT)
        .select_related("client")
        .first()
    )
    if row is None or not row.client.is_client:
        return False
    now = now or timezone.now()
    with tenant_context(row.client):
        result: RecordedResults = record_check_results(
            row.client,
            [
                CheckResultIn(
                    status="up", observed_at=now, monitor_id=row.monitor_id, message=message or "Ping"
                )
            ],
            now=now,
        )
    return result.accepted == 1
