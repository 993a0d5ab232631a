"""The health score's signals: a registry of providers, each read for a batch of clients.

A provider measures one signal for many clients in one query and returns a `Reading` per
client it has data for. A client missing from the answer has **no data** for that signal:
its weight is set aside and the score is made of the others — never a made-up value.
A provider whose source is unavailable (`installed()` false) answers nothing at all, so every
client shows "no data". Sources: the service desk (public work index, SLA outcomes per schema),
billing (public invoices), services.infrastructure (closed availability months and the current month's monitor
history per schema),
services.security (incidents, MFA snapshots per schema) and outreach's own check-ins. Per-schema
sources are read for a whole batch in one `UNION ALL` query (`per_schema`).

The rule that turns a value into a sub-score (0–100) is part of the reading, so the score
explains itself: value → rule → sub-score → weight → contribution.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Min, Q

from billing.models import OPEN_INVOICE_STATUSES, Invoice, InvoiceStatus
from services.infrastructure import availability_math as am
from services.infrastructure.monitoring import month_bounds
from services.outreach.models import (
    SENTIMENT_VALUE,
    CheckIn,
    CheckInStatus,
    ClientOutreach,
    OutreachSettings,
    Sentiment,
)
from services.workqueue.models import WorkItem, WorkItemKind
from tenants.models import Client

SLA_WINDOW_DAYS = 90
TREND_RECENT_DAYS = 30
TREND_BASELINE_DAYS = 180
SENTIMENT_WINDOW_DAYS = 180
SENTIMENT_LAST_N = 3
INCIDENT_WINDOW_DAYS = 90
MFA_FRESH_DAYS = 7


@dataclass(frozen=True)
class Reading:
    value: float
    display: str
    subscore: float


@dataclass(frozen=True)
class Context:
    now: datetime
    settings: OutreachSettings


BatchReader = Callable[[Sequence[Client], Context], dict[int, Reading]]


@dataclass(frozen=True)
class Signal:
    key: str
    label: str
    source: str
    rule: str
    read: BatchReader
    # False while a source is unavailable (an MSP without that app, or a provider registered
    # disabled): "no data" for everyone, the explanation says it is not connected.
    installed: Callable[[], bool] = lambda: True
    # Read inside each client's schema (the benchmark copies these tables).
    schema_tables: tuple[str, ...] = ()


def linear(value: float, *, full_at: float, zero_at: float) -> float:
    """100 at `full_at`, 0 at `zero_at`, linear between, clamped (either direction)."""
    if full_at == zero_at:
        return 100.0 if value == full_at else 0.0
    fraction = (value - zero_at) / (full_at - zero_at)
    return round(max(0.0, min(1.0, fraction)) * 100, 1)


# ------------------------------------------------------------------ service desk


SLA_SELECT = (
    "SELECT %s AS client_id, count(*) FILTER (WHERE result = 'met') AS met, count(*) AS total "
    "FROM {table} WHERE judged_at >= %s AND clock IN ('first_response', 'first_resolution')"
)
INCIDENTS_SELECT = (
    "SELECT %s AS client_id, count(*) AS opened, "
    "count(*) FILTER (WHERE severity IN ('critical', 'high')) AS serious, "
    "count(*) FILTER (WHERE status NOT IN ('resolved', 'closed')) AS still_open "
    "FROM {table} WHERE created_at >= %s"
)
MFA_SELECT = (
    "SELECT %s AS client_id, covered_accounts, total_accounts, day "
    "FROM (SELECT * FROM {table} WHERE day >= %s ORDER BY day DESC LIMIT 1) AS latest"
)


def per_schema(clients: Sequence[Client], table: str, select: str, *params: Any) -> list[tuple[Any, ...]]:
    """One query over `table` of every client's schema (`UNION ALL`), `select` run in each with
    the client's id first and `params` after it (`{table}` is the schema's `table`, `{schema}`
    the quoted schema name for selects that join several tables). Schema names come from the
    client registry and are quoted; values are parameters."""
    if not clients:
        return []
    quote = connection.ops.quote_name
    parts = []
    values: list[Any] = []
    for client in clients:
        schema = quote(client.schema_name)
        parts.append("(" + select.replace("{table}", f"{schema}.{table}").replace("{schema}", schema) + ")")
        values.extend([client.pk, *params])
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), values)
        return list(cursor.fetchall())


def _read_sla_compliance(clients: Sequence[Client], ctx: Context) -> dict[int, Reading]:
    """Share of SLA clocks met in the last 90 days: one UNION ALL over the clients' schemas."""
    since = ctx.now - timedelta(days=SLA_WINDOW_DAYS)
    target = ctx.settings.threshold("sla_target_percent")
    found: dict[int, Reading] = {}
    for client_id, met, total in per_schema(clients, "support_slaoutcome", SLA_SELECT, since):
        if not total:
            continue
        percent = round(100.0 * met / total, 1)
        found[client_id] = Reading(
            value=percent,
            display=f"{percent:g} % of {total} SLA clocks met (last {SLA_WINDOW_DAYS} days)",
            subscore=linear(percent, full_at=target, zero_at=target - 25),
        )
    return found


