"""Catalog use cases for MSP admins: calendars, policy targets, the triage matrix and each
client's SLA choice. Every change is validated by building the engine's own objects, so
what is saved is exactly what the SLA engine will accept."""

from __future__ import annotations

import re
import zoneinfo
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import holidays
from django.db import transaction

from core.errors import ActionError, FieldError
from services.catalog.models import (
    BusinessCalendar,
    CalendarClosure,
    ClientSla,
    Impact,
    Priority,
    SlaPolicy,
    SlaTarget,
    TriageRule,
    Urgency,
    WorkingWindow,
)
from services.sla import engine
from services.sla.engine.warning_stages import normalise_fractions
from tenants.access import ensure_client_writable
from tenants.actions import record_audit
from tenants.models import Client, User

TIME_OF_DAY = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")


@dataclass(frozen=True)
class WindowInput:
    weekday: int
    start: str  # "HH:MM"
    end: str  # "HH:MM" or "24:00"


@dataclass(frozen=True)
class ClosureInput:
    date: date
    reason: str = ""


@dataclass(frozen=True)
class CalendarInput:
    name: str
    timezone: str
    always_open: bool = False
    holiday_country: str = ""
    holiday_subdivision: str = ""
    windows: Sequence[WindowInput] = ()
    closures: Sequence[ClosureInput] = ()


