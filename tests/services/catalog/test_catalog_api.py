"""MSP admins edit calendars, policy targets, the triage matrix and clients' SLA choice."""

from __future__ import annotations

from datetime import UTC, datetime

from django_tenants.utils import tenant_context

from services.catalog.models import BusinessCalendar, SlaPolicy, SlaTarget
from services.support.actions import NewTicket, create_ticket

SAVE_CALENDAR = """mutation($input: CalendarInput!) { saveBusinessCalendar(input: $input) {
  calendar { id name windows { weekday start end } closures { date reason } } errors { field code message } } }"""


def calendar_input(**overrides):
    return {
        "name": "New York support desk",
        "timezone": "America/New_York",
        "holidayCountry": "US",
        "holidaySubdivision": "NY",
        "windows": [{"weekday": day, "start": "08:00", "end": "12:00"} for day in range(5)]
        + [{"weekday": day, "start": "13:00", "end": "18:00"} for day in range(5)],
        "closures": [{"date": "2026-12-24", "reason": "Office party"}],
        **overrides,
    }


def test_admin_creates_and_edits_a_calendar_with_split_shifts(world, gql):
    admin = gql(world.admin)
    created = admin.data(SAVE_CALENDAR, {"input": calendar_input()})["saveBusinessCalendar"]
    assert created["errors"] == [] and len(created["calendar"]["windows"]) == 10
    edited = admin.data(
        SAVE_CALENDAR,
        {
            "input": calendar_input(
                id=created["calendar"]["id"], windows=[{"weekday": 5, "start": "22:00", "end": "24:00"}]
            )
        },
    )["saveBusinessCalendar"]
    assert edited["calendar"]["windows"] == [{"weekday": 5, "start": "22:00", "end": "24:00"}]
    assert BusinessCalendar.objects.filter(name="New York support desk").count() == 1


def test_bad_calendars_are_refused_with_nothing_saved(world, gql):
    admin = gql(world.admin)
    cases = [
        (calendar_input(name=""), "name", "REQUIRED"),
        (calendar_input(name="UK business hours"), "name", "DUPLICATE"),
        (calendar_input(windows=[{"weekday": 0, "start": "17:00", "end": "09:00"}]), "windows.0", "INVALID"),
        (calendar_input(windows=[{"weekday": 9, "start": "09:00", "end": "17:00"}]), "windows.0", "INVALID"),
        (calendar_input(windows=[{"weekday": 0, "start": "9am", "end": "17:00"}]), "windows.0", "INVALID"),
        (calendar_input(timezone="Mars/Base"), "timezone", "INVALID"),
        (calendar_input(holidayCountry="XX"), "holidayCountry", "INVALID"),
        (calendar_input(holidaySubdivision="ZZ"), "holidaySubdivision", "INVALID"),
        (calendar_input(closures=[{"date": "2026-12-24"}, {"date": "2026-12-24"}]), "closures.1", "INVALID"),
        (
            calendar_input(
                windows=[
                    {"weekday": 0, "start": "09:00", "end": "12:00"},
                    {"weekday": 0, "start": "11:00", "end": "13:00"},
                ]
            ),
            None,
            "INVALID",
        ),
        (calendar_input(windows=[]), None, "INVALID"),
    ]
    before = BusinessCalendar.objects.count()
    for variables, field, code in cases:
        errors = admin.data(SAVE_CALENDAR, {"input": variables})["saveBusinessCalendar"]["errors"]
        assert (errors[0]["field"], errors[0]["code"]) == (field, code), (variables, errors)
    assert BusinessCalendar.objects.count() == before