def _read_security_incidents(clients: Sequence[Client], ctx: Context) -> dict[int, Reading]:
    """Security incidents opened in the last 90 days (services.security, each client's schema).
    None is a real value (100): the app is there and nothing happened."""
    since = ctx.now - timedelta(days=INCIDENT_WINDOW_DAYS)
    found: dict[int, Reading] = {}
    for client_id, opened, serious, still_open in per_schema(
        clients, "security_securityincident", INCIDENTS_SELECT, since
    ):
        found[client_id] = Reading(
            value=float(opened),
            display=(
                f"{opened} incidents in {INCIDENT_WINDOW_DAYS} days "
                f"({serious} critical/high, {still_open} open)"
            ),
            subscore=max(0.0, 100.0 - 20 * (opened - serious) - 40 * serious),
        )
    return found


def _read_mfa_coverage(clients: Sequence[Client], ctx: Context) -> dict[int, Reading]:
    """The latest MFA coverage snapshot of the last 7 days (the identity-provider import); a
    client without one, or with no accounts, has no data."""
    since = ctx.now.date() - timedelta(days=MFA_FRESH_DAYS)
    found: dict[int, Reading] = {}
    for client_id, covered, total, day in per_schema(clients, "security_mfasnapshot", MFA_SELECT, since):
        if not total:
            continue
        percent = round(100.0 * covered / total, 1)
        found[client_id] = Reading(
            value=percent,
            display=f"{covered} of {total} accounts with MFA ({percent:g} %, {day:%Y-%m-%d})",
            subscore=linear(percent, full_at=100.0, zero_at=50.0),
        )
    return found


def _read_open_p1_p2(clients: Sequence[Client], ctx: Context) -> dict[int, Reading]:
    counts = {
        row["client_id"]: row
        for row in WorkItem.objects.filter(
            client__in=[c.pk for c in clients],
            kind=WorkItemKind.TICKET,
            is_open=True,
            priority__in=["P1", "P2"],
        )
        .values("client_id")
        .annotate(p1=Count("pk", filter=Q(priority="P1")), p2=Count("pk", filter=Q(priority="P2")))
    }
    found = {}
    for client in clients:
        row = counts.get(client.pk, {"p1": 0, "p2": 0})
        p1, p2 = row["p1"], row["p2"]
        found[client.pk] = Reading(
            value=float(p1 + p2),
            display=f"{p1} open P1, {p2} open P2",
            subscore=max(0.0, 100.0 - 40 * p1 - 20 * p2),
        )
    return found


def _read_ticket_trend(clients: Sequence[Client], ctx: Context) -> dict[int, Reading]:
    recent_from = ctx.now - timedelta(days=TREND_RECENT_DAYS)
    baseline_from = recent_from - timedelta(days=TREND_BASELINE_DAYS)
    rows = (
        WorkItem.objects.filter(
            client__in=[c.pk for c in clients], kind=WorkItemKind.TICKET, created_at__gte=baseline_from
        )
        .values("client_id")
        .annotate(
            recent=Count("pk", filter=Q(created_at__gte=recent_from)),
            baseline=Count("pk", filter=Q(created_at__lt=recent_from)),
        )
    )
    found = {}
    periods = TREND_BASELINE_DAYS / TREND_RECENT_DAYS
    for row in rows:
        if not row["baseline"]:
            continue  # no baseline of its own yet: no data, not a guess
        per_period = row["baseline"] / periods
        ratio = row["recent"] / per_period
        found[row["client_id"]] = Reading(
            value=round(ratio, 2),
            display=(
                f"{row['recent']} tickets in the last {TREND_RECENT_DAYS} days vs "
                f"{per_period:.1f} usual ({ratio:.0%} of baseline)"
            ),
            subscore=linear(ratio, full_at=1.0, zero_at=2.0),
        )
    return found


