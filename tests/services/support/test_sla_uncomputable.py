"""A policy the engine can't compute (saved before targets were bounded, or a calendar
edited down to almost no business time) must not stop a client raising a request: the
ticket is saved, its clocks are flagged for staff on the ticket and in the queue, and
the ticket can still be read and worked."""

from __future__ import annotations

import logging

from django_tenants.utils import tenant_context

from services.catalog.models import SlaPolicy, SlaTarget, WorkingWindow
from services.support.models import Ticket
from services.workqueue.models import BreachState, WorkItem

CREATE = """mutation($input: CreateTicketInput!) {
  createTicket(input: $input) { ticket { number status slaClocks { name } } errors { field code message } } }"""
TICKET = """query($n: Int!, $c: String) { ticket(number: $n, clientSlug: $c) {
  number status slaProblem slaClocks { name state } } }"""
QUEUE = """{ queue(first: 10) { edges { node { number breachState nextDeadlineAt } } } }"""


def _break_the_policy():
    """The policy's calendar loses its working windows (e.g. deleted in Django admin): the
    engine refuses to build it. (A 2,147,483,647-minute target fails the same way, after the
    engine has searched 200 years of business days for its deadline, which is slow.)"""
    policy = SlaPolicy.objects.get(name="Standard")
    SlaTarget.objects.filter(policy=policy).update(around_the_clock=False)
    WorkingWindow.objects.filter(calendar=policy.calendar).delete()


def test_intake_survives_a_policy_that_cannot_be_computed(world, gql, caplog):
    _break_the_policy()
    lead = gql(world.a_lead, host=world.a)
    with caplog.at_level(logging.WARNING, logger="services.support.sla_clocks"):
        payload = lead.data(
            CREATE, {"input": {"title": "Server down", "impact": "MEDIUM", "urgency": "HIGH"}}
        )["createTicket"]
    assert payload["errors"] == []
    assert payload["ticket"]["slaClocks"] == []
    number = payload["ticket"]["number"]
    assert any("can't be computed" in record.getMessage() for record in caplog.records)
    with tenant_context(world.a):
        assert Ticket.objects.get(number=number).sla_policy_id is not None

    # Staff see why there are no clocks, on the ticket and in the queue.
    tech = gql(world.technician)
    staff_view = tech.data(TICKET, {"n": number, "c": "alpha"})["ticket"]
    assert staff_view["slaClocks"] == [] and "can't be computed" in staff_view["slaProblem"]
    item = WorkItem.objects.get(client=world.a, number=number)
    assert item.breach_state == BreachState.CLOCK_ERROR and item.next_alert_at is None
    rows = tech.data(QUEUE)["queue"]["edges"]
    assert {"number": number, "breachState": "CLOCK_ERROR", "nextDeadlineAt": None} in [
        r["node"] for r in rows
    ]

    # The client reads their ticket (without the staff-only explanation) and can reply.
    client_view = lead.data(TICKET, {"n": number})["ticket"]
    assert client_view["status"] == "NEW" and client_view["slaProblem"] is None
    reply = lead.data(
        f'mutation {{ replyToTicket(number: {number}, body: "Any news?") {{ errors {{ code }} }} }}'
    )
    assert reply["replyToTicket"]["errors"] == []


def test_clocks_come_back_once_the_policy_is_fixed(world, gql):
    _break_the_policy()
    lead = gql(world.a_lead, host=world.a)
    number = lead.data(CREATE, {"input": {"title": "Slow", "impact": "LOW", "urgency": "LOW"}})[
        "createTicket"
    ]["ticket"]["number"]
    calendar = SlaPolicy.objects.get(name="Standard").calendar
    WorkingWindow.objects.bulk_create(
        WorkingWindow(calendar=calendar, weekday=day, start_minute=9 * 60, end_minute=17 * 60)
        for day in range(5)
    )
    tech = gql(world.technician)
    view = tech.data(TICKET, {"n": number, "c": "alpha"})["ticket"]
    assert view["slaProblem"] is None and view["slaClocks"]
    reply = tech.data(
        f'mutation {{ replyToTicket(clientSlug: "alpha", number: {number}, body: "On it") {{ errors {{ code }} }} }}'
    )
    assert reply["replyToTicket"]["errors"] == []
    assert WorkItem.objects.get(client=world.a, number=number).breach_state != BreachState.CLOCK_ERROR