def test_only_admins_change_the_catalog(world, gql):
    for user in (world.technician, world.account_manager):
        errors = gql(user).data(SAVE_CALENDAR, {"input": calendar_input()})["saveBusinessCalendar"]["errors"]
        assert errors[0]["code"] == "PERMISSION_DENIED"
    result = gql(world.a_lead, host=world.a).execute("{ slaCatalog { policies { name } } }")
    assert result["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


TARGETS = """mutation($policy: ID!, $targets: [TargetInput!]!, $warn: [Float!]) {
  saveSlaTargets(policyId: $policy, targets: $targets, warningThresholds: $warn) {
    policy { warningThresholds targets { priority firstResponseMinutes aroundTheClock } } errors { field code } } }"""


def _targets(p2_first=30):
    return [
        {"priority": "P1", "firstResponseMinutes": 15, "resolutionMinutes": 240, "aroundTheClock": True},
        {
            "priority": "P2",
            "firstResponseMinutes": p2_first,
            "nextUpdateMinutes": 120,
            "resolutionMinutes": 480,
        },
        {"priority": "P3", "firstResponseMinutes": 240, "resolutionMinutes": 1440},
        {"priority": "P4", "resolutionMinutes": 2400},
    ]


def test_targets_are_replaced_and_zero_is_refused(world, gql):
    policy = SlaPolicy.objects.get(name="Standard")
    admin = gql(world.admin)
    saved = admin.data(TARGETS, {"policy": str(policy.pk), "targets": _targets(), "warn": [0.5, 0.8]})[
        "saveSlaTargets"
    ]
    assert saved["errors"] == [] and saved["policy"]["warningThresholds"] == [0.5, 0.8]
    assert SlaTarget.objects.get(policy=policy, priority="P2").first_response_minutes == 30
    zero = admin.data(TARGETS, {"policy": str(policy.pk), "targets": _targets(p2_first=0)})["saveSlaTargets"]
    assert zero["errors"][0]["field"] == "targets.P2.firstResponseMinutes"
    missing = admin.data(TARGETS, {"policy": str(policy.pk), "targets": _targets()[:3]})["saveSlaTargets"]
    assert missing["errors"][0]["field"] == "targets"
    bad_warn = admin.data(TARGETS, {"policy": str(policy.pk), "targets": _targets(), "warn": [0.9, 0.5]})[
        "saveSlaTargets"
    ]
    assert bad_warn["errors"][0]["field"] == "warningThresholds"
    assert SlaTarget.objects.get(policy=policy, priority="P2").first_response_minutes == 30


def test_triage_matrix_cell_changes_new_tickets(world, gql):
    admin = gql(world.admin)
    cell = admin.data(
        "mutation { saveTriageRule(impact: LOW, urgency: LOW, priority: P2) { cell { priority configured } errors { code } } }"
    )
    assert cell["saveTriageRule"]["cell"] == {"priority": "P2", "configured": True}
    matrix = admin.data("{ slaCatalog { triageMatrix { impact urgency priority configured } } }")[
        "slaCatalog"
    ]["triageMatrix"]
    assert {"impact": "LOW", "urgency": "LOW", "priority": "P2", "configured": True} in matrix
    with tenant_context(world.a):
        ticket = create_ticket(world.a, NewTicket(title="x", impact="low", urgency="low"), actor=world.a_lead)
    assert ticket.priority == "P2" and ticket.priority_reason["source"] == "matrix"


def test_client_sla_default_explicit_policy_and_no_sla(world, gql):
    admin = gql(world.admin)
    assert admin.data('{ clientSla(clientSlug: "alpha") { explicit policy { name } } }')["clientSla"] == {
        "explicit": False,
        "policy": {"name": "Standard"},
    }
    none = admin.data(
        'mutation { setClientSla(clientSlug: "alpha", noSla: true) { clientSla { explicit policy { name } } errors { code } } }'
    )
    assert none["setClientSla"]["clientSla"] == {"explicit": True, "policy": None}
    with tenant_context(world.a):
        ticket = create_ticket(
            world.a, NewTicket(title="No SLA"), actor=world.a_lead, now=datetime(2026, 11, 24, 10, tzinfo=UTC)
        )
    assert ticket.sla_policy_id is None
    # A client IT lead sees their own SLA but cannot change it.
    assert (
        gql(world.a_lead, host=world.a).data("{ clientSla { policy { name } } }")["clientSla"]["policy"]
        is None
    )
    denied = gql(world.a_lead, host=world.a).data(
        'mutation { setClientSla(clientSlug: "alpha") { errors { code } } }'
    )
    assert denied["setClientSla"]["errors"][0]["code"] == "PERMISSION_DENIED"
    back = admin.data(
        'mutation { setClientSla(clientSlug: "alpha") { clientSla { explicit } errors { code } } }'
    )
    assert back["setClientSla"]["clientSla"]["explicit"] is False


def test_admin_creates_a_policy_and_makes_it_the_default(world, gql):
    admin = gql(world.admin)
    calendar = BusinessCalendar.objects.get(name="UK business hours")
    query = """mutation($input: PolicyInput!) { saveSlaPolicy(input: $input) {
      policy { id name isDefault targets { priority resolutionMinutes } } errors { field code } } }"""
    missing = admin.data(query, {"input": {"name": "Premium", "calendarId": str(calendar.pk)}})[
        "saveSlaPolicy"
    ]
    assert missing["errors"][0]["field"] == "targets"
    created = admin.data(
        query,
        {
            "input": {
                "name": "Premium",
                "calendarId": str(calendar.pk),
                "isDefault": True,
                "targets": _targets(),
            }
        },
    )["saveSlaPolicy"]
    assert created["errors"] == [] and created["policy"]["isDefault"] is True
    assert len(created["policy"]["targets"]) == 4
    assert SlaPolicy.objects.get(name="Standard").is_default is False
    duplicate = admin.data(
        query, {"input": {"name": "Standard", "calendarId": str(calendar.pk), "targets": _targets()}}
    )
    assert duplicate["saveSlaPolicy"]["errors"][0]["code"] == "DUPLICATE"
    with tenant_context(world.a):
        ticket = create_ticket(world.a, NewTicket(title="On premium"), actor=world.a_lead)
    assert ticket.sla_policy_id == int(created["policy"]["id"])
