"""Build the pure engine's calendar and policy objects from catalog rows.

Engine objects are immutable and memoise business-day arithmetic, so one process keeps
them per (row, version) instead of rebuilding them per ticket.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

from services.catalog.models import BusinessCalendar, ClientSla, SlaPolicy, SlaTarget
from services.sla import engine
from tenants.models import Client

SECONDS_PER_MINUTE = 60


def _time_text(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def engine_calendar(calendar: BusinessCalendar) -> engine.BusinessCalendar:
    """The engine calendar for a catalog calendar (windows and closures must be loaded)."""
    if calendar.always_open:
        return engine.BusinessCalendar.twenty_four_seven(calendar.timezone, name=calendar.name)
    weekly: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for window in calendar.windows.all():
        weekly[window.weekday].append((_time_text(window.start_minute), _time_text(window.end_minute)))
    return engine.BusinessCalendar(
        calendar.timezone,
        weekly,
        holiday_country=calendar.holiday_country or None,
        holiday_subdivision=calendar.holiday_subdivision or None,
        closure_dates=[closure.date for closure in calendar.closures.all()],
        name=calendar.name,
    )


def _policy_version(policy: SlaPolicy) -> tuple[object, ...]:
    calendar = policy.calendar
    return (
        policy.pk,
        policy.name,
        calendar.pk,
        calendar.timezone,
        calendar.always_open,
        calendar.holiday_country,
        calendar.holiday_subdivision,
        tuple((w.weekday, w.start_minute, w.end_minute) for w in calendar.windows.all()),
        tuple(c.date for c in calendar.closures.all()),
        tuple(
            (
                t.priority,
                t.first_response_minutes,
                t.next_update_minutes,
                t.resolution_minutes,
                t.around_the_clock,
            )
            for t in policy.targets.all()
        ),
    )


def load_policy(policy_id: int) -> SlaPolicy:
    return (
        SlaPolicy.objects.select_related("calendar")
        .prefetch_related("targets", "calendar__windows", "calendar__closures")
        .get(pk=policy_id)
    )


def engine_policy(policy: SlaPolicy) -> engine.SlaPolicy:
    """The engine policy for a catalog policy (loaded with `load_policy`)."""
    return _engine_policy_cached(_policy_version(policy), policy)


@lru_cache(maxsize=256)
def _engine_policy_cached(version: tuple[object, ...], policy: SlaPolicy) -> engine.SlaPolicy:
    calendar = engine_calendar(policy.calendar)
    around_the_clock = engine.BusinessCalendar.twenty_four_seven(policy.calendar.timezone)

    def seconds(minutes: int | None) -> int | None:
        return None if minutes is None else minutes * SECONDS_PER_MINUTE

    targets: dict[str, engine.PriorityTargets] = {}
    target: SlaTarget
    for target in policy.targets.all():
        targets[target.priority] = engine.PriorityTargets(
            first_response_seconds=seconds(target.first_response_minutes),
            next_update_seconds=seconds(target.next_update_minutes),
            resolution_seconds=seconds(target.resolution_minutes),
            calendar=around_the_clock if target.around_the_clock else None,
        )
    return engine.SlaPolicy(name=policy.name, calendar=calendar, targets=targets)


def effective_policy_id(client: Client) -> int | None:
    """The client's SLA policy: its explicit choice (None = explicit "no SLA"), else the default."""
    return effective_policy_choice(client)[0]


def effective_policy_choice(client: Client) -> tuple[int | None, bool]:
    """`effective_policy_id` and whether the client chose it explicitly (one read of its setting)."""
    setting = ClientSla.objects.filter(client=client).first()
    if setting is not None:
        return setting.policy_id, True
    return SlaPolicy.objects.filter(is_default=True).values_list("pk", flat=True).first(), False
