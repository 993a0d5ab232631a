"""No account-existence oracle in the service desk's mutations: whatever account an e-mail
or id stands for (none, another client's, MSP staff, deactivated), a person gets the same
answer, with the same code and field, from the same queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from graphql_relay import to_global_id

from services.directory.models import Contact
from services.support.actions import NewTicket, create_ticket
from services.support.models import TicketWatcher
from tenants.models import ClientRole, Membership, MspRole, StaffClientAccess, User

WATCH = """mutation($n: Int!, $e: String!) {
  addTicketWatcher(number: $n, watcherEmail: $e) { ticket { number } errors { field code message } } }"""
ASSIGN = """mutation($n: Int!, $a: ID, $c: String) {
  assignTicket(number: $n, assigneeId: $a, clientSlug: $c) { ticket { number } errors { field code message } } }"""
CREATE = """mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { number } errors { field code message } } }"""


def _answer(graphql, query, variables):
    """The response and the number of queries it took."""
    with CaptureQueriesContext(connection) as queries:
        result = graphql.execute(query, variables)
    assert "errors" not in result, result
    return result["data"], len(queries)


def _ticket(world) -> int:
    with tenant_context(world.a):
        return create_ticket(
            world.a, NewTicket(title="Projector", impact="low", urgency="low"), actor=world.a_lead
        ).number


def _accounts(world) -> dict[str, str]:
    """An e-mail for each account state a prober might want to tell apart."""
    inactive_member = User.objects.create_user("gone@alpha.test", "x" * 20, full_name="Gone", is_active=False)
    Membership.objects.create(user=inactive_member, client=world.a, role=ClientRole.MEMBER)
    User.objects.create_user(
        "old@msp.test", "x" * 20, full_name="Old", msp_role=MspRole.TECHNICIAN, is_active=False
    )
    return {
        "no account": "nobody@alpha.test",
        "another client's member": world.b_member.email,
        "another client's IT lead": world.b_lead.email,
        "MSP staff": world.technician.email,
        "deactivated member": "gone@alpha.test",
        "deactivated staff": "old@msp.test",
    }


WATCHER_STATES = [
    "no account",
    "another client's member",
    "another client's IT lead",
    "MSP staff",
    "deactivated member",
    "deactivated staff",
]


@pytest.mark.parametrize("state", WATCHER_STATES)
def test_an_it_lead_cannot_tell_who_has_an_account(world, gql, state):
    number = _ticket(world)
    email = _accounts(world)[state]
    lead = gql(world.a_lead, host=world.a)
    baseline, baseline_queries = _answer(lead, WATCH, {"n": number, "e": "nobody-else@example.org"})
    answer, queries = _answer(lead, WATCH, {"n": number, "e": email})
    assert answer == baseline
    assert answer["addTicketWatcher"] == {
        "ticket": None,
        "errors": [
            {
                "field": "watcherEmail",
                "code": "INVALID",
                "message": "That person can't be added as a watcher: add people who belong to Alpha Health, "
                "by the email address they sign in with.",
            }
        ],
    }
    assert queries == baseline_queries
    with tenant_context(world.a):
        assert not TicketWatcher.objects.exists()


@pytest.mark.parametrize("state", [*WATCHER_STATES, "a member of this client"])
def test_a_missing_ticket_is_not_found_whatever_the_email(world, gql, state):
    emails = {**_accounts(world), "a member of this client": world.a_member.email}
    lead = gql(world.a_lead, host=world.a)
    baseline, baseline_queries = _answer(lead, WATCH, {"n": 404, "e": "nobody-else@example.org"})
    answer, queries = _answer(lead, WATCH, {"n": 404, "e": emails[state]})
    assert answer == baseline and queries == baseline_queries
    assert [e["code"] for e in answer["addTicketWatcher"]["errors"]] == ["NOT_FOUND"]


@pytest.mark.parametrize(
    "state", ["no account", "another client's member", "deactivated staff", "staff off the allow-list"]
)
def test_staff_get_one_answer_too(world, gql, state):
    number = _ticket(world)
    tech = gql(world.technician)
    StaffClientAccess.objects.filter(user=world.limited_technician).delete()
    emails = {**_accounts(world), "staff off the allow-list": world.limited_technician.email}
    variables = {"n": number, "e": emails[state]}
    baseline, baseline_queries = _answer(
        tech,
        WATCH.replace("number: $n", 'number: $n, clientSlug: "alpha"'),
        {"n": number, "e": "x@example.org"},
    )
    answer, queries = _answer(tech, WATCH.replace("number: $n", 'number: $n, clientSlug: "alpha"'), variables)
    assert answer == baseline and queries == baseline_queries
    assert answer["addTicketWatcher"]["errors"][0]["message"].startswith(
        "That person can't be added as a watcher: add people who belong to Alpha Health, or MSP staff who work for it"
    )


def test_eligible_people_are_added(world, gql):
    number = _ticket(world)
    lead = gql(world.a_lead, host=world.a)
    added, _ = _answer(lead, WATCH, {"n": number, "e": world.a_member.email.upper()})
    assert added["addTicketWatcher"] == {"ticket": {"number": number}, "errors": []}
    tech = gql(world.technician)
    query = WATCH.replace("number: $n", 'number: $n, clientSlug: "alpha"')
    added, _ = _answer(tech, query, {"n": number, "e": world.admin.email})
    assert added["addTicketWatcher"]["errors"] == []
    with tenant_context(world.a):
        assert set(TicketWatcher.objects.values_list("user_id", flat=True)) == {
            world.a_member.pk,
            world.admin.pk,
        }


def _assignee_ids(world) -> dict[str, int]:
    old = User.objects.create_user(
        "old@msp.test", "x" * 20, full_name="Old", msp_role=MspRole.TECHNICIAN, is_active=False
    )
    return {
        "no such user": 987_654,
        "a client user": world.b_member.pk,
        "an account manager": world.account_manager.pk,
        "a deactivated technician": old.pk,
        "a technician without access": world.limited_technician.pk,
    }


ASSIGNEE_STATES = [
    "no such user",
    "a client user",
    "an account manager",
    "a deactivated technician",
    "a technician without access",
]


@pytest.mark.parametrize("state", ASSIGNEE_STATES)
def test_assign_ticket_answers_every_unassignable_id_alike(world, gql, state):
    with tenant_context(world.b):
        number = create_ticket(
            world.b, NewTicket(title="VPN", impact="low", urgency="low"), actor=world.b_lead
        ).number
    tech = gql(world.technician)
    ids = _assignee_ids(world)
    variables = {"n": number, "c": "bravo"}
    baseline, baseline_queries = _answer(
        tech, ASSIGN, {**variables, "a": to_global_id("StaffMember", 987_653)}
    )
    answer, queries = _answer(tech, ASSIGN, {**variables, "a": to_global_id("StaffMember", ids[state])})
    assert answer == baseline and queries == baseline_queries
    assert answer["assignTicket"]["errors"] == [
        {
            "field": "assigneeId",
            "code": "INVALID",
            "message": "Choose a technician who works for this client.",
        }
    ]
    # A ticket that doesn't exist is NOT_FOUND whoever is named.
    missing, _ = _answer(tech, ASSIGN, {"n": 404, "c": "bravo", "a": to_global_id("StaffMember", ids[state])})
    assert [e["code"] for e in missing["assignTicket"]["errors"]] == ["NOT_FOUND"]


@pytest.mark.parametrize("state", [*ASSIGNEE_STATES, "a technician who could be assigned"])
def test_a_client_user_learns_nothing_from_assign_ticket(world, gql, state):
    ids = {**_assignee_ids(world), "a technician who could be assigned": world.technician.pk}
    lead = gql(world.a_lead, host=world.a)
    number = _ticket(world)
    baseline, baseline_queries = _answer(
        lead, ASSIGN, {"n": number, "a": to_global_id("StaffMember", 987_653)}
    )
    answer, queries = _answer(lead, ASSIGN, {"n": number, "a": to_global_id("StaffMember", ids[state])})
    assert answer == baseline and queries == baseline_queries
    assert [e["code"] for e in answer["assignTicket"]["errors"]] == ["PERMISSION_DENIED"]


@pytest.mark.parametrize(
    "state", ["no such contact", "a deactivated contact", "a contact id of another client"]
)
def test_create_ticket_answers_every_unusable_requester_alike(world, gql, state):
    with tenant_context(world.a):
        gone = Contact.objects.create(full_name="Gone", email="gone@alpha.test", is_active=False)
    with tenant_context(world.b):
        for index in range(5):
            other = Contact.objects.create(full_name=f"Bravo {index}", email=f"p{index}@bravo.test")
    with tenant_context(world.a):
        assert not Contact.objects.filter(pk=other.pk).exists()  # Bravo's contact, not Alpha's
    ids = {
        "no such contact": 987_654,
        "a deactivated contact": gone.pk,
        "a contact id of another client": other.pk,
    }
    tech = gql(world.technician)
    ticket = {"clientSlug": "alpha", "title": "Phone", "impact": "LOW", "urgency": "LOW"}
    baseline, baseline_queries = _answer(tech, CREATE, {"input": {**ticket, "requesterId": "987653"}})
    answer, queries = _answer(tech, CREATE, {"input": {**ticket, "requesterId": str(ids[state])}})
    assert answer == baseline and queries == baseline_queries
    assert answer["createTicket"]["errors"] == [
        {
            "field": "requesterId",
            "code": "REQUIRED",
            "message": "Choose who is asking (a contact of the client).",
        }
    ]


def test_a_client_user_cannot_name_a_requester(world, gql):
    """The requester id is a staff-only input: client users raise requests for themselves."""
    lead = gql(world.a_lead, host=world.a)
    with tenant_context(world.a):
        member_contact = Contact.objects.get(user_id=world.a_member.pk)
    ticket = {"title": "Phone", "impact": "LOW", "urgency": "LOW"}
    answer, _ = _answer(lead, CREATE, {"input": {**ticket, "requesterId": str(member_contact.pk)}})
    number = answer["createTicket"]["ticket"]["number"]
    with tenant_context(world.a):
        from services.support.models import Ticket

        assert Ticket.objects.get(number=number).requester.user_id == world.a_lead.pk
