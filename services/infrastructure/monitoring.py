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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet

from services.infrastructure.monitor_index.models import MonitorSchedule
from services.infrastructure.monitoring_models import ClientService, MaintenanceWindow, Monitor, Outage
from tenants.models import Client

MAX_RESULTS_PER_CALL = 1_000
MAX_RESULT_MESSAGE = 300
# A result may be stamped at most this far in the future (agents' clocks drift a little).
MAX_FUTURE_SKEW_SECONDS = 300


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


@dataclass(frozen=True)
class RecordedResults:
    """What `record_check_results` did."""

    accepted: int = 0
    ignored_stale: int = 0
    state_changes: int = 0
    outages_opened: int = 0
    outages_closed: int = 0
    tickets_opened: list[int] = field(default_factory=list)


def record_check_results(
    client: Client, results: Sequence[CheckResultIn], *, now: datetime | None = None
) -> RecordedResults:
    """Apply check results of `client`'s monitors (run inside the client's schema).

    All or nothing: every result is validated first, and any bad one raises `ActionError`
    with one `FieldError` per problem on field `results.<index>.<field>` (codes: NOT_FOUND
    for a monitor key/id the client does not have, INVALID for an unknown status, a naive
    or far-future `observed_at`, a negative latency or a NUL byte, TOO_MANY for more than
    `MAX_RESULTS_PER_CALL` results); nothing is written then. Messages longer than
    `MAX_RESULT_MESSAGE` are shortened.

    Each monitor's row is locked (`SELECT … FOR UPDATE`, in id order to avoid deadlocks)
    while its results are applied in `observed_at` order, so concurrent callers reporting
    the same outage open one outage and one ticket. Paused monitors keep their results'
    last values but their state does not move."""
    raise NotImplementedError


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


def service_statuses(client: Client, *, now: datetime | None = None) -> list[ServiceStatus]:
    """Every active service of `client` with its live state, monitors, open outages and
    maintenance, in a constant number of queries (run inside the client's schema).

    The service state is the worst of its monitors that are not paused (down > degraded >
    up; unknown when none has a result yet); a service inside a maintenance window is
    "maintenance" unless a monitor is down."""
    raise NotImplementedError


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


def availability(
    client: Client, year: int, month: int, *, now: datetime | None = None
) -> list[AvailabilityFigure]:
    """Availability per monitor and per service of `client` for one month (inside its
    schema): the stored immutable rows for a closed month (computed and stored on first
    read if the close task has not run yet), computed live for the current month, and
    an empty list for a month in the future. Constant number of queries."""
    raise NotImplementedError


@dataclass(frozen=True)
class DailyFigure:
    """One service's availability on one day (UTC), for the status page's uptime bars."""

    service_id: int
    day: date
    availability_percent: Decimal | None  # None: nothing measured that day
    down_seconds: int
    maintenance_seconds: int


def daily_availability(client: Client, *, days: int = 30, now: datetime | None = None) -> list[DailyFigure]:
    """Per service and per day for the last `days` days up to today (inside the client's
    schema), from the same state history as `availability`. Constant number of queries."""
    raise NotImplementedError


def down_now(*, client_ids: Iterable[int] | None = None) -> QuerySet[MonitorSchedule]:
    """Cross-client: the monitors that are down or degraded right now, down first, longest
    first, read from the public index in one query (never visits a client schema).
    `client_ids` limits it to the clients a person may reach (None: every client)."""
    raise NotImplementedError
