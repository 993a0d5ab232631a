"""Idempotency keys on the service desk: a reply, a note or a new request sent twice (a double
click, a retry after a lost answer, two at once) is stored once, and the second request gets
the first one's result."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from services.support import actions
from services.support.models import Comment, Ticket, TicketActivity, TicketCounter
from tests.concurrency import first_holds_while_second_waits
from tests.conftest import World

REPLY = """mutation($n: Int!, $body: String!, $key: String, $c: String) {
  replyToTicket(number: $n, body: $body, idempotencyKey: $key, clientSlug: $c) {
    ticket { number timeline { kind body } } errors { field code message } } }"""
NOTE = """mutation($n: Int!, $body: String!, $key: String, $c: String) {
  addInternalNote(number: $n, body: $body, idempotencyKey: $key, clientSlug: $c) {
    ticket { number } errors { field code message } } }"""
CREATE = """mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { number title } errors { field code message } } }"""


def new_key() -> str:
    return str(uuid.uuid4())


def raise_request(world: World, title: str = "Laptop will not boot") -> Ticket:
    with tenant_context(world.a):
        return actions.create_ticket(
            world.a, actions.NewTicket(title=title, impact="medium", urgency="high"), actor=world.a_lead
        )


def comments(world: World, ticket: Ticket) -> list[Comment]:
    with tenant_context(world.a):
        return list(Comment.objects.filter(ticket_id=ticket.pk))


def test_a_reply_sent_twice_with_one_key_is_stored_once(world: World, gql: Any) -> None:
    ticket = raise_request(world)
    lead = gql(world.a_lead, host=world.a)
    key = new_key()
    first = lead.data(REPLY, {"n": ticket.number, "body": "Still broken.", "key": key})["replyToTicket"]
    again = lead.data(REPLY, {"n": ticket.number, "body": "Still broken.", "key": key})["replyToTicket"]
    assert first["errors"] == [] and again["errors"] == []
    assert again["ticket"] == first["ticket"]
    stored = comments(world, ticket)
    assert [c.body for c in stored] == ["Still broken."] and stored[0].idempotency_key == key
    with tenant_context(world.a):
        assert TicketActivity.objects.filter(ticket_id=ticket.pk, kind="reply").count() == 1
    # Another submission (a new key, or none) is another reply, even with the same text.
    lead.data(REPLY, {"n": ticket.number, "body": "Still broken.", "key": new_key()})
    lead.data(REPLY, {"n": ticket.number, "body": "Still broken."})
    assert len(comments(world, ticket)) == 3


def test_a_note_sent_twice_is_stored_once_and_keys_are_per_person_and_operation(
    world: World, gql: Any
) -> None:
    ticket = raise_request(world)
    tech, other = gql(world.technician), gql(world.admin)
    key = new_key()
    variables = {"n": ticket.number, "body": "Checked the toner.", "key": key, "c": world.a.slug}
    assert tech.data(NOTE, variables)["addInternalNote"]["errors"] == []
    assert tech.data(NOTE, variables)["addInternalNote"]["errors"] == []
    assert [(c.body, c.is_internal) for c in comments(world, ticket)] == [("Checked the toner.", True)]
    # The same key from someone else, or for a reply instead of a note, is not the same submission.
    assert other.data(NOTE, variables)["addInternalNote"]["errors"] == []
    assert tech.data(REPLY, variables)["replyToTicket"]["errors"] == []
    assert len(comments(world, ticket)) == 3


def test_a_key_used_again_for_a_different_request_is_refused(world: World, gql: Any) -> None:
    ticket = raise_request(world)
    other_ticket = raise_request(world, "Printer offline")
    lead = gql(world.a_lead, host=world.a)
    key = new_key()
    lead.data(REPLY, {"n": ticket.number, "body": "First.", "key": key})
    for variables in (
        {"n": ticket.number, "body": "Something else.", "key": key},
        {"n": other_ticket.number, "body": "First.", "key": key},
    ):
        errors = lead.data(REPLY, variables)["replyToTicket"]["errors"]
        assert [(e["field"], e["code"]) for e in errors] == [("idempotencyKey", "INVALID")]
    assert len(comments(world, ticket)) == 1 and comments(world, other_ticket) == []


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("short", "INVALID"),
        ("has spaces in the middle of it", "INVALID"),
        ("ünïcödé-ünïcödé-ünïcödé", "INVALID"),
        ("0123456789abcdef\n", "INVALID"),
        ("a" * 101, "TOO_LONG"),
        ("a\x00" * 10, "INVALID"),
    ],
)
def test_a_malformed_key_is_a_typed_error_and_nothing_is_written(
    world: World, gql: Any, key: str, code: str
) -> None:
    ticket = raise_request(world)
    lead = gql(world.a_lead, host=world.a)
    errors = lead.data(REPLY, {"n": ticket.number, "body": "Hello", "key": key})["replyToTicket"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("idempotencyKey", code)]
    created = lead.data(
        CREATE, {"input": {"title": "X", "impact": "LOW", "urgency": "LOW", "idempotencyKey": key}}
    )
    assert [(e["field"], e["code"]) for e in created["createTicket"]["errors"]] == [("idempotencyKey", code)]
    assert comments(world, ticket) == []
    with tenant_context(world.a):
        assert list(Ticket.objects.values_list("pk", flat=True)) == [ticket.pk]


def test_a_new_request_sent_twice_raises_one_ticket_and_numbering_stays_gap_free(
    world: World, gql: Any
) -> None:
    lead = gql(world.a_lead, host=world.a)
    key = new_key()
    request = {"title": "VPN drops", "description": "Every ten minutes.", "impact": "LOW", "urgency": "HIGH"}
    first = lead.data(CREATE, {"input": {**request, "idempotencyKey": key}})["createTicket"]
    again = lead.data(CREATE, {"input": {**request, "idempotencyKey": key}})["createTicket"]
    assert first["errors"] == [] and again == first
    refused = lead.data(CREATE, {"input": {**request, "title": "Other", "idempotencyKey": key}})[
        "createTicket"
    ]
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [("idempotencyKey", "INVALID")]
    following = lead.data(CREATE, {"input": {**request, "idempotencyKey": new_key()}})["createTicket"]
    assert following["ticket"]["number"] == first["ticket"]["number"] + 1
    with tenant_context(world.a):
        assert Ticket.objects.filter(title="VPN drops").count() == 2


# ------------------------------------------------------------ two at once


def test_two_replies_with_one_key_at_once_store_one(
    world_state: World, committed_ticket: Ticket, django_db_blocker: Any
) -> None:
    client, key = world_state.a, new_key()

    def send() -> Comment:
        return actions.reply(
            client, committed_ticket.number, actor=world_state.a_lead, body="Any news?", idempotency_key=key
        )

    with django_db_blocker.unblock():
        first, second = first_holds_while_second_waits(send, send, client.schema_name)
        assert first.pk == second.pk
        with tenant_context(client):
            assert Comment.objects.filter(ticket_id=committed_ticket.pk).count() == 1
            assert TicketActivity.objects.filter(ticket_id=committed_ticket.pk, kind="reply").count() == 1


def test_two_new_requests_with_one_key_at_once_raise_one_ticket(
    world_state: World, committed_ticket: Ticket, django_db_blocker: Any
) -> None:
    client, key = world_state.a, new_key()

    def send() -> Ticket:
        return actions.create_ticket(
            client,
            actions.NewTicket(title="Both at once", impact="low", urgency="low"),
            actor=world_state.a_lead,
            idempotency_key=key,
        )

    with django_db_blocker.unblock():
        with tenant_context(client):
            next_number = TicketCounter.objects.get().next_number
        first, second = first_holds_while_second_waits(send, send, client.schema_name)
        assert first.pk == second.pk and first.number == next_number
        with tenant_context(client):
            assert Ticket.objects.filter(title="Both at once").count() == 1
            # The number the refused insert took was given back.
            assert TicketCounter.objects.get().next_number == next_number + 1


def test_twenty_replies_with_one_key_released_together_store_one(
    world_state: World, committed_ticket: Ticket, django_db_blocker: Any
) -> None:
    """Through the real endpoint: a barrier releases 20 identical submissions at once."""
    from tests.services.support.status_race import signed_in

    key = new_key()
    with django_db_blocker.unblock():
        people = [signed_in(world_state, world_state.technician) for _ in range(20)]
        barrier = threading.Barrier(len(people))
        answers: list[Any] = [None] * len(people)

        def send(index: int) -> None:
            try:
                barrier.wait()
                answers[index] = people[index].execute(
                    REPLY,
                    {
                        "n": committed_ticket.number,
                        "body": "Looking now.",
                        "key": key,
                        "c": world_state.a.slug,
                    },
                )
            finally:
                connection.close()

        threads = [threading.Thread(target=send, args=(index,)) for index in range(len(people))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert all(answer["data"]["replyToTicket"]["errors"] == [] for answer in answers), answers
        with tenant_context(world_state.a):
            assert Comment.objects.filter(ticket_id=committed_ticket.pk).count() == 1
            assert TicketActivity.objects.filter(ticket_id=committed_ticket.pk, kind="reply").count() == 1
