"""Bad catalog input is a typed field error with nothing written: names over the model's
limit, NUL bytes, window times that only look like HH:MM, SLA targets the engine can't use."""

from __future__ import annotations

import pytest

from core.errors import ActionError
from services.catalog.actions import MAX_TARGET_MINUTES, CalendarInput, WindowInput, save_business_calendar
from services.catalog.models import BusinessCalendar, SlaPolicy, SlaTarget
from tenants.models import AuditEvent

SAVE_CALENDAR = """mutation($input: CalendarInput!) { saveBusinessCalendar(input: $input) {
  calendar { id } errors { field code message } } }"""
SAVE_POLICY = """mutation($input: PolicyInput!) { saveSlaPolicy(input: $input) {
  policy { id } errors { field code message } } }"""
TARGETS = """mutation($policy: ID!, $targets: [TargetInput!]!) {
  saveSlaTargets(policyId: $policy, targets: $targets) { policy { id } errors { field code message } } }"""


def calendar_input(**overrides):
    return {
        "name": "Night desk",
        "timezone": "Europe/London",
        "windows": [{"weekday": day, "start": "09:00", "end": "17:00"} for day in range(5)],
        "closures": [{"date": "2026-12-24", "reason": "Party"}],
        **overrides,
    }


def targets(**p4):
    return [
        {"priority": "P1", "firstResponseMinutes": 15, "resolutionMinutes": 240},
        {"priority": "P2", "firstResponseMinutes": 30, "resolutionMinutes": 480},
        {"priority": "P3", "firstResponseMinutes": 240, "resolutionMinutes": 1440},
        {"priority": "P4", "resolutionMinutes": 2400, **p4},
    ]


def _first_error(payload):
    assert payload["errors"], payload
    return payload["errors"][0]["field"], payload["errors"][0]["code"]


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"name": "n" * 121}, "name", "TOO_LONG"),
        ({"name": "night\x00desk"}, "name", "INVALID"),
        ({"timezone": "Europe/" + "x" * 60}, "timezone", "TOO_LONG"),
        ({"holidayCountry": "GBR"}, "holidayCountry", "TOO_LONG"),
        ({"holidayCountry": "GB", "holidaySubdivision": "ENGLAND12"}, "holidaySubdivision", "TOO_LONG"),
        ({"closures": [{"date": "2026-12-24", "reason": "r" * 121}]}, "closures.reason", "TOO_LONG"),
        ({"windows": [{"weekday": 0, "start": "09:00\n", "end": "17:00"}]}, "windows.start", "TOO_LONG"),
        ({"windows": [{"weekday": 0, "start": "1０:00", "end": "17:00"}]}, "windows.0", "INVALID"),
    ],
)
def test_bad_calendar_text_is_a_field_error_and_nothing_is_saved(world, gql, overrides, field, code):
    before = (BusinessCalendar.objects.count(), AuditEvent.objects.count())
    payload = gql(world.admin).data(SAVE_CALENDAR, {"input": calendar_input(**overrides)})[
        "saveBusinessCalendar"
    ]
    assert _first_error(payload) == (field, code)
    assert (BusinessCalendar.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(("start", "end"), [("09:00\n", "17:00"), ("09:00", "17:00\n"), ("1０:00", "17:00")])
def test_window_times_are_exactly_hh_mm_in_the_action_too(world, start, end):
    """`$` matches before a trailing newline and `\\d` matches any Unicode digit: the action
    (also called outside GraphQL) must refuse both, not store 09:00 or 10:00."""
    data = CalendarInput(name="Strict", timezone="Europe/London", windows=[WindowInput(0, start, end)])
    with pytest.raises(ActionError) as refused:
        save_business_calendar(data, actor=world.admin)
    assert [(e.field, e.code) for e in refused.value.errors] == [("windows.0", "INVALID")]
    assert not BusinessCalendar.objects.filter(name="Strict").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"name": "p" * 121}, "name", "TOO_LONG"),
        ({"name": "Gold\x00"}, "name", "INVALID"),
        ({"description": "d\x00"}, "description", "INVALID"),
    ],
)
def test_bad_policy_text_is_a_field_error_and_nothing_is_saved(world, gql, overrides, field, code):
    calendar = BusinessCalendar.objects.get(name="UK business hours")
    before = SlaPolicy.objects.count()
    variables = {"input": {"name": "Gold", "calendarId": str(calendar.pk), "targets": targets(), **overrides}}
    payload = gql(world.admin).data(SAVE_POLICY, variables)["saveSlaPolicy"]
    assert _first_error(payload) == (field, code)
    assert SlaPolicy.objects.count() == before


@pytest.mark.parametrize("minutes", [2_147_483_647, MAX_TARGET_MINUTES + 1])
def test_targets_beyond_the_documented_bound_are_refused(world, gql, minutes):
    policy = SlaPolicy.objects.get(name="Standard")
    before = list(SlaTarget.objects.filter(policy=policy).values_list("priority", "resolution_minutes"))
    payload = gql(world.admin).data(
        TARGETS, {"policy": str(policy.pk), "targets": targets(resolutionMinutes=minutes)}
    )["saveSlaTargets"]
    assert _first_error(payload) == ("targets.P4.resolutionMinutes", "INVALID")
    assert (
        list(SlaTarget.objects.filter(policy=policy).values_list("priority", "resolution_minutes")) == before
    )


def test_the_bound_itself_is_accepted_on_a_business_hours_calendar(world, gql):
    policy = SlaPolicy.objects.get(name="Standard")
    payload = gql(world.admin).data(
        TARGETS, {"policy": str(policy.pk), "targets": targets(resolutionMinutes=MAX_TARGET_MINUTES)}
    )["saveSlaTargets"]
    assert payload["errors"] == []


def test_a_target_the_calendar_cannot_reach_is_refused(world, gql):
    """A calendar open one minute a week can't give a year of business minutes within the
    engine's horizon: the engine's own computation refuses it, as a field error."""
    admin = gql(world.admin)
    calendar = admin.data(
        SAVE_CALENDAR, {"input": calendar_input(windows=[{"weekday": 2, "start": "12:00", "end": "12:01"}])}
    )["saveBusinessCalendar"]["calendar"]
    created = admin.data(
        SAVE_POLICY,
        {
            "input": {
                "name": "Sparse",
                "calendarId": calendar["id"],
                "targets": targets(resolutionMinutes=MAX_TARGET_MINUTES),
            }
        },
    )["saveSlaPolicy"]
    assert _first_error(created) == ("targets.P4.resolutionMinutes", "INVALID")
    assert not SlaPolicy.objects.filter(name="Sparse").exists()