# ------------------------------------------------------------------ outreach's own


def _read_checkin_recency(clients: Sequence[Client], ctx: Context) -> dict[int, Reading]:
    profiles = {p.client_id: p for p in ClientOutreach.objects.filter(client__in=[c.pk for c in clients])}
    found = {}
    for client in clients:
        profile = profiles.get(client.pk)
        cadence = cadence_days(client, profile, ctx.settings)
        last = profile.last_checkin_at if profile else None
        since = last or client.created_at
        days = max(0, (ctx.now - since).days)
        what = "since the last check-in" if last else "and no check-in yet (since onboarding)"
        found[client.pk] = Reading(
            value=float(days),
            display=f"{days} days {what}; cadence {cadence} days",
            subscore=linear(days / cadence, full_at=1.0, zero_at=2.0),
        )
    return found


def _read_sentiment(clients: Sequence[Client], ctx: Context) -> dict[int, Reading]:
    since = ctx.now - timedelta(days=SENTIMENT_WINDOW_DAYS)
    rows = (
        CheckIn.objects.filter(
            client__in=[c.pk for c in clients], status=CheckInStatus.DONE, held_at__gte=since
        )
        .exclude(sentiment="")
        .order_by("client_id", "-held_at")
        .values_list("client_id", "sentiment")
    )
    recent: dict[int, list[str]] = {}
    for client_id, sentiment in rows:
        kept = recent.setdefault(client_id, [])
        if len(kept) < SENTIMENT_LAST_N:
            kept.append(sentiment)
    found = {}
    for client_id, sentiments in recent.items():
        average = sum(SENTIMENT_VALUE[Sentiment(s)] for s in sentiments) / len(sentiments)
        found[client_id] = Reading(
            value=round(average, 2),
            display=f"last {len(sentiments)} check-ins: {', '.join(sentiments)}",
            subscore=round(average * 100, 1),
        )
    return found


# ------------------------------------------------------------------ billing, infrastructure


AVAILABILITY_SELECT = (
    "SELECT %s AS client_id, s.name, a.availability_percent, a.promised_percent, a.year, a.month "
    "FROM {schema}.infrastructure_availabilitymonth a "
    "JOIN {schema}.infrastructure_clientservice s ON s.id = a.service_id "
    "WHERE a.monitor_id IS NULL AND a.availability_percent IS NOT NULL "
    "AND a.year * 12 + a.month >= %s AND a.year * 12 + a.month = ("
    "SELECT max(year * 12 + month) FROM {schema}.infrastructure_availabilitymonth "
    "WHERE monitor_id IS NULL AND availability_percent IS NOT NULL)"
)
CURRENT_MONITORS_SELECT = (
    "SELECT %s AS client_id, m.id, m.service_id, m.created_at, s.name, s.promised_availability "
    "FROM {schema}.infrastructure_monitor m "
    "JOIN {schema}.infrastructure_clientservice s ON s.id = m.service_id "
    "WHERE s.is_active AND m.created_at < %s"
)
STATE_CHANGES_SELECT = (
    "SELECT %s AS client_id, monitor_id, at, to_state FROM {table} "
    "WHERE (at >= %s AND at < %s) OR id IN ("
    "SELECT DISTINCT ON (monitor_id) id FROM {table} WHERE at < %s ORDER BY monitor_id, at DESC, id DESC)"
)
WINDOWS_SELECT = (
    "SELECT %s AS client_id, service_id, starts_at, ends_at FROM {table} "
    "WHERE starts_at < %s AND ends_at > %s"
)
MONITOR_UNKNOWN = "unknown"
AVAILABILITY_MONTHS_BACK = 2


