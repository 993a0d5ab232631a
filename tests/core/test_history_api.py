"""Staff read the change history on the ticket and client pages; client users get none;
the number of queries does not grow with the number of events."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from services.support.actions import NewTicket, change_status, create_ticket
from tenants.models import Client, ClientRole, ClientStatus, Membership

TICKET_HISTORY = """query($n: Int!, $c: String) { ticket(number: $n, clientSlug: $c) {
  history { at kind subject label actorName changes { field before after } } } }"""
CLIENT_HISTORY = """{ client(slug: "alpha") { history { kind subject label actorName changes { field before after } } } }"""


def _ticket(world) -> int:
    with tenant_context(world.a):
        return create_ticket(world.a, NewTicket(title="Mail bounces"), actor=world.a_lead).number


def test_staff_see_who_changed_a_ticket(world, gql):
    lead = gql(world.a_lead, host=world.a)
    number = lead.data(
        """mutation { createTicket(input: {title: "Mail bounces", impact: LOW, urgency: LOW}) { ticket { number } } }"""
    )["createTicket"]["ticket"]["number"]
    tech = gql(world.technician)
    tech.data(
        'mutation($n: Int!) { changeTicketStatus(clientSlug: "alpha", number: $n, status: IN_PROGRESS) { errors { code } } }',
        {"n": number},
    )
    history = tech.data(TICKET_HISTORY, {"n": number, "c": "alpha"})["ticket"]["history"]
    assert history[-1]["kind"] == "created" and history[-1]["actorName"] == "Alpha Health Lead"
    assert history[-1]["label"] == f"#{number} Mail bounces"
    status_change = next(
        entry for entry in history if any(change["field"] == "status" for change in entry["changes"])
    )
    assert status_change["kind"] == "changed" and status_change["actorName"] == "Tom Tech"
    assert {"field": "status", "before": "new", "after": "in_progress"} in status_change["changes"]
    # The client's own people never see the internal history.
    assert lead.data(TICKET_HISTORY, {"n": number})["ticket"]["history"] == []


def test_ticket_history_costs_the_same_for_many_events(world, gql):
    number = _ticket(world)
    tech = gql(world.technician)
    with CaptureQueriesContext(connection) as few:
        short = tech.data(TICKET_HISTORY, {"n": number, "c": "alpha"})["ticket"]["history"]
    with tenant_context(world.a):
        for status in ("in_progress", "waiting_on_client", "in_progress", "waiting_on_client"):
            change_status(world.a, number, status=status, actor=world.technician)
    with CaptureQueriesContext(connection) as many:
        long = tech.data(TICKET_HISTORY, {"n": number, "c": "alpha"})["ticket"]["history"]
    assert len(long) >= len(short) + 4
    assert len(many.captured_queries) == len(few.captured_queries)


def test_staff_see_status_membership_and_access_changes_of_a_client(world, gql):
    Client.objects.filter(pk=world.a.pk).update(status=ClientStatus.SUSPENDED)
    Membership.objects.filter(user=world.a_member, client=world.a).update(role=ClientRole.IT_LEAD)
    world.limited_technician.client_access.filter(client=world.a).delete()
    admin = gql(world.admin)
    with CaptureQueriesContext(connection) as queries:
        history = admin.data(CLIENT_HISTORY)["client"]["history"]
    by_subject: dict = {}
    for entry in history:  # newest first: keep the newest of each
        by_subject.setdefault((entry["subject"], entry["kind"]), entry)
    assert {"field": "status", "before": "active", "after": "suspended"} in by_subject[("Client", "changed")][
        "changes"
    ]
    role = by_subject[("Membership", "changed")]
    assert (
        role["label"] == "Alpha Health Member"
        and {
            "field": "role",
            "before": "member",
            "after": "it_lead",
        }
        in role["changes"]
    )
    assert by_subject[("Staff access", "deleted")]["label"] == "Lia Limited"
    # More events, same number of queries.
    Client.objects.filter(pk=world.a.pk).update(status=ClientStatus.ACTIVE)
    Membership.objects.filter(user=world.a_member, client=world.a).update(role=ClientRole.MEMBER)
    with CaptureQueriesContext(connection) as again:
        assert len(admin.data(CLIENT_HISTORY)["client"]["history"]) == len(history) + 2
    assert len(again.captured_queries) == len(queries.captured_queries)


def test_client_users_get_no_client_history(world, gql):
    Client.objects.filter(pk=world.a.pk).update(tier="premium")
    assert gql(world.a_lead, host=world.a).data(CLIENT_HISTORY)["client"]["history"] == []
