"""Closed and resolved requests: a closed ticket takes no replies (typed TICKET_CLOSED), a
resolved one may be reopened by its client within TICKET_REOPEN_WINDOW_DAYS, and otherwise a
new request links to the old one (shown on both timelines)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context

from core.errors import ActionError
from services.support.actions import NewTicket, change_status, create_ticket
from services.support.models import Comment, Ticket, TicketStatus
from services.workqueue.models import WorkItem

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

REPLY = """mutation($n: Int!, $body: String!) {
  replyToTicket(number: $n, body: $body) { ticket { number status } errors { field code message } }
}"""
STAFF_REPLY = """mutation($n: Int!, $body: String!) {
  replyToTicket(clientSlug: "alpha", number: $n, body: $body) { ticket { status } errors { code message } }
}"""
NOTE = """mutation($n: Int!) {
  addInternalNote(clientSlug: "alpha", number: $n, body: "Post-mortem filed") { errors { code } }
}"""
STATUS = """mutation($n: Int!, $s: TicketStatus!) {
  changeTicketStatus(number: $n, status: $s) { ticket { status } errors { field code message } }
}"""
TICKET = """query($n: Int!) { ticket(number: $n) {
  number status closedAt clientMayReopenUntil
  followUpOf { number title status } followUps { number title status }
  timeline { kind detail } } }"""
CREATE = """mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { number followUpOf { number } } errors { field code message } }
}"""


@pytest.fixture(autouse=True)
def _public_schema():
    yield
    connection.set_schema_to_public()  # type: ignore[attr-defined]


def _ticket(world, status: str, *, requester=None, at: datetime = T0) -> int:
    """A ticket of client A raised by `requester` (A's member) and moved by staff to `status`."""
    with tenant_context(world.a):
        ticket = create_ticket(
            world.a, NewTicket(title="VPN drops"), actor=requester or world.a_member, now=at
        )
        if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            change_status(
                world.a, ticket.number, actor=world.technician, status=TicketStatus.RESOLVED, now=at
            )
        if status == TicketStatus.CLOSED:
            change_status(world.a, ticket.number, actor=world.technician, status=TicketStatus.CLOSED, now=at)
        return ticket.number


def _comments(world) -> int:
    with tenant_context(world.a):
        return Comment.objects.count()


def test_a_client_reply_to_a_closed_request_is_refused_and_nothing_is_written(world, gql):
    number = _ticket(world, TicketStatus.CLOSED)
    before = _comments(world)
    payload = gql(world.a_member, host=world.a).data(REPLY, {"n": number, "body": "Still broken!"})[
        "replyToTicket"
    ]
    assert payload["ticket"] is None
    assert payload["errors"] == [
        {
            "field": "number",
            "code": "TICKET_CLOSED",
            "message": f"#{number} is closed, so it takes no more replies. "
            "Raise a new request that refers to it instead.",
        }
    ]
    assert _comments(world) == before
    with tenant_context(world.a):
        assert Ticket.objects.get(number=number).status == TicketStatus.CLOSED


def test_staff_must_reopen_a_closed_ticket_before_replying_but_may_add_notes(world, gql):
    number = _ticket(world, TicketStatus.CLOSED)
    tech = gql(world.technician)
    payload = tech.data(STAFF_REPLY, {"n": number, "body": "Any news?"})["replyToTicket"]
    assert payload["errors"][0]["code"] == "TICKET_CLOSED"
    assert "Reopen it first" in payload["errors"][0]["message"]
    assert tech.data(NOTE, {"n": number})["addInternalNote"]["errors"] == []


def test_a_client_reopens_a_resolved_request_within_the_window(world, gql):
    number = _ticket(world, TicketStatus.RESOLVED, at=datetime.now(UTC) - timedelta(days=1))
    member = gql(world.a_member, host=world.a)
    view = member.data(TICKET, {"n": number})["ticket"]
    resolved = datetime.now(UTC) - timedelta(days=1)
    until = datetime.fromisoformat(view["clientMayReopenUntil"])
    assert abs(until - (resolved + timedelta(days=settings.TICKET_REOPEN_WINDOW_DAYS))) < timedelta(minutes=1)
    payload = member.data(STATUS, {"n": number, "s": "OPEN"})["changeTicketStatus"]
    assert payload["errors"] == [] and payload["ticket"]["status"] == "OPEN"
    assert WorkItem.objects.get(client=world.a, number=number).is_open  # back in the queue


def test_after_the_window_a_resolved_request_cannot_be_reopened_by_its_client(world):
    number = _ticket(world, TicketStatus.RESOLVED)
    later = T0 + timedelta(days=settings.TICKET_REOPEN_WINDOW_DAYS, seconds=1)
    with tenant_context(world.a), pytest.raises(ActionError) as excinfo:
        change_status(world.a, number, actor=world.a_member, status=TicketStatus.OPEN, now=later)
    assert [(e.code, e.field) for e in excinfo.value.errors] == [("REOPEN_WINDOW_PASSED", "status")]
    just_in_time = T0 + timedelta(days=settings.TICKET_REOPEN_WINDOW_DAYS, seconds=-1)
    with tenant_context(world.a):
        assert (
            change_status(world.a, number, actor=world.a_member, status="open", now=just_in_time).status
            == "open"
        )


def test_the_page_is_told_when_the_window_has_passed(world, gql):
    long_ago = datetime.now(UTC) - timedelta(days=settings.TICKET_REOPEN_WINDOW_DAYS, hours=1)
    number = _ticket(world, TicketStatus.RESOLVED, at=long_ago)
    view = gql(world.a_member, host=world.a).data(TICKET, {"n": number})["ticket"]
    assert (view["status"], view["clientMayReopenUntil"]) == ("RESOLVED", None)


def test_staff_may_reopen_whenever_they_need_to(world):
    number = _ticket(world, TicketStatus.CLOSED)
    with tenant_context(world.a):
        ticket = change_status(
            world.a, number, actor=world.technician, status=TicketStatus.OPEN, now=T0 + timedelta(days=90)
        )
    assert ticket.status == TicketStatus.OPEN


def test_a_client_cannot_reopen_a_closed_request_and_is_told_what_to_do(world, gql):
    number = _ticket(world, TicketStatus.CLOSED)
    member = gql(world.a_member, host=world.a)
    assert member.data(TICKET, {"n": number})["ticket"]["clientMayReopenUntil"] is None
    payload = member.data(STATUS, {"n": number, "s": "OPEN"})["changeTicketStatus"]
    assert payload["errors"][0]["code"] == "TICKET_CLOSED"
    assert "Raise a new request that refers to it" in payload["errors"][0]["message"]


def test_a_new_request_linked_to_a_closed_one_reaches_the_queue_and_both_timelines_show_the_link(world, gql):
    old = _ticket(world, TicketStatus.CLOSED)
    member = gql(world.a_member, host=world.a)
    payload = member.data(
        CREATE,
        {
            "input": {
                "title": "VPN drops again",
                "impact": "MEDIUM",
                "urgency": "HIGH",
                "relatedTicketNumber": old,
            }
        },
    )["createTicket"]
    assert payload["errors"] == []
    new = payload["ticket"]["number"]
    assert payload["ticket"]["followUpOf"] == {"number": old}
    assert WorkItem.objects.get(client=world.a, number=new).is_open

    new_view = member.data(TICKET, {"n": new})["ticket"]
    assert new_view["followUpOf"] == {"number": old, "title": "VPN drops", "status": "CLOSED"}
    assert new_view["timeline"][0]["kind"] == "created"
    assert json.loads(new_view["timeline"][0]["detail"])["follow_up_of"] == old
    old_view = member.data(TICKET, {"n": old})["ticket"]
    assert old_view["status"] == "CLOSED"  # the old request is left as it was
    assert old_view["followUps"] == [{"number": new, "title": "VPN drops again", "status": "NEW"}]
    assert [json.loads(e["detail"]) for e in old_view["timeline"] if e["kind"] == "follow_up"] == [
        {"number": new}
    ]


def test_a_follow_up_of_a_request_she_cannot_see_is_refused(world, gql):
    others = _ticket(world, TicketStatus.CLOSED, requester=world.a_lead)  # the lead's, not the member's
    with tenant_context(world.a):
        before = Ticket.objects.count()
    payload = gql(world.a_member, host=world.a).data(
        CREATE,
        {"input": {"title": "Me too", "impact": "LOW", "urgency": "LOW", "relatedTicketNumber": others}},
    )["createTicket"]
    assert payload["ticket"] is None
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("relatedTicketNumber", "NOT_FOUND")]
    with tenant_context(world.a):
        assert Ticket.objects.count() == before