def _read_overdue_invoices(clients: Sequence[Client], ctx: Context) -> dict[int, Reading]:
    """Issued invoices still open past their due date (billing, public schema, one query).
    A client that has never been invoiced has no data; one whose invoices are all paid scores 100."""
    today = ctx.now.date()
    overdue = Q(status__in=OPEN_INVOICE_STATUSES, due_on__lt=today)
    rows = (
        Invoice.objects.filter(client__in=[c.pk for c in clients])
        .exclude(status__in=(InvoiceStatus.DRAFT, InvoiceStatus.VOID))
        .values("client_id")
        .annotate(
            overdue=Count("pk", filter=overdue),
            oldest=Min("due_on", filter=overdue),
        )
        .order_by()
    )
    found = {}
    for row in rows:
        count = row["overdue"]
        detail = f", the oldest due {row['oldest']:%Y-%m-%d}" if count else ""
        found[row["client_id"]] = Reading(
            value=float(count),
            display=f"{count} overdue invoice{'s' if count != 1 else ''}{detail}",
            subscore=max(0.0, 100.0 - 25 * count),
        )
    return found


def _current_month_availability(
    clients: Sequence[Client], now: datetime
) -> dict[int, list[tuple[str, float, float]]]:
    """The current month to date per active, monitored service of each client: (service name,
    availability %, promised %), computed as `services.infrastructure.monitoring.availability`
    computes a live month (the same interval arithmetic: time in a known state minus
    maintenance, down time minus maintenance) from the state history. Three `UNION ALL`
    queries for the whole batch; a service with nothing measured yet is left out."""
    utc_now = now.astimezone(UTC)
    start, _end = month_bounds(utc_now.year, utc_now.month)
    monitors: dict[int, list[tuple[int, int, datetime, str, float]]] = defaultdict(list)
    for client_id, monitor_id, service_id, created_at, name, promised in per_schema(
        clients, "", CURRENT_MONITORS_SELECT, now
    ):
        monitors[client_id].append((monitor_id, service_id, created_at, name, float(promised)))
    busy = [c for c in clients if monitors.get(c.pk)]
    history: dict[tuple[int, int], tuple[str, list[tuple[datetime, str]]]] = {}
    for client_id, monitor_id, at, to_state in per_schema(
        busy, "infrastructure_monitorstatechange", STATE_CHANGES_SELECT, start, now, start
    ):
        initial, changes = history.get((client_id, monitor_id), (MONITOR_UNKNOWN, []))
        if at < start:
            history[(client_id, monitor_id)] = (to_state, changes)
        else:
            changes.append((at, to_state))
            history[(client_id, monitor_id)] = (initial, changes)
    windows: dict[tuple[int, int], list[am.Interval]] = defaultdict(list)
    for client_id, service_id, starts_at, ends_at in per_schema(
        busy, "infrastructure_maintenancewindow", WINDOWS_SELECT, now, start
    ):
        windows[(client_id, service_id)].append((starts_at, ends_at))
    found: dict[int, list[tuple[str, float, float]]] = {}
    for client in busy:
        services: dict[int, tuple[str, float, list[dict[str, list[am.Interval]]]]] = {}
        for monitor_id, service_id, created_at, name, promised in monitors[client.pk]:
            initial, changes = history.get((client.pk, monitor_id), (MONITOR_UNKNOWN, []))
            changes.sort(key=lambda change: change[0])
            begin = max(start, created_at)
            states = am.state_intervals(changes, initial, begin, now) if begin < now else {}
            services.setdefault(service_id, (name, promised, []))[2].append(states)
        for service_id, (name, promised, states_list) in services.items():
            maintenance = am.clip(am.merge(windows[(client.pk, service_id)]), start, now)
            measured, down, _maintained = am.figures(states_list, maintenance)
            value = am.percent(measured, down)
            if value is not None:
                found.setdefault(client.pk, []).append((name, float(value), promised))
    return found