def _minute(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def save_business_calendar(
    data: CalendarInput, *, actor: User, calendar_id: int | None = None
) -> BusinessCalendar:
    """Create or replace a calendar's definition (windows and closures as given)."""
    errors: list[FieldError] = []
    name = data.name.strip()
    if not name:
        errors.append(FieldError("REQUIRED", "Name the calendar.", "name"))
    elif BusinessCalendar.objects.filter(name=name).exclude(pk=calendar_id or 0).exists():
        errors.append(FieldError("DUPLICATE", f"A calendar called '{name}' already exists.", "name"))
    for index, window in enumerate(data.windows):
        if window.weekday not in range(7):
            errors.append(
                FieldError("INVALID", "Weekdays run from 0 (Monday) to 6 (Sunday).", f"windows.{index}")
            )
        elif (
            not TIME_OF_DAY.match(window.start)
            or not TIME_OF_DAY.match(window.end)
            or window.start == "24:00"
        ):
            errors.append(
                FieldError("INVALID", "Write times as HH:MM (end of day is 24:00).", f"windows.{index}")
            )
        elif _minute(window.start) >= _minute(window.end):
            errors.append(FieldError("INVALID", "A window must end after it starts.", f"windows.{index}"))
    if data.timezone not in zoneinfo.available_timezones():
        errors.append(
            FieldError(
                "INVALID", f"'{data.timezone}' is not an IANA time zone (e.g. Europe/London).", "timezone"
            )
        )
    if data.holiday_country:
        supported = holidays.list_supported_countries()
        country = data.holiday_country.upper()
        if country not in supported:
            errors.append(
                FieldError(
                    "INVALID", f"No public holidays are known for '{data.holiday_country}'.", "holidayCountry"
                )
            )
        elif data.holiday_subdivision and data.holiday_subdivision.upper() not in supported[country]:
            errors.append(
                FieldError(
                    "INVALID",
                    f"'{data.holiday_subdivision}' is not a region of {country}.",
                    "holidaySubdivision",
                )
            )
    elif data.holiday_subdivision:
        errors.append(FieldError("INVALID", "Choose the country of that region first.", "holidayCountry"))
    seen_dates: set[date] = set()
    for index, closure in enumerate(data.closures):
        if closure.date in seen_dates:
            errors.append(
                FieldError("INVALID", f"{closure.date:%d %b %Y} is listed twice.", f"closures.{index}")
            )
        seen_dates.add(closure.date)
    if errors:
        raise ActionError(errors)
    weekly: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for window in data.windows:
        weekly[window.weekday].append((window.start, window.end))
    try:
        engine.BusinessCalendar(
            data.timezone,
            weekly,
            holiday_country=data.holiday_country or None,
            holiday_subdivision=data.holiday_subdivision or None,
            closure_dates=[closure.date for closure in data.closures],
            always_open=data.always_open,
            name=name,
        )
    except engine.CalendarError as exc:
        raise ActionError.single("INVALID", f"This calendar cannot be used: {exc}.", None) from None
    with transaction.atomic():
        if calendar_id is None:
            calendar = BusinessCalendar(name=name)
        else:
            found = BusinessCalendar.objects.select_for_update().filter(pk=calendar_id).first()
            if found is None:
                raise ActionError.single("NOT_FOUND", "No such calendar.", "id")
            calendar = found
        calendar.name = name
        calendar.timezone = data.timezone
        calendar.always_open = data.always_open
        calendar.holiday_country = data.holiday_country.upper()
        calendar.holiday_subdivision = data.holiday_subdivision.upper()
        calendar.save()
        calendar.windows.all().delete()
        calendar.closures.all().delete()
        WorkingWindow.objects.bulk_create(
            WorkingWindow(
                calendar=calendar, weekday=w.weekday, start_minute=_minute(w.start), end_minute=_minute(w.end)
            )
            for w in data.windows
        )
        CalendarClosure.objects.bulk_create(
            CalendarClosure(calendar=calendar, date=c.date, reason=c.reason.strip()[:120])
            for c in data.closures
        )
        record_audit("catalog.calendar_saved", actor=actor, calendar=calendar.pk, name=name)
    return calendar


@dataclass(frozen=True)
class TargetInput:
    priority: str
    first_response_minutes: int | None
    next_update_minutes: int | None
    resolution_minutes: int | None
    around_the_clock: bool = False


def save_policy_targets(
    policy_id: int,
    targets: Sequence[TargetInput],
    *,
    actor: User,
    warning_thresholds: Sequence[float] | None = None,
) -> SlaPolicy:
    """Replace a policy's targets (all four priorities) and optionally its warning thresholds.

    Open tickets keep their event logs: their clocks are recomputed under the new targets
    the next time they change (SLA convention 9: consumed time and pauses survive)."""
    errors: list[FieldError] = []
    seen = {target.priority for target in targets}
    if seen != set(Priority.values) or len(targets) != len(Priority.values):
        errors.append(FieldError("INVALID", "Give targets for each of P1, P2, P3 and P4 once.", "targets"))
    for target in targets:
        for field, value in (
            ("firstResponseMinutes", target.first_response_minutes),
            ("nextUpdateMinutes", target.next_update_minutes),
            ("resolutionMinutes", target.resolution_minutes),
        ):
            if value is not None and value <= 0:
                errors.append(
                    FieldError(
                        "INVALID",
                        f"{target.priority}: targets are positive minutes; leave a target empty for none.",
                        f"targets.{target.priority}.{field}",
                    )
                )
    if warning_thresholds is not None:
        try:
            normalise_fractions(warning_thresholds)
        except ValueError:
            errors.append(
                FieldError(
                    "INVALID",
                    "Warn at increasing fractions between 0 and 1, e.g. 0.75, 0.9.",
                    "warningThresholds",
                )
            )
    if errors:
        raise ActionError(errors)
    with transaction.atomic():
        policy = SlaPolicy.objects.select_for_update().filter(pk=policy_id).first()
        if policy is None:
            raise ActionError.single("NOT_FOUND", "No such SLA policy.", "policyId")
        if warning_thresholds is not None:
            policy.warning_thresholds = list(warning_thresholds)
            policy.save(update_fields=["warning_thresholds"])
        policy.targets.all().delete()
        SlaTarget.objects.bulk_create(
            SlaTarget(
                policy=policy,
                priority=t.priority,
                first_response_minutes=t.first_response_minutes,
                next_update_minutes=t.next_update_minutes,
                resolution_minutes=t.resolution_minutes,
                around_the_clock=t.around_the_clock,
            )
            for t in targets
        )
        record_audit("catalog.policy_targets_saved", actor=actor, policy=policy.pk)
    return policy


def save_triage_rule(impact: str, urgency: str, priority: str, *, actor: User) -> TriageRule:
    """Set one cell of the impact × urgency matrix."""
    errors = []
    if impact not in Impact.values:
        errors.append(FieldError("INVALID", "Choose an impact.", "impact"))
    if urgency not in Urgency.values:
        errors.append(FieldError("INVALID", "Choose an urgency.", "urgency"))
    if priority not in Priority.values:
        errors.append(FieldError("INVALID", "Choose a priority.", "priority"))
    if errors:
        raise ActionError(errors)
    rule, _ = TriageRule.objects.update_or_create(
        impact=impact, urgency=urgency, defaults={"priority": priority}
    )
    record_audit("catalog.triage_rule_saved", actor=actor, impact=impact, urgency=urgency, priority=priority)
    return rule


def set_client_sla(
    client: Client, *, actor: User, policy_id: int | None, no_sla: bool = False
) -> ClientSla | None:
    """A client's SLA: a policy, an explicit "no SLA", or (neither) the MSP's default.

    New tickets use it; open tickets keep the policy they were raised under."""
    ensure_client_writable(client)
    if policy_id is not None and no_sla:
        raise ActionError.single("INVALID", "Choose a policy or 'no SLA', not both.", "policyId")
    if policy_id is not None and not SlaPolicy.objects.filter(pk=policy_id).exists():
        raise ActionError.single("NOT_FOUND", "No such SLA policy.", "policyId")
    with transaction.atomic():
        if policy_id is None and not no_sla:
            ClientSla.objects.filter(client=client).delete()
            setting = None
        else:
            setting, _ = ClientSla.objects.update_or_create(client=client, defaults={"policy_id": policy_id})
        record_audit("catalog.client_sla_set", actor=actor, client=client, policy=policy_id, no_sla=no_sla)
    return setting


@dataclass(frozen=True)
class PolicyInput:
    name: str
    calendar_id: int
    description: str = ""
    is_default: bool = False


def save_sla_policy(
    data: PolicyInput,
    *,
    actor: User,
    policy_id: int | None = None,
    targets: Sequence[TargetInput] | None = None,
) -> SlaPolicy:
    """Create a policy (with targets for all four priorities) or rename/re-home one; making it
    the default takes the default from the previous one."""
    errors: list[FieldError] = []
    name = data.name.strip()
    if not name:
        errors.append(FieldError("REQUIRED", "Name the policy.", "name"))
    elif SlaPolicy.objects.filter(name=name).exclude(pk=policy_id or 0).exists():
        errors.append(FieldError("DUPLICATE", f"A policy called '{name}' already exists.", "name"))
    if not BusinessCalendar.objects.filter(pk=data.calendar_id).exists():
        errors.append(FieldError("INVALID", "Choose a business calendar.", "calendarId"))
    if policy_id is None and targets is None:
        errors.append(FieldError("REQUIRED", "A new policy needs targets for P1–P4.", "targets"))
    if errors:
        raise ActionError(errors)
    with transaction.atomic():
        if policy_id is None:
            policy = SlaPolicy(warning_thresholds=[0.75, 0.9])
        else:
            found = SlaPolicy.objects.select_for_update().filter(pk=policy_id).first()
            if found is None:
                raise ActionError.single("NOT_FOUND", "No such SLA policy.", "id")
            policy = found
        if data.is_default:
            SlaPolicy.objects.filter(is_default=True).exclude(pk=policy.pk).update(is_default=False)
        policy.name, policy.description, policy.calendar_id = name, data.description.strip(), data.calendar_id
        policy.is_default = data.is_default or (policy.pk is not None and policy.is_default)
        policy.save()
        record_audit("catalog.policy_saved", actor=actor, policy=policy.pk, name=name)
        if targets is not None:
            save_policy_targets(policy.pk, targets, actor=actor)
    return policy
