"""Simultaneous status changes on one ticket, and what must hold afterwards.

Shared by `tests/services/support/test_concurrent_status.py` (a few rounds in `make test`)
and `benchmarks/concurrent_status.py` (100 rounds in a row). A round releases N requests at
once with a barrier: each is a real `changeTicketStatus` GraphQL request through Django's
test client, in its own thread and therefore on its own database connection. Targets
alternate between running statuses (open, in progress) and waiting ones (waiting on client,
waiting on vendor), so whichever order the requests take the ticket's lock in, the clocks
pause and resume many times.

What must hold after every round (`check_ticket`):

- every answer is a success or a typed INVALID_TRANSITION (the ticket already had that
  status when the request got its turn) — nothing else;
- the timeline is in commit order: ordered as the timeline is shown (`created_at`, then id)
  it is the same as ordered by id, and ids are drawn while the ticket's row is locked, so id
  order is the order the changes committed in; the status entries form one chain (each
  starts from the status the previous one ended in) that ends in the ticket's status;
- the SLA event log replays in commit order too (`at`, then id, is id order), and the
  pauses it replays to agree with the status: a waiting ticket has every measured clock
  PAUSED and none RUNNING, any other open ticket has none PAUSED; the queue row agrees.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from django.db import connection
from django_tenants.utils import tenant_context

from services.sla import engine
from services.support.models import (
    WAITING_STATUSES,
    SlaEventKind,
    Ticket,
    TicketActivity,
    TicketSlaEvent,
)
from services.support.sla_clocks import ticket_clocks
from services.workqueue.models import BreachState, WorkItem, WorkItemKind
from tenants.models import Client

CHANGE_STATUS = """
mutation($slug: String, $number: Int!, $status: TicketStatus!) {
  changeTicketStatus(clientSlug: $slug, number: $number, status: $status) {
    ticket { status }
    errors { code field message }
  }
}"""

# Running and waiting statuses alternate, so most requests change something.
TARGETS = ("WAITING_ON_CLIENT", "OPEN", "WAITING_ON_VENDOR", "IN_PROGRESS")


def signed_in(world: Any, user: Any) -> Any:
    """A test client signed in as `user` with a verified second factor (`world` is
    tests.conftest.World), on the MSP host."""
    from tests.conftest import GraphQLClient

    graphql = GraphQLClient()
    graphql.http.force_login(user)
    session = graphql.http.session
    session["otp_device_id"] = world.devices[user.pk].persistent_id
    session.save()
    return graphql


def targets(requests: int) -> list[str]:
    return [TARGETS[index % len(TARGETS)] for index in range(requests)]


def race_round(http_clients: Sequence[Any], slug: str, number: int) -> list[dict[str, Any]]:
    """Release one `changeTicketStatus` per client at the same instant; their answers, in
    the order the clients were given. `http_clients` are signed-in test clients with
    `.execute(query, variables)` (tests.conftest.GraphQLClient), one per thread."""
    barrier = threading.Barrier(len(http_clients))
    answers: list[dict[str, Any]] = [{} for _ in http_clients]

    def run(index: int, http: Any, status: str) -> None:
        try:
            barrier.wait()
            answers[index] = http.execute(CHANGE_STATUS, {"slug": slug, "number": number, "status": status})
        except Exception as exc:  # reported by check_answers, never lost with the thread
            answers[index] = {"exception": repr(exc)}
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, http, status))
        for index, (http, status) in enumerate(zip(http_clients, targets(len(http_clients)), strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def check_answers(answers: Sequence[dict[str, Any]]) -> tuple[int, list[str]]:
    """(how many changed the status, problems)."""
    problems = []
    changed = 0
    for index, answer in enumerate(answers):
        payload = (answer.get("data") or {}).get("changeTicketStatus")
        if payload is None:
            problems.append(f"request {index}: no payload: {answer}")
            continue
        codes = [error["code"] for error in payload["errors"]]
        if not codes:
            changed += 1
        elif codes != ["INVALID_TRANSITION"]:
            problems.append(f"request {index}: unexpected errors {payload['errors']}")
    return changed, problems


@dataclass(frozen=True)
class TicketState:
    status: str
    status_changes: int
    pause_events: int
    problems: list[str]


def check_ticket(client: Client, ticket_pk: int) -> TicketState:
    """Everything that must hold for the ticket after any number of rounds (see the module)."""
    problems: list[str] = []
    with tenant_context(client):
        ticket = Ticket.objects.get(pk=ticket_pk)
        timeline = list(TicketActivity.objects.filter(ticket=ticket))  # the model's (timeline) order
        if [a.pk for a in timeline] != sorted(a.pk for a in timeline):
            problems.append(
                "timeline not in commit order: "
                + ", ".join(f"#{a.pk} {a.kind} {a.created_at.isoformat()}" for a in timeline)
            )
        chain = [a for a in sorted(timeline, key=lambda a: a.pk) if a.kind == TicketActivity.Kind.STATUS]
        for before, after in pairwise(chain):
            if after.detail.get("from") != before.detail.get("to"):
                problems.append(
                    f"status chain broken: #{before.pk} ended in {before.detail.get('to')}, "
                    f"#{after.pk} started from {after.detail.get('from')}"
                )
        if chain and chain[-1].detail.get("to") != ticket.status:
            problems.append(
                f"last status change ends in {chain[-1].detail.get('to')}, ticket is {ticket.status}"
            )

        events = list(TicketSlaEvent.objects.filter(ticket=ticket))  # replay order
        if [e.pk for e in events] != sorted(e.pk for e in events):
            problems.append(
                "SLA events not replayed in commit order: "
                + ", ".join(f"#{e.pk} {e.kind} {e.at.isoformat()}" for e in events)
            )
        waiting = ticket.status in WAITING_STATUSES
        clocks = ticket_clocks(ticket)
        assert clocks is not None, "the raced ticket has an SLA policy"
        states = {clock.name: clock.state for clock in clocks.clocks() if clock.target_seconds is not None}
        running = [name for name, state in states.items() if state is engine.ClockState.RUNNING]
        paused = [name for name, state in states.items() if state is engine.ClockState.PAUSED]
        if waiting and (running or not paused):
            problems.append(f"ticket is {ticket.status} but clocks are {states}")
        if not waiting and paused:
            problems.append(f"ticket is {ticket.status} but clocks are {states}")
        item = WorkItem.objects.get(client=client, kind=WorkItemKind.TICKET, object_id=ticket.pk)
        if item.status != ticket.status:
            problems.append(f"queue row says {item.status}, ticket is {ticket.status}")
        if (item.breach_state == BreachState.PAUSED) != waiting:
            problems.append(f"queue row is {item.breach_state} for a ticket that is {ticket.status}")
        pause_events = sum(e.kind in (SlaEventKind.PAUSED, SlaEventKind.RESUMED) for e in events)
        return TicketState(ticket.status, len(chain), pause_events, problems)