def _read_availability(clients: Sequence[Client], ctx: Context) -> dict[int, Reading]:
    """Availability of each client service against its promise over the last closed month
    (services.infrastructure's stored `AvailabilityMonth`, whole-service rows; a month older
    than two months does not count) **and the current month to date** (computed live from the
    monitors' state history, as the monitoring module does). The worst service-month decides.
    A client without measured services — no monitors, or nothing measured yet — is no data."""
    first = ctx.now.year * 12 + ctx.now.month - 1 - AVAILABILITY_MONTHS_BACK
    figures: dict[int, list[tuple[str, float, float, str]]] = defaultdict(list)
    for client_id, name, percent, promised, year, month in per_schema(
        clients, "", AVAILABILITY_SELECT, first
    ):
        figures[client_id].append((name, float(percent), float(promised), f"{year}-{month:02d}"))
    utc_now = ctx.now.astimezone(UTC)  # monitoring's months are UTC months
    this_month = f"{utc_now.year}-{utc_now.month:02d} to date"
    for client_id, current in _current_month_availability(clients, ctx.now).items():
        figures[client_id].extend(
            (name, percent, promised, this_month) for name, percent, promised in current
        )
    found = {}
    for client_id, rows in figures.items():
        worst = min(rows, key=lambda f: (f[1] - f[2], f[3]))
        margin = round(worst[1] - worst[2], 3)
        met = sum(1 for f in rows if f[1] >= f[2])
        periods = " and ".join(sorted({f[3] for f in rows}))
        found[client_id] = Reading(
            value=margin,
            display=(
                f"{met} of {len(rows)} service-months met their promise ({periods}); "
                f"worst {worst[0]} {worst[1]:g} % vs {worst[2]:g} % promised in {worst[3]}"
            ),
            subscore=linear(margin, full_at=0.0, zero_at=-1.0),
        )
    return found


def cadence_days(client: Client, profile: ClientOutreach | None, settings: OutreachSettings) -> int:
    if profile is not None and profile.cadence_override_days:
        return profile.cadence_override_days
    return settings.cadence_for_tier(client.tier)


SIGNALS: dict[str, Signal] = {
    s.key: s
    for s in (
        Signal(
            "sla_compliance",
            "SLA compliance",
            "service desk",
            "100 at or above the SLA target (default 95 %), 0 at 25 points below, linear between",
            _read_sla_compliance,
            schema_tables=("support_slaoutcome",),
        ),
        Signal(
            "open_p1_p2",
            "Open P1/P2 tickets",
            "service desk",
            "100 with none open; −40 per open P1, −20 per open P2 (not below 0)",
            _read_open_p1_p2,
        ),
        Signal(
            "ticket_trend",
            "Ticket volume trend",
            "service desk",
            "tickets of the last 30 days against the client's own 180-day baseline: "
            "100 at or below baseline, 0 at twice the baseline, linear between",
            _read_ticket_trend,
        ),
        Signal(
            "checkin_recency",
            "Days since last check-in",
            "outreach",
            "100 within the cadence, 0 at twice the cadence, linear between",
            _read_checkin_recency,
        ),
        Signal(
            "sentiment",
            "Sentiment of recent check-ins",
            "outreach",
            "average of the last 3 check-ins in 180 days: positive 100, neutral 50, negative 0",
            _read_sentiment,
        ),
        Signal(
            "overdue_invoices",
            "Overdue invoices",
            "billing",
            "100 with nothing overdue; −25 per overdue invoice (not below 0)",
            _read_overdue_invoices,
        ),
        Signal(
            "security_incidents",
            "Security incidents",
            "security",
            "100 with none opened in 90 days; −40 per critical/high incident, −20 per other (not below 0)",
            _read_security_incidents,
            schema_tables=("security_securityincident",),
        ),
        Signal(
            "mfa_coverage",
            "MFA coverage",
            "security (identity provider import)",
            "latest coverage snapshot of 7 days: 100 at full coverage, 0 at 50 % or less, linear between",
            _read_mfa_coverage,
            schema_tables=("security_mfasnapshot",),
        ),
        Signal(
            "availability",
            "Availability vs promised",
            "infrastructure monitors",
            "last closed month (at most 2 months back) and the current month to date, worst "
            "service-month: 100 at or above the promised availability, 0 at 1 point below, "
            "linear between",
            _read_availability,
            schema_tables=(
                "infrastructure_clientservice",
                "infrastructure_availabilitymonth",
                "infrastructure_monitor",
                "infrastructure_monitorstatechange",
                "infrastructure_maintenancewindow",
            ),
        ),
    )
}


def register(signal: Signal) -> None:
    """Add or replace a provider (an app landing wires its signal here)."""
    SIGNALS[signal.key] = signal
