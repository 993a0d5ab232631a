"""Check-ins, cadence, follow-ups and their tickets — through the API, with bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from services.outreach import actions
from services.outreach.models import CheckIn, ClientOutreach, FollowUp, OutreachSettings
from services.support.models import Ticket
from tenants.models import Client

LOG = """
mutation($input: LogCheckInInput!) {
  logCheckIn(input: $input) {
    checkIn { id kind status subject notes sentiment contacts { id name } owner { email } }
    errors { field code message }
  }
}
"""


def _log(graphql, **input):
    return graphql.data(
        LOG, {"input": {"clientSlug": "alpha", "kind": "CALL", "subject": "Quarterly chat", **input}}
    )["logCheckIn"]


def test_account_manager_logs_a_check_in_with_contacts_sentiment_and_follow_ups(world, gql, a_contact):
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    payload = _log(
        gql(world.account_manager),
        notes="Printer fleet ageing; wants a quote.",
        sentiment="POSITIVE",
        contactIds=[str(a_contact.pk)],
        followUps=[{"title": "Quote for printers", "dueOn": due}],
    )
    assert payload["errors"] == []
    checkin = payload["checkIn"]
    assert (checkin["kind"], checkin["status"], checkin["sentiment"]) == ("CALL", "DONE", "POSITIVE")
    assert checkin["contacts"] == [{"id": str(a_contact.pk), "name": a_contact.full_name}]
    follow_up = FollowUp.objects.get(client=world.a)
    assert (follow_up.title, follow_up.owner_id, follow_up.due_on.isoformat()) == (
        "Quote for printers",
        world.account_manager.pk,
        due,
    )
    profile = ClientOutreach.objects.get(client=world.a)
    assert profile.last_checkin_at is not None
    # Standard tier: the documented 90 days from today.
    assert profile.next_due_on == timezone.localdate() + timedelta(days=90)


@pytest.mark.parametrize(
    ("extra", "field", "code"),
    [
        ({"followUps": [{"title": "Late", "dueOn": "2020-01-01"}]}, "followUps.0.dueOn", "IN_THE_PAST"),
        ({"subject": "  "}, "subject", "REQUIRED"),
        ({"subject": "x" * 201}, "subject", "TOO_LONG"),
        ({"notes": "bad\x00byte"}, "notes", "INVALID"),
        ({"contactIds": ["999999"]}, "contactIds", "NOT_FOUND"),
        ({"contactIds": ["not-an-id"]}, "contactIds", "INVALID"),
        ({"scheduledFor": "2020-01-01T10:00:00+00:00"}, "scheduledFor", "IN_THE_PAST"),
        ({"inviteContactIds": ["1"]}, "inviteContactIds", "INVALID"),  # a held call invites nobody
        ({"durationMinutes": 0}, "durationMinutes", "INVALID"),
    ],
)
def test_bad_check_in_input_is_a_typed_error_and_writes_nothing(world, gql, extra, field, code):
    payload = gql(world.account_manager).data(
        LOG, {"input": {"clientSlug": "alpha", "kind": "CALL", "subject": "Chat", **extra}}
    )["logCheckIn"]
    assert payload["checkIn"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert not CheckIn.objects.exists() and not FollowUp.objects.exists()


def test_a_contact_of_another_client_is_refused(world, gql, b_contact):
    payload = _log(gql(world.account_manager), contactIds=[str(b_contact.pk + 1000)])
    assert payload["errors"][0]["code"] == "NOT_FOUND"


CADENCE = """
mutation($slug: String!, $days: Int) {
  setCheckInCadence(clientSlug: $slug, days: $days) {
    cadenceDays cadenceOverrideDays nextDueOn errors { field code }
  }
}
"""


def test_cadence_comes_from_the_tier_and_the_account_manager_overrides_it(world, gql):
    graphql = gql(world.account_manager)
    payload = graphql.data(CADENCE, {"slug": "alpha", "days": 14})["setCheckInCadence"]
    assert (payload["cadenceDays"], payload["cadenceOverrideDays"], payload["errors"]) == (14, 14, [])
    payload = graphql.data(CADENCE, {"slug": "alpha", "days": None})["setCheckInCadence"]
    assert (payload["cadenceDays"], payload["cadenceOverrideDays"]) == (90, None)
    Client.objects.filter(pk=world.a.pk).update(tier="premium")
    assert graphql.data(CADENCE, {"slug": "alpha", "days": None})["setCheckInCadence"]["cadenceDays"] == 30


@pytest.mark.parametrize("days", [0, -3, 367])
def test_an_impossible_cadence_is_refused(world, gql, days):
    payload = gql(world.account_manager).data(CADENCE, {"slug": "alpha", "days": days})["setCheckInCadence"]
    assert payload["errors"] == [{"field": "days", "code": "INVALID"}]
    assert not ClientOutreach.objects.filter(cadence_override_days__isnull=False).exists()


def test_an_account_manager_outside_the_book_and_technicians_are_refused(
    world, gql, staff_gql, other_manager
):
    for graphql in (staff_gql(other_manager), gql(world.technician), gql(world.a_lead, host=world.a)):
        result = graphql.execute(CADENCE, {"slug": "alpha", "days": 10})
        payload = (result.get("data") or {}).get("setCheckInCadence")
        assert payload is None or payload["errors"][0]["code"] in ("NOT_FOUND", "PERMISSION_DENIED")
    assert not ClientOutreach.objects.filter(cadence_override_days=10).exists()


TO_TICKET = """
mutation($id: ID!, $contact: ID) {
  createTicketFromFollowUp(followUpId: $id, requesterContactId: $contact) {
    followUp { ticketNumber title } errors { field code }
  }
}
"""


def test_a_follow_up_becomes_a_ticket_in_one_step_and_keeps_its_number(world, gql, a_contact):
    graphql = gql(world.account_manager)
    _log(
        graphql,
        contactIds=[str(a_contact.pk)],
        followUps=[{"title": "Replace the NAS", "dueOn": (date.today() + timedelta(days=3)).isoformat()}],
    )
    follow_up = FollowUp.objects.get(client=world.a)
    payload = graphql.data(TO_TICKET, {"id": str(follow_up.pk)})["createTicketFromFollowUp"]
    assert payload["errors"] == []
    number = payload["followUp"]["ticketNumber"]
    with tenant_context(world.a):
        ticket = Ticket.objects.get(number=number)
        assert (ticket.title, ticket.requester_id, ticket.category) == (
            "Replace the NAS",
            a_contact.pk,
            "Account management",
        )
    # Asked again: the same ticket, none more.
    again = graphql.data(TO_TICKET, {"id": str(follow_up.pk)})["createTicketFromFollowUp"]
    assert again["followUp"]["ticketNumber"] == number
    with tenant_context(world.a):
        assert Ticket.objects.count() == 1


def test_a_follow_up_without_a_contact_asks_for_one(world, gql):
    follow_up = actions.add_follow_up(
        world.a,
        actor=world.account_manager,
        data=actions.NewFollowUp(title="Call back", due_on=timezone.localdate()),
    )
    payload = gql(world.account_manager).data(TO_TICKET, {"id": str(follow_up.pk)})[
        "createTicketFromFollowUp"
    ]
    assert payload["errors"] == [{"field": "requesterContactId", "code": "REQUIRED"}]
    with tenant_context(world.a):
        assert not Ticket.objects.exists()


def test_assigning_the_account_manager_is_for_msp_admins(world, gql, staff_gql, other_manager):
    mutation = """mutation($slug: String!, $id: ID) {
      assignAccountManager(clientSlug: $slug, accountManagerId: $id) { clientSlug errors { code } } }"""
    refused = gql(world.account_manager).data(mutation, {"slug": "alpha", "id": str(other_manager.pk)})
    assert refused["assignAccountManager"]["errors"][0]["code"] == "PERMISSION_DENIED"
    bad = gql(world.admin).data(mutation, {"slug": "alpha", "id": str(world.technician.pk)})
    assert bad["assignAccountManager"]["errors"][0]["code"] == "INVALID"
    done = gql(world.admin).data(mutation, {"slug": "alpha", "id": str(other_manager.pk)})
    assert done["assignAccountManager"]["errors"] == []
    assert Client.objects.get(pk=world.a.pk).account_manager_id == other_manager.pk
    # Now A is Otto's book, not Amy's.
    assert (
        staff_gql(other_manager).data(CADENCE, {"slug": "alpha", "days": 20})["setCheckInCadence"]["errors"]
        == []
    )
    assert (
        gql(world.account_manager).data(CADENCE, {"slug": "alpha", "days": 21})["setCheckInCadence"][
            "errors"
        ][0]["code"]
        == "NOT_FOUND"
    )


def test_settings_are_validated_all_or_nothing(world, gql):
    mutation = """mutation($input: OutreachSettingsInput!) {
      updateOutreachSettings(input: $input) { ok errors { field code } } }"""
    bad = gql(world.admin).data(
        mutation,
        {"input": {"premiumCadenceDays": 0, "weights": [{"key": "made_up", "weight": 5}]}},
    )["updateOutreachSettings"]
    assert {e["code"] for e in bad["errors"]} == {"INVALID", "UNKNOWN_SIGNAL"}
    assert OutreachSettings.current().premium_cadence_days == 30
    ok = gql(world.admin).data(
        mutation, {"input": {"premiumCadenceDays": 21, "weights": [{"key": "sentiment", "weight": 30}]}}
    )["updateOutreachSettings"]
    assert ok["errors"] == []
    settings = OutreachSettings.current()
    assert (settings.premium_cadence_days, settings.weight("sentiment")) == (21, 30)
    refused = gql(world.account_manager).data(mutation, {"input": {"premiumCadenceDays": 10}})
    assert refused["updateOutreachSettings"]["errors"][0]["code"] == "PERMISSION_DENIED"


def test_the_admin_form_validates_settings_like_the_api(world):
    from services.outreach.admin import OutreachSettingsForm

    base = {
        "premium_cadence_days": 30,
        "standard_cadence_days": 90,
        "essential_cadence_days": 180,
        "reminder_days_before": 3,
        "weights": "{}",
        "thresholds": "{}",
    }
    assert OutreachSettingsForm(data=base, instance=OutreachSettings.current()).is_valid()
    for bad in (
        {"premium_cadence_days": 0},
        {"weights": '{"made_up": 5}'},
        {"thresholds": '{"at_risk_below": 90, "healthy_from": 60}'},
        {
            "weights": '{"sla_compliance": 0, "open_p1_p2": 0, "ticket_trend": 0, "checkin_recency": 0, '
            '"sentiment": 0, "overdue_invoices": 0, "security_incidents": 0, "mfa_coverage": 0, "availability": 0}'
        },
    ):
        form = OutreachSettingsForm(data={**base, **bad}, instance=OutreachSettings.current())
        assert not form.is_valid(), bad
