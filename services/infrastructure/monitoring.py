"""Monitoring's public functions: recording check results (the state machine, outages and
their tickets) and the reads other parts use (service statuses, availability, down now).

Callers:
- `services.infrastructure.tasks` (checks run by Celery) and the push-ingest endpoint call
  `record_check_results` inside the client's schema;
- the status page (`services.status`) reads `service_statuses`, `availability` and
  `daily_availability`;
- the staff "Down now" board reads `down_now` (the public index, never the schemas).

The state machine (documented in docs/monitoring.md):

    unknown/up/degraded --(failures_to_down consecutive "down" results)--> down
    down --(successes_to_up consecutive "up"/"degraded" results)--> up / degraded
    up <--> degraded at once (a degraded result is reachable, not an outage)

A result older than the monitor's last recorded result is ignored (results arrive out of
order from agents and retries). Going down opens one `Outage` and, outside a maintenance
window, one incident ticket; coming back closes the outage, adds a timeline entry to the
ticket and resolves it when the service says so.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from core.bulk import update_rows
from core.errors import ActionError, FieldError
from core.tenancy import require_schema
from services.infrastructure import availability_math as am
from services.infrastructure.monitor_index.models import MonitorSchedule
from services.infrastructure.monitoring_models import (
    AvailabilityDay,
    AvailabilityMonth,
    ClientService,
    MaintenanceWindow,
    Monitor,
    MonitorKind,
    MonitorState,
    MonitorStateChange,
    Outage,
    ResultStatus,
)
from services.support.actions import raise_monitoring_incident, record_monitoring_recovery
from tenants.models import Client

MAX_RESULTS_PER_CALL = 1_000
MAX_RESULT_MESSAGE = 300
MAX_LATENCY_MS = 3_600_000
# A result may be stamped at most this far in the future (agents' clocks drift a little).
MAX_FUTURE_SKEW_SECONDS = 300
# Streak counters stop counting here (the thresholds are at most MAX_CONSECUTIVE).
COUNTER_CAP = 1_000


@dataclass(frozen=True)
class CheckResultIn:
    """One check result, from a built-in check or reported by an agent (push ingest).

    The monitor is named by `monitor_key` (its stable key, what agents use) or by
    `monitor_id`; `status` is "up", "degraded" or "down"; `observed_at` is when the check
    ran (timezone-aware)."""

    status: str
    observed_at: datetime
    monitor_key: str = ""
    monitor_id: int | None = None
    latency_ms: int | None = None
    message: str = ""


@dataclass
class RecordedResults:
    """What `record_check_results` did."""

    accepted: int = 0
    ignored_stale: int = 0
    state_changes: int = 0
    outages_opened: int = 0
    outages_closed: int = 0
    tickets_opened: list[int] = field(default_factory=list)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _validate(
    results: Sequence[CheckResultIn], by_key: dict[str, Monitor], by_id: dict[int, Monitor], now: datetime
) -> tuple[list[tuple[Monitor, CheckResultIn]], list[FieldError]]:
    errors: list[FieldError] = []
    valid: list[tuple[Monitor, CheckResultIn]] = []
    latest = now + timedelta(seconds=MAX_FUTURE_SKEW_SECONDS)
    for index, result in enumerate(results):
        where = f"results.{index}"
        before = len(errors)
        monitor: Monitor | None = None
        if result.monitor_key:
            monitor = by_key.get(result.monitor_key)
            if monitor is None:
                errors.append(
                    FieldError("NOT_FOUND", "No monitor of this client has this key.", f"{where}.monitorKey")
                )
        elif result.monitor_id is not None:
            monitor = by_id.get(result.monitor_id)
            if monitor is None:
                errors.append(
                    FieldError("NOT_FOUND", "No monitor of this client has this id.", f"{where}.monitorId")
                )
        else:
            errors.append(FieldError("REQUIRED", "Name the monitor (its key).", f"{where}.monitorKey"))
        if result.status not in ResultStatus.values:
            errors.append(FieldError("INVALID", "Status is up, degraded or down.", f"{where}.status"))
        observed = result.observed_at
        if not isinstance(observed, datetime) or timezone.is_naive(observed):
            errors.append(FieldError("INVALID", "Give the time with its timezone.", f"{where}.observedAt"))
        elif observed > latest:
            errors.append(
                FieldError("INVALID", "The result is stamped in the future.", f"{where}.observedAt")
            )
        if result.latency_ms is not None and not 0 <= result.latency_ms <= MAX_LATENCY_MS:
            errors.append(
                FieldError("INVALID", f"Latency is 0 to {MAX_LATENCY_MS} milliseconds.", f"{where}.latencyMs")
            )
        if "\x00" in result.message:
            errors.append(FieldError("INVALID", "The message contains a NUL byte.", f"{where}.message"))
        if len(errors) == before and monitor is not None:
            valid.append((monitor, result))
    return valid, errors


def _usable_key(key: str) -> bool:
    return bool(key) and len(key) <= 64 and "\x00" not in key


class _Recorder:
    """Applies results to locked monitors, collecting the writes of one call."""

    def __init__(self, client: Client, now: datetime, windows: dict[int, list[MaintenanceWindow]]) -> None:
        self.client = client
        self.now = now
        self.windows = windows
        self.changes: list[MonitorStateChange] = []
        self.outcome = RecordedResults()
        self.open_outages: dict[int, Outage] = {}

    def in_maintenance(self, monitor: Monitor, at: datetime) -> MaintenanceWindow | None:
        for window in self.windows.get(monitor.service_id, []):
            if window.starts_at <= at < window.ends_at:
                return window
        return None

    def transition(self, monitor: Monitor, to_state: str, at: datetime, reason: str) -> None:
        at = max(at, monitor.state_since)  # history never runs backwards
        self.changes.append(
            MonitorStateChange(
                monitor=monitor,
                from_state=monitor.state,
                to_state=to_state,
                at=at,
                reason=_shorten(reason, 300),
            )
        )
        monitor.state, monitor.state_since = to_state, at
        self.outcome.state_changes += 1

    def apply(self, monitor: Monitor, result: CheckResultIn) -> None:
        at = result.observed_at
        if monitor.last_result_at is not None and at < monitor.last_result_at:
            self.outcome.ignored_stale += 1
            return
        self.outcome.accepted += 1
        message = _shorten(result.message, MAX_RESULT_MESSAGE)
        monitor.last_result_status, monitor.last_result_at = result.status, at
        monitor.last_latency_ms, monitor.last_message = result.latency_ms, message
        monitor.updated_at = self.now
        if monitor.is_paused:
            return
        good = result.status != ResultStatus.DOWN
        if good:
            if monitor.consecutive_successes == 0:
                monitor.streak_started_at = at
            monitor.consecutive_successes = min(monitor.consecutive_successes + 1, COUNTER_CAP)
            monitor.consecutive_failures = 0
        else:
            if monitor.consecutive_failures == 0:
                monitor.streak_started_at = at
            monitor.consecutive_failures = min(monitor.consecutive_failures + 1, COUNTER_CAP)
            monitor.consecutive_successes = 0
        streak_start = monitor.streak_started_at or at
        if monitor.state == MonitorState.DOWN:
            if good and monitor.consecutive_successes >= monitor.successes_to_up:
                # Back since the first good check of the run that confirmed it.
                self.transition(monitor, result.status, streak_start, message or "Recovered")
                self.close_outage(monitor, streak_start)
            elif not good:
                self.open_outage_if_due(monitor, at, message)
        elif good:
            if monitor.state != result.status:
                self.transition(monitor, result.status, at, message or str(ResultStatus(result.status).label))
        elif monitor.consecutive_failures >= monitor.failures_to_down:
            # Down since the first failed check of the run that confirmed it.
            self.transition(monitor, MonitorState.DOWN, streak_start, message or "Down")
            self.open_outage_if_due(monitor, at, message)

    def open_outage_if_due(self, monitor: Monitor, at: datetime, message: str) -> None:
        """Down and no outage open: open one, unless a maintenance window covers `at`
        (then the next failed check after the window opens it)."""
        if monitor.pk in self.open_outages or self.in_maintenance(monitor, at) is not None:
            return
        started_at = monitor.state_since
        window_end = max(
            (w.ends_at for w in self.windows.get(monitor.service_id, []) if w.ends_at <= at), default=None
        )
        if window_end is not None and window_end > started_at:
            started_at = window_end
        service = monitor.service
        outage = Outage(monitor=monitor, started_at=started_at, first_message=message)
        ticket = raise_monitoring_incident(
            self.client,
            title=f"{service.name} is down ({monitor.name})",
            description=(
                f"Monitoring found {service.name} down: the {MonitorKind(monitor.kind).label} check "
                f'"{monitor.name}"{f" of {monitor.target}" if monitor.target else ""} failed '
                f"{monitor.consecutive_failures} times in a row since "
                f"{started_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC."
                + (f"\n\nLast result: {message}" if message else "")
            ),
            impact="high" if service.is_business_critical else "medium",
            urgency=monitor.urgency,
            category="Monitoring",
            detail={"monitor": monitor.name, "service": service.name, "message": message},
            now=self.now,
        )
        outage.ticket = ticket
        outage.save()
        self.open_outages[monitor.pk] = outage
        self.outcome.outages_opened += 1
        if ticket is not None:
            self.outcome.tickets_opened.append(ticket.number)

    def close_outage(self, monitor: Monitor, at: datetime) -> None:
        outage = self.open_outages.pop(monitor.pk, None)
        if outage is None:
            return
        outage.ended_at = max(at, outage.started_at)
        outage.save(update_fields=["ended_at"])
        self.outcome.outages_closed += 1
        if outage.ticket_id is not None:
            minutes = int((outage.ended_at - outage.started_at).total_seconds() // 60)
            record_monitoring_recovery(
                self.client,
                outage.ticket_id,
                resolve=monitor.service.resolve_ticket_on_recovery,
                detail={"monitor": monitor.name, "service": monitor.service.name, "down_minutes": minutes},
                now=self.now,
            )


MONITOR_STATE_FIELDS = [
    "state",
    "state_since",
    "consecutive_failures",
    "consecutive_successes",
    "streak_started_at",
    "last_result_status",
    "last_result_at",
    "last_latency_ms",
    "last_message",
    "updated_at",
]


def record_check_results(
    client: Client, results: Sequence[CheckResultIn], *, now: datetime | None = None
) -> RecordedResults:
    """Apply check results of `client`'s monitors (run inside the client's schema).

    All or nothing: every result is validated first, and any bad one raises `ActionError`
    with one `FieldError` per problem on field `results.<index>.<field>` (codes: NOT_FOUND
    for a monitor key/id the client does not have, REQUIRED when neither is given, INVALID
    for an unknown status, a naive or far-future `observed_at`, a latency out of range or a
    NUL byte, TOO_MANY for more than `MAX_RESULTS_PER_CALL` results); nothing is written
    then. Messages longer than `MAX_RESULT_MESSAGE` are shortened.

    Each monitor's row is locked (`SELECT … FOR UPDATE`, in id order to avoid deadlocks)
    while its results are applied in `observed_at` order, so concurrent callers reporting
    the same outage open one outage and one ticket (and the open-outage constraint backs
    that up). A result older than the monitor's last one is ignored (`ignored_stale`).
    Paused monitors keep their results' last values but their state does not move. The
    public index row of each monitor is updated in the same transaction."""
    require_schema(client)
    now = now or timezone.now()
    if len(results) > MAX_RESULTS_PER_CALL:
        raise ActionError.single(
            "TOO_MANY", f"Send at most {MAX_RESULTS_PER_CALL} results at a time.", "results"
        )
    if not results:
        return RecordedResults()
    keys = {r.monitor_key for r in results if _usable_key(r.monitor_key)}
    ids = {
        r.monitor_id
        for r in results
        if not r.monitor_key and r.monitor_id is not None and 0 < r.monitor_id < 2**31
    }
    with transaction.atomic():
        monitors = list(
            Monitor.objects.select_for_update(of=("self",))
            .select_related("service")
            .filter(Q(key__in=keys) | Q(pk__in=ids))
            .order_by("pk")
        )
        by_key = {m.key: m for m in monitors}
        by_id = {m.pk: m for m in monitors}
        valid, errors = _validate(results, by_key, by_id, now)
        if errors:
            raise ActionError(errors)
        # Outages and maintenance matter only to monitors that are down or get a down result
        # (in the steady state of all-up checks, neither is read).
        at_risk = {m.pk: m for m, r in valid if r.status == ResultStatus.DOWN or m.state == MonitorState.DOWN}
        windows: dict[int, list[MaintenanceWindow]] = defaultdict(list)
        recorder = _Recorder(client, now, windows)
        if at_risk:
            observed = [r.observed_at for m, r in valid if m.pk in at_risk]
            # Windows that may matter: from the earliest state still in force (an outage held
            # back by a window opens when the window ends) to the latest result.
            earliest = min([*observed, *(m.state_since for m in at_risk.values())])
            for window in MaintenanceWindow.objects.filter(
                service_id__in={m.service_id for m in at_risk.values()},
                starts_at__lte=max(observed),
                ends_at__gt=earliest,
            ).order_by("starts_at"):
                windows[window.service_id].append(window)
            recorder.open_outages = {
                o.monitor_id: o
                for o in Outage.objects.filter(
                    monitor__in=list(at_risk), ended_at__isnull=True
                ).select_related("ticket")
            }
        for monitor, result in sorted(valid, key=lambda pair: (pair[0].pk, pair[1].observed_at)):
            recorder.apply(monitor, result)
        touched = list({m.pk: m for m, _ in valid}.values())
        # One UPDATE … FROM (VALUES …): bulk_update's CASE expressions were 80 % of a push batch.
        update_rows(Monitor, touched, MONITOR_STATE_FIELDS)
        MonitorStateChange.objects.bulk_create(recorder.changes)
        if recorder.changes:
            # A change reaching back into a stored day (a late or back-dated result) makes
            # that day and the ones after it be computed again (nothing in the steady state).
            reach_back: dict[int, datetime] = {}
            for change in recorder.changes:
                sid = change.monitor.service_id
                reach_back[sid] = min(reach_back.get(sid, change.at), change.at)
            forget_days(reach_back, min(reach_back.values()))
        _update_index_state(client, touched, recorder.open_outages, now)
    return recorder.outcome


def _update_index_state(
    client: Client, monitors: Sequence[Monitor], open_outages: dict[int, Outage], now: datetime
) -> None:
    """One UPDATE … FROM (VALUES …) of the monitors' public index rows; a heartbeat's
    deadline moves to its last ping + period + grace."""
    if not monitors:
        return
    rows = []
    params: list[Any] = []
    for m in monitors:
        outage = open_outages.get(m.pk)
        deadline = None
        if (
            m.kind == MonitorKind.HEARTBEAT
            and m.last_result_status in (ResultStatus.UP, ResultStatus.DEGRADED)
            and m.last_result_at
        ):
            deadline = m.last_result_at + timedelta(seconds=m.interval_seconds + m.heartbeat_grace_seconds)
        rows.append(
            "(%s::int, %s::varchar, %s::timestamptz, %s::timestamptz, %s::varchar, %s::int, %s::timestamptz)"
        )
        params += [
            m.pk,
            m.state,
            m.state_since,
            m.last_result_at,
            m.last_message,
            outage.ticket.number if outage is not None and outage.ticket is not None else None,
            deadline,
        ]
    table = MonitorSchedule._meta.db_table
    # Only the table name and the number of placeholders are formatted in; values are parameters.
    values = ", ".join(rows)
    sql = (
        f'UPDATE public."{table}" AS s SET state = v.state, state_since = v.since, '  # noqa: S608
        "last_result_at = v.last_at, last_message = v.message, open_ticket_number = v.ticket, "
        "updated_at = %s, next_check_at = CASE WHEN v.deadline IS NOT NULL AND s.is_scheduled "
        "THEN v.deadline ELSE s.next_check_at END "
        f"FROM (VALUES {values}) AS v(monitor_id, state, since, last_at, message, ticket, deadline) "
        "WHERE s.client_id = %s AND s.monitor_id = v.monitor_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *params, client.pk])


# ---------------------------------------------------------------- the public index row


def index_values(client: Client, monitor: Monitor, service: ClientService) -> dict[str, object]:
    """What the public index holds about `monitor` (scheduling and the "Down now" board)."""
    scheduled = not monitor.is_paused and service.is_active and monitor.kind != MonitorKind.PUSH
    return {
        "service_id": service.pk,
        "kind": monitor.kind,
        "monitor_name": monitor.name,
        "service_name": service.name,
        "is_business_critical": service.is_business_critical,
        "is_scheduled": scheduled,
        "interval_seconds": monitor.interval_seconds,
        "state": monitor.state,
        "state_since": monitor.state_since,
        "last_result_at": monitor.last_result_at,
        "last_message": monitor.last_message,
    }


def sync_index(
    client: Client,
    monitor: Monitor,
    *,
    next_check_at: datetime | None = None,
    ping_token_hash: str | None = None,
    now: datetime | None = None,
) -> MonitorSchedule:
    """Write `monitor`'s public index row (in the caller's transaction). `next_check_at`
    given: the next check is due then (a new, resumed or re-timed monitor); else it is kept."""
    now = now or timezone.now()
    values = index_values(client, monitor, monitor.service)
    values["updated_at"] = now
    if next_check_at is not None:
        values["next_check_at"] = next_check_at
    if ping_token_hash is not None:
        values["ping_token_hash"] = ping_token_hash
    row, _ = MonitorSchedule.objects.update_or_create(client=client, monitor_id=monitor.pk, defaults=values)
    return row


# ---------------------------------------------------------------- reads


class ServiceState:
    """The state of a whole service, worst of its monitors."""

    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"
    MAINTENANCE = "maintenance"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ServiceStatus:
    """One service as the status page shows it, now."""

    service: ClientService
    state: str  # a ServiceState value
    monitors: list[Monitor]
    open_outages: list[Outage]
    maintenance: MaintenanceWindow | None  # the window in force now, if any
    next_maintenance: MaintenanceWindow | None  # the next planned one, if any


def service_state(monitors: Iterable[Monitor], in_maintenance: bool) -> str:
    states = {m.state for m in monitors if not m.is_paused}
    if MonitorState.DOWN in states:
        return ServiceState.DOWN
    if in_maintenance:
        return ServiceState.MAINTENANCE
    if MonitorState.DEGRADED in states:
        return ServiceState.DEGRADED
    if MonitorState.UP in states:
        return ServiceState.UP
    return ServiceState.UNKNOWN


def service_statuses(client: Client, *, now: datetime | None = None) -> list[ServiceStatus]:
    """Every active service of `client` with its live state, monitors, open outages and
    maintenance, in four queries whatever the numbers (run inside the client's schema).

    The service state is the worst of its monitors that are not paused (down > degraded >
    up; unknown when none has a result yet); a service inside a maintenance window is
    "maintenance" unless a monitor is down."""
    require_schema(client)
    now = now or timezone.now()
    services = list(ClientService.objects.filter(is_active=True).order_by("name", "pk"))
    monitors: dict[int, list[Monitor]] = defaultdict(list)
    for monitor in Monitor.objects.filter(service__in=services).order_by("name", "pk"):
        monitors[monitor.service_id].append(monitor)
    outages: dict[int, list[Outage]] = defaultdict(list)
    for outage in (
        Outage.objects.filter(monitor__service__in=services, ended_at__isnull=True)
        .select_related("monitor", "ticket")
        .order_by("started_at")
    ):
        outages[outage.monitor.service_id].append(outage)
    current: dict[int, MaintenanceWindow] = {}
    upcoming: dict[int, MaintenanceWindow] = {}
    for window in MaintenanceWindow.objects.filter(service__in=services, ends_at__gt=now).order_by(
        "starts_at"
    ):
        if window.starts_at <= now:
            current.setdefault(window.service_id, window)
        else:
            upcoming.setdefault(window.service_id, window)
    return [
        ServiceStatus(
            service=service,
            state=service_state(monitors[service.pk], service.pk in current),
            monitors=monitors[service.pk],
            open_outages=outages[service.pk],
            maintenance=current.get(service.pk),
            next_maintenance=upcoming.get(service.pk),
        )
        for service in services
    ]


@dataclass(frozen=True)
class AvailabilityFigure:
    """Availability of one monitor (`monitor_id` set) or one service (`monitor_id` None)
    over one month: (measured − down) / measured, maintenance and paused/unknown time
    left out of both. `availability_percent` and `met` are None when nothing was measured.
    `is_final` is True for a closed month's stored row, False for a live figure."""

    service_id: int
    monitor_id: int | None
    year: int
    month: int
    measured_seconds: int
    down_seconds: int
    maintenance_seconds: int
    availability_percent: Decimal | None
    promised_percent: Decimal
    met: bool | None
    outage_count: int
    is_final: bool


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) in UTC."""
    start = datetime(year, month, 1, tzinfo=UTC)
    days = calendar.monthrange(year, month)[1]
    return start, start + timedelta(days=days)


def _history(
    monitors: Sequence[Monitor], start: datetime
) -> dict[int, tuple[str, list[tuple[datetime, str]]]]:
    """Per monitor: (state before `start`, changes from `start` on) in one query."""
    history: dict[int, tuple[str, list[tuple[datetime, str]]]] = {
        m.pk: (MonitorState.UNKNOWN, []) for m in monitors
    }
    rows = (
        MonitorStateChange.objects.filter(monitor__in=monitors)
        .filter(Q(at__gte=start) | Q(pk__in=_last_change_before(monitors, start)))
        .order_by("at", "pk")
        .values_list("monitor_id", "at", "to_state")
    )
    for monitor_id, at, to_state in rows:
        _before, changes = history[monitor_id]
        if at < start:
            history[monitor_id] = (to_state, changes)
        else:
            changes.append((at, to_state))
    return history


def _last_change_before(monitors: Sequence[Monitor], start: datetime) -> QuerySet[MonitorStateChange, Any]:
    return (
        MonitorStateChange.objects.filter(monitor__in=monitors, at__lt=start)
        .order_by("monitor_id", "-at", "-pk")
        .distinct("monitor_id")
        .values("pk")
    )


def _windows_by_service(
    services: Sequence[ClientService], start: datetime, end: datetime
) -> dict[int, list[am.Interval]]:
    windows: dict[int, list[am.Interval]] = defaultdict(list)
    for service_id, s, e in MaintenanceWindow.objects.filter(
        service__in=services, starts_at__lt=end, ends_at__gt=start
    ).values_list("service_id", "starts_at", "ends_at"):
        windows[service_id].append((s, e))
    return windows


def _compute_month(
    services: Sequence[ClientService], monitors: Sequence[Monitor], year: int, month: int, end_cap: datetime
) -> list[AvailabilityFigure]:
    start, end = month_bounds(year, month)
    end = min(end, end_cap)
    history = _history(monitors, start)
    windows = _windows_by_service(services, start, end)
    outage_counts: dict[int, int] = defaultdict(int)
    for monitor_id in (
        Outage.objects.filter(monitor__in=monitors, started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .values_list("monitor_id", flat=True)
    ):
        outage_counts[monitor_id] += 1
    figures: list[AvailabilityFigure] = []
    by_service: dict[int, list[Monitor]] = defaultdict(list)
    for monitor in monitors:
        by_service[monitor.service_id].append(monitor)
    for service in services:
        maintenance = am.clip(am.merge(windows[service.pk]), start, end)
        service_states = []
        for monitor in by_service[service.pk]:
            initial, changes = history[monitor.pk]
            begin = max(start, monitor.created_at)
            states = am.state_intervals(changes, initial, begin, end) if begin < end else {}
            service_states.append(states)
            measured, down, maintained = am.figures([states], maintenance)
            figures.append(
                _figure(
                    service, monitor.pk, year, month, measured, down, maintained, outage_counts[monitor.pk]
                )
            )
        measured, down, maintained = am.figures(service_states, maintenance)
        outages = sum(outage_counts[m.pk] for m in by_service[service.pk])
        figures.append(_figure(service, None, year, month, measured, down, maintained, outages))
    return figures


def _figure(
    service: ClientService,
    monitor_id: int | None,
    year: int,
    month: int,
    measured: int,
    down: int,
    maintained: int,
    outages: int,
    *,
    final: bool = False,
) -> AvailabilityFigure:
    value = am.percent(measured, down)
    return AvailabilityFigure(
        service_id=service.pk,
        monitor_id=monitor_id,
        year=year,
        month=month,
        measured_seconds=measured,
        down_seconds=down,
        maintenance_seconds=maintained,
        availability_percent=value,
        promised_percent=service.promised_availability,
        met=None if value is None else value >= service.promised_availability,
        outage_count=outages,
        is_final=final,
    )


def _stored_figure(row: AvailabilityMonth) -> AvailabilityFigure:
    return AvailabilityFigure(
        service_id=row.service_id,
        monitor_id=row.monitor_id,
        year=row.year,
        month=row.month,
        measured_seconds=row.measured_seconds,
        down_seconds=row.down_seconds,
        maintenance_seconds=row.maintenance_seconds,
        availability_percent=row.availability_percent,
        promised_percent=row.promised_percent,
        met=row.met,
        outage_count=row.outage_count,
        is_final=True,
    )


def _validate_month(year: int, month: int) -> None:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ActionError.single("INVALID", "Choose a month between 2000 and 2100.", "month")


def availability(
    client: Client, year: int, month: int, *, now: datetime | None = None
) -> list[AvailabilityFigure]:
    """Availability per monitor and per service of `client` for one month (inside its
    schema), each service's figure after its monitors': the stored immutable rows for a
    closed month (figures not stored yet — the close task has not run — are computed live
    with `is_final` False), computed live for the current month, and an empty list for a
    month in the future. Constant number of queries. A month outside 2000–2100 is INVALID."""
    require_schema(client)
    _validate_month(year, month)
    now = now or timezone.now()
    start, end = month_bounds(year, month)
    if start > now:
        return []
    services = list(ClientService.objects.order_by("name", "pk"))
    monitors = list(
        Monitor.objects.filter(service__in=services, created_at__lt=end).order_by("service_id", "name", "pk")
    )
    stored: dict[tuple[int, int | None], AvailabilityFigure] = {}
    if end <= now:
        for row in AvailabilityMonth.objects.filter(year=year, month=month):
            stored[(row.service_id, row.monitor_id)] = _stored_figure(row)
        wanted = {(m.service_id, m.pk) for m in monitors} | {(s.pk, None) for s in services}
        if wanted <= stored.keys():
            return _ordered(services, monitors, stored)
    live = {(f.service_id, f.monitor_id): f for f in _compute_month(services, monitors, year, month, now)}
    return _ordered(services, monitors, {**live, **stored})


def _ordered(
    services: Sequence[ClientService],
    monitors: Sequence[Monitor],
    figures: dict[tuple[int, int | None], AvailabilityFigure],
) -> list[AvailabilityFigure]:
    result: list[AvailabilityFigure] = []
    by_service: dict[int, list[Monitor]] = defaultdict(list)
    for monitor in monitors:
        by_service[monitor.service_id].append(monitor)
    for service in services:
        for monitor in by_service[service.pk]:
            if (service.pk, monitor.pk) in figures:
                result.append(figures[(service.pk, monitor.pk)])
        if (service.pk, None) in figures:
            result.append(figures[(service.pk, None)])
    return result


def close_availability_month(client: Client, year: int, month: int, *, now: datetime | None = None) -> int:
    """Store the closed month's figures (once: existing rows are never changed, so the
    task may run again). Returns the number of rows written."""
    require_schema(client)
    _validate_month(year, month)
    now = now or timezone.now()
    _start, end = month_bounds(year, month)
    if end > now:
        raise ActionError.single("INVALID", "The month is not over yet.", "month")
    services = list(ClientService.objects.order_by("pk"))
    monitors = list(Monitor.objects.filter(service__in=services, created_at__lt=end).order_by("pk"))
    rows = [
        AvailabilityMonth(
            service_id=f.service_id,
            monitor_id=f.monitor_id,
            year=year,
            month=month,
            measured_seconds=f.measured_seconds,
            down_seconds=f.down_seconds,
            maintenance_seconds=f.maintenance_seconds,
            availability_percent=f.availability_percent,
            promised_percent=f.promised_percent,
            met=f.met,
            outage_count=f.outage_count,
            recorded_at=now,
        )
        for f in _compute_month(services, monitors, year, month, end)
    ]
    before = AvailabilityMonth.objects.filter(year=year, month=month).count()
    AvailabilityMonth.objects.bulk_create(rows, ignore_conflicts=True)
    return AvailabilityMonth.objects.filter(year=year, month=month).count() - before


@dataclass(frozen=True)
class DailyFigure:
    """One service's availability on one day (UTC), for the status page's uptime bars."""

    service_id: int
    day: date
    availability_percent: Decimal | None  # None: nothing measured that day
    down_seconds: int
    maintenance_seconds: int


MAX_DAYS = 92

# (service id, monitor id or None, day) → (measured, down, maintenance) seconds
DayFigures = dict[tuple[int, int | None, date], tuple[int, int, int]]


def _utc_start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _compute_days(
    services: Sequence[ClientService], monitors: Sequence[Monitor], first: date, end: datetime
) -> DayFigures:
    """Per service and per monitor, per UTC day from `first` until `end` (the last day cut
    at `end`), from the state history and maintenance windows: two queries."""
    start = _utc_start(first)
    history = _history(monitors, start)
    windows = _windows_by_service(services, start, end)
    by_service: dict[int, list[Monitor]] = defaultdict(list)
    for monitor in monitors:
        by_service[monitor.service_id].append(monitor)
    result: DayFigures = {}
    days = (end.astimezone(UTC).date() - first).days + (
        0 if end == _utc_start(end.astimezone(UTC).date()) else 1
    )
    for service in services:
        merged = am.merge(windows[service.pk])
        states: list[tuple[Monitor, dict[str, list[am.Interval]]]] = []
        for monitor in by_service[service.pk]:
            initial, changes = history[monitor.pk]
            begin = max(start, monitor.created_at)
            states.append((monitor, am.state_intervals(changes, initial, begin, end) if begin < end else {}))
        for offset in range(days):
            day = first + timedelta(days=offset)
            day_start = _utc_start(day)
            day_end = min(day_start + timedelta(days=1), end)
            maintenance = am.clip(merged, day_start, day_end)
            clipped = []
            for monitor, monitor_states in states:
                if monitor.created_at >= day_end:
                    continue  # not there yet that day: no row
                one = {k: am.clip(v, day_start, day_end) for k, v in monitor_states.items()}
                clipped.append(one)
                result[(service.pk, monitor.pk, day)] = am.figures([one], maintenance)
            result[(service.pk, None, day)] = am.figures(clipped, maintenance)
    return result


def _closed_days(
    services: Sequence[ClientService], monitors: Sequence[Monitor], first: date, today: date, now: datetime
) -> DayFigures:
    """The stored figures of the closed days `[first, today)`: one query when every service
    has its rows; days missing (not filled yet, or forgotten after a late change) are
    computed from the earliest of them and stored."""
    figures: DayFigures = {}
    if first >= today:
        return figures
    for service_id, monitor_id, day, measured, down, maintained in AvailabilityDay.objects.filter(
        day__gte=first, day__lt=today
    ).values_list(
        "service_id", "monitor_id", "day", "measured_seconds", "down_seconds", "maintenance_seconds"
    ):
        figures[(service_id, monitor_id, day)] = (measured, down, maintained)
    span = [first + timedelta(days=offset) for offset in range((today - first).days)]
    missing = [(s.pk, d) for s in services for d in span if (s.pk, None, d) not in figures]
    if not missing:
        return figures
    computed = _compute_days(services, monitors, min(d for _s, d in missing), _utc_start(today))
    wanted = set(missing)
    rows = []
    for (sid, mid, day), values in computed.items():
        if (sid, day) not in wanted:
            continue
        figures[(sid, mid, day)] = values
        measured, down, maintained = values
        rows.append(
            AvailabilityDay(
                service_id=sid,
                monitor_id=mid,
                day=day,
                measured_seconds=measured,
                down_seconds=down,
                maintenance_seconds=maintained,
                recorded_at=now,
            )
        )
    AvailabilityDay.objects.bulk_create(rows, ignore_conflicts=True)  # a concurrent reader's rows win
    return figures


def store_closed_days(client: Client, *, days: int = 1, now: datetime | None = None) -> int:
    """Store the figures of the last `days` closed UTC days that are not stored yet (the
    nightly task: yesterday, so the first status page of the day computes only today).
    Returns the number of rows written."""
    require_schema(client)
    if not 1 <= days <= MAX_DAYS:
        raise ActionError.single("INVALID", f"Ask for 1 to {MAX_DAYS} days.", "days")
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    services = list(ClientService.objects.order_by("pk"))
    monitors = list(Monitor.objects.filter(service__in=services).order_by("pk"))
    before = AvailabilityDay.objects.count()
    _closed_days(services, monitors, today - timedelta(days=days), today, now)
    return AvailabilityDay.objects.count() - before


def forget_days(service_ids: Iterable[int], since: datetime) -> int:
    """A service's history changed from `since` on (late results, maintenance reaching back,
    a monitor removed): its stored days from that UTC day on are computed again when next
    read. One DELETE (nothing to do in the steady state: today is never stored)."""
    ids = set(service_ids)
    if not ids:
        return 0
    deleted, _ = AvailabilityDay.objects.filter(
        service_id__in=ids, day__gte=since.astimezone(UTC).date()
    ).delete()
    return deleted


def _day_figure(service_id: int, day: date, values: tuple[int, int, int]) -> DailyFigure:
    measured, down, maintained = values
    return DailyFigure(
        service_id=service_id,
        day=day,
        availability_percent=am.percent(measured, down),
        down_seconds=down,
        maintenance_seconds=maintained,
    )


def daily_availability(client: Client, *, days: int = 30, now: datetime | None = None) -> list[DailyFigure]:
    """Per active service and per UTC day for the last `days` days up to today (inside the
    client's schema), from the same state history as `availability`: closed days from their
    stored rows (`AvailabilityDay`), today live. Five queries once the days are stored."""
    return uptime_overview(client, days=days, now=now)[1]


def uptime_overview(
    client: Client, *, days: int = 30, now: datetime | None = None
) -> tuple[dict[int, AvailabilityFigure], list[DailyFigure]]:
    """This month's availability per active service (`AvailabilityFigure` without outage
    counts) and its daily figures for the last `days` days: one read of the stored closed
    days for both, and today computed live. Five queries once the days are stored."""
    require_schema(client)
    if not 1 <= days <= MAX_DAYS:
        raise ActionError.single("INVALID", f"Ask for 1 to {MAX_DAYS} days.", "days")
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    month_first = today.replace(day=1)
    services = list(ClientService.objects.filter(is_active=True).order_by("name", "pk"))
    monitors = list(Monitor.objects.filter(service__in=services).order_by("pk"))
    figures = _closed_days(services, monitors, min(first, month_first), today, now)
    figures.update(_compute_days(services, monitors, today, now))
    daily = [
        _day_figure(service.pk, day, figures.get((service.pk, None, day), (0, 0, 0)))
        for service in services
        for day in (first + timedelta(days=offset) for offset in range(days))
    ]
    monthly: dict[int, AvailabilityFigure] = {}
    span = [month_first + timedelta(days=offset) for offset in range((today - month_first).days + 1)]
    for service in services:
        totals = [figures.get((service.pk, None, day), (0, 0, 0)) for day in span]
        monthly[service.pk] = _figure(
            service,
            None,
            today.year,
            today.month,
            sum(t[0] for t in totals),
            sum(t[1] for t in totals),
            sum(t[2] for t in totals),
            0,
        )
    return monthly, daily


def down_now(*, client_ids: Iterable[int] | None = None) -> QuerySet[MonitorSchedule]:
    """Cross-client: the monitors that are down or degraded right now, down first, longest
    first, read from the public index in one query (never visits a client schema).
    `client_ids` limits it to the clients a person may reach (None: every client)."""
    rows = MonitorSchedule.objects.filter(state__in=[MonitorState.DOWN, MonitorState.DEGRADED])
    if client_ids is not None:
        # A queryset stays a subquery: still one query.
        rows = rows.filter(client_id__in=client_ids if isinstance(client_ids, QuerySet) else list(client_ids))
    return rows.select_related("client").order_by(
        Case(When(state=MonitorState.DOWN, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "state_since",
        "pk",
    )
