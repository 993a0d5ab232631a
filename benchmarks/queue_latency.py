"""Benchmark: the technician queue across N clients × 100 open tickets, from the public index.

Builds N client tenants (100 and 1000 by default), each with a real schema, 100 open tickets
and their public `WorkItem` rows, then measures at each size, in one run:

* **(a) GraphQL**: the real `queue(first: 50)` request (the selection the SPA and the tests
  use: `totalCount` and, per row, client, number, title, priority, status, breach state,
  deadline, clock and assignee) posted as JSON through Django's test `Client` on the MSP host,
  as a technician with a verified second factor (`force_login` plus the session's
  `otp_device_id`, as `tests/conftest.py` does) — the whole middleware stack, session, OTP,
  tenant resolution, graphene. Every response is checked: no errors, 50 rows, the expected
  `totalCount`. Warm-up requests first (not counted);
* **(b) SQL**: `queue_queryset(...)[:50]` evaluated through the ORM (the page alone), and
  separately `.count()` (the connection field also counts every match: `totalCount`);
* **(c) naive**: what the index avoids — a loop over every client schema (`tenant_context`,
  the ORM) selecting its open tickets ordered by a deadline stand-in (`created_at`: tickets
  store no deadline; the real one would need every ticket's SLA clocks computed from its event
  log, which is slower still), merged in Python into the first 50. p50/p95 of one full loop;
* **(d) filtered**: the same through GraphQL and SQL for `mine`, one client (`clientSlug`),
  `breached`, and a technician limited to an allow-list of 10 clients; naive for `mine` too.

It also counts the SQL queries of one GraphQL request (a page of 5 and of 50: an N+1 would
show as a difference) and runs `EXPLAIN (ANALYZE, BUFFERS)` on the page and count queries the
request actually sent (captured from it), reporting which indexes each plan uses.

Data is made fast and directly in SQL, shaped like what `create_ticket` and `sync_work_item`
write (one ticket is raised with the real `create_ticket` in the first client as a reference):

* clients: rows and domains with `bulk_create`, schemas by replaying a `pg_dump` of the
  template (`benchmarks.migrate_schemas.add_clients`; its cost does not grow with the number of
  schemas, unlike `clone_schema`);
* per schema, one transaction per 50 clients: 5 contacts, the ticket counter, and with `COPY`
  100 `support_ticket` rows (impact × urgency → priority by the default triage matrix, the
  Standard policy), their `TicketSlaEvent` rows (`created`; `first_public_reply` once answered;
  `paused` when waiting) and `created` activities;
* in `public.workqueue_workitem`, with `COPY`, one row per ticket: ~10 % paused (waiting on
  client or vendor: no deadline, NULL sorts last), ~5 % breached (deadline up to 2 days ago),
  the rest running with a deadline spread over the next minutes to days by priority (P1 within
  hours, P4 within ~5 days), warning stages (75 %, 90 %, breach) still ahead in `alert_schedule`,
  `warning` once the 75 % stage has passed; ~75 % assigned across 20 technicians (new tickets
  mostly unassigned). Then `ANALYZE`.

Runs on its own throwaway database (`msp_bench_queue` by default), created and dropped by the
script. Run from the repository root:

    .venv/bin/python -m benchmarks.queue_latency                  # 100 and 1000 clients
    .venv/bin/python -m benchmarks.queue_latency --clients 100    # one size only
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from benchmarks.provisioning import (
    add_database_arguments,
    bootstrapped_database,
    load_average,
    percentile,
    print_table,
)

# Added to the environment before Django starts (values already set win).
EXTRA_ENVIRONMENT = {
    "MSP_HOSTS": "testserver,localhost",
    "REDIS_URL": "redis://127.0.0.1:6379/5",
    "CACHE_KEY_PREFIX": "msp-bench",
    "FAST_PASSWORD_HASHING": "1",
}
MSP_HOST = "testserver"
PAGE = 50
LOAD_BATCH = 50
CONTACTS_PER_CLIENT = 5
LIMITED_CLIENTS = 10

QUEUE = """query($first: Int, $mine: Boolean, $client: String, $breached: Boolean) {
  queue(first: $first, mine: $mine, clientSlug: $client, breached: $breached) {
    totalCount edges { node { client { slug name } number title priority status breachState nextDeadlineAt
      nextDeadlineClock assignee { fullName } } } } }"""

TITLES = (
    "Laptop will not boot",
    "Outlook keeps asking for a password",
    "VPN drops every few minutes",
    "New starter: accounts and laptop",
    "Printer on floor 2 offline",
    "Shared drive permissions for finance",
    "Phishing email reported",
    "Teams calls choppy in the meeting room",
    "Backup job failed overnight",
    "Disk space low on file server",
    "MFA prompt not arriving",
    "Wi-Fi slow in the warehouse",
    "Leaver: disable accounts",
    "Licence request: Visio",
    "Firewall rule for the new supplier portal",
    "Antivirus alert on a workstation",
    "Mailbox full",
    "Website SSL certificate expiring",
    "Server CPU alarm",
    "Password reset for a director",
)
CATEGORIES = ("hardware", "software", "access", "network", "email", "security", "")
FIRST_NAMES = ("Alex", "Sam", "Jo", "Chris", "Priya", "Tom", "Lena", "Omar", "Ruth", "Kai")
SURNAMES = ("Smith", "Jones", "Patel", "Brown", "Taylor", "Khan", "Evans", "Walker", "Wright", "Hughes")
# Wall-clock length of each priority's clocks (business minutes of the Standard policy; P2-P4 run
# in UK business hours, ~3x longer on the wall clock): first response, first resolution.
CLOCK_SECONDS = {
    "P1": (30 * 60, 4 * 3600),
    "P2": (3 * 3600, 24 * 3600),
    "P3": (12 * 3600, 3 * 86_400),
    "P4": (24 * 3600, 5 * 86_400),
}
WARNING_FRACTIONS = (0.75, 0.9)
PAUSED_SHARE = 0.10
BREACHED_SHARE = 0.05


# ------------------------------------------------------------------ realistic rows


@dataclass(frozen=True)
class TicketShape:
    """One open ticket: what its tenant rows and its public `WorkItem` row say."""

    number: int
    title: str
    category: str
    service_line: str
    impact: str
    urgency: str
    priority: str
    channel: str
    status: str
    assignee_id: int | None
    created_at: datetime
    first_responded_at: datetime | None
    paused_at: datetime | None
    deadline: datetime | None
    clock: str
    breach_state: str
    schedule: list[dict[str, object]]
    notified_stage: int

    @property
    def next_alert_at(self) -> datetime | None:
        return datetime.fromisoformat(str(self.schedule[0]["at"])) if self.schedule else None


def stages(start: datetime, length: float) -> list[tuple[int, str, datetime]]:
    """(stage, label, instant) of a clock's warnings and breach, as `alert_schedule` numbers them."""
    marks = [
        (index, f"{fraction:.0%}", start + timedelta(seconds=fraction * length))
        for index, fraction in enumerate(WARNING_FRACTIONS, start=1)
    ]
    return [*marks, (len(WARNING_FRACTIONS) + 1, "breached", start + timedelta(seconds=length))]


def running_clock(
    rng: random.Random, now: datetime, priority: str, status: str, *, due_stage: int | None = None
) -> tuple[datetime, datetime, str, str, list[dict[str, object]], int]:
    """(clock start, deadline, clock name, breach state, schedule, notified stage) of a running clock.

    Stages up to `now` are treated as already swept (notified, out of the schedule) unless
    `due_stage` is given: then that stage came due in the last five minutes and is still
    waiting for the sweep.
    """
    first_response, resolution = CLOCK_SECONDS[priority]
    if status == "new":
        name, length = "first_response", first_response
    elif rng.random() < 0.3:
        name, length = "next_update", first_response * 2
    else:
        name, length = "first_resolution", resolution
    if due_stage is None:
        start = now - timedelta(seconds=rng.uniform(0.0, 0.999) * length)
    else:
        fraction = ([*WARNING_FRACTIONS, 1.0])[due_stage - 1]
        stage_at = now - timedelta(seconds=rng.uniform(0, 300))
        start = stage_at - timedelta(seconds=fraction * length)
    marks = stages(start, length)
    if due_stage is None:
        schedule = [{"stage": s, "label": label, "at": at.isoformat()} for s, label, at in marks if at > now]
        notified = len(marks) - len(schedule)
    else:
        schedule = [
            {"stage": s, "label": label, "at": at.isoformat()} for s, label, at in marks if s >= due_stage
        ]
        notified = due_stage - 1
    state = "warning" if notified >= 1 or due_stage else "on_track"
    return start, marks[-1][2], name, state, schedule, notified


def ticket_shape(
    rng: random.Random,
    number: int,
    now: datetime,
    technician_ids: Sequence[int],
    *,
    kind: str | None = None,
    due_stage: int | None = None,
) -> TicketShape:
    """A plausible open ticket. `kind` forces "paused", "breached" or "running" (default: drawn)."""
    from services.catalog.triage import DEFAULT_MATRIX

    impact = rng.choices(("low", "medium", "high"), weights=(45, 40, 15))[0]
    urgency = rng.choices(("low", "medium", "high"), weights=(30, 45, 25))[0]
    priority = str(DEFAULT_MATRIX[impact, urgency])  # type: ignore[index]
    if kind is None:
        draw = rng.random()
        kind = "paused" if draw < PAUSED_SHARE else "breached" if draw < PAUSED_SHARE + BREACHED_SHARE else ""
    if kind == "paused":
        status = rng.choices(("waiting_on_client", "waiting_on_vendor"), weights=(70, 30))[0]
    else:
        status = rng.choices(("new", "open", "in_progress"), weights=(25, 35, 40))[0]
    assigned = rng.random() < (0.2 if status == "new" else 0.95)
    assignee = rng.choice(technician_ids) if assigned and technician_ids else None
    first_response, resolution = CLOCK_SECONDS[priority]
    schedule: list[dict[str, object]] = []
    paused_at = None
    if kind == "paused":
        created = now - timedelta(seconds=rng.uniform(3600, 5 * 86_400))
        paused_at = created + (now - created) * rng.uniform(0.2, 0.9)
        deadline, clock, state, notified = None, "first_resolution", "paused", 0
    elif kind == "breached":
        length = resolution if status != "new" else first_response
        deadline = now - timedelta(seconds=rng.uniform(60, 2 * 86_400))
        created = deadline - timedelta(seconds=length)
        clock = "first_response" if status == "new" else "first_resolution"
        state, notified = "breached", len(WARNING_FRACTIONS) + 1
    else:
        created, deadline, clock, state, schedule, notified = running_clock(
            rng, now, priority, status, due_stage=due_stage
        )
    answered = None if status == "new" else created + (min(now, deadline or now) - created) * 0.1
    return TicketShape(
        number=number,
        title=rng.choice(TITLES),
        category=rng.choice(CATEGORIES),
        service_line=rng.choices(("support", "infrastructure", "security"), weights=(60, 30, 10))[0],
        impact=impact,
        urgency=urgency,
        priority=priority,
        channel=rng.choices(("portal", "email", "phone", "monitoring"), weights=(50, 30, 10, 10))[0],
        status=status,
        assignee_id=assignee,
        created_at=created,
        first_responded_at=answered,
        paused_at=paused_at,
        deadline=deadline,
        clock=clock,
        breach_state=state,
        schedule=schedule,
        notified_stage=notified,
    )


WORK_ITEM_COLUMNS = (
    "client_id",
    "kind",
    "object_id",
    "number",
    "title",
    "priority",
    "status",
    "service_line",
    "is_open",
    "assignee_id",
    "watcher_ids",
    "next_deadline_at",
    "next_deadline_clock",
    "breach_state",
    "alert_schedule",
    "next_alert_at",
    "notified_stage",
    "created_at",
    "updated_at",
)


def work_item_row(client_id: int, ticket_id: int, shape: TicketShape, now: datetime) -> tuple[object, ...]:
    """The `workqueue_workitem` row `sync_work_item` writes for this ticket (columns above)."""
    return (
        client_id,
        "ticket",
        ticket_id,
        shape.number,
        shape.title,
        shape.priority,
        shape.status,
        shape.service_line,
        True,
        shape.assignee_id,
        "{}",  # no watchers (COPY text form of an empty integer[])
        shape.deadline,
        shape.clock,
        shape.breach_state,
        json.dumps(shape.schedule),
        shape.next_alert_at,
        shape.notified_stage,
        shape.created_at,
        now,
    )


def copy_rows(cursor: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """`COPY table (columns) FROM STDIN` with `rows`."""
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def set_sequences(cursor: Any, schema: str, tables: Sequence[str]) -> None:
    """Move the id sequences of `tables` past the rows inserted with explicit ids."""
    for table in tables:
        qualified = f'"{schema}".{table}'
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {qualified}))",
            [qualified],
        )


def load_client(
    cursor: Any,
    client_id: int,
    schema: str,
    rng: random.Random,
    now: datetime,
    per_client: int,
    technician_ids: Sequence[int],
    policy_id: int,
) -> list[tuple[object, ...]]:
    """Contacts, counter, tickets, SLA events and activities in one client schema; returns its work items."""
    # The history triggers name their event tables unqualified: they need the client's schema first.
    cursor.execute(f'SET search_path TO "{schema}", public')
    contacts = []
    for index in range(1, CONTACTS_PER_CLIENT + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
        contacts.append(
            (
                index,
                f"{first} {last}",
                f"{first}.{last}.{index}@{schema}.example.com".lower(),
                "",
                "",
                index == 1,
                True,
                now,
            )
        )
    copy_rows(
        cursor,
        f'"{schema}".directory_contact',
        ("id", "full_name", "email", "phone", "job_title", "is_business_critical", "is_active", "created_at"),
        contacts,
    )
    cursor.execute(
        f'INSERT INTO "{schema}".support_ticketcounter (id, next_number) VALUES (1, %s)', [per_client + 1]
    )
    tickets: list[tuple[object, ...]] = []
    events: list[tuple[object, ...]] = []
    activities: list[tuple[object, ...]] = []
    items: list[tuple[object, ...]] = []
    for number in range(1, per_client + 1):
        shape = ticket_shape(rng, number, now, technician_ids)
        reason = json.dumps(
            {
                "impact": shape.impact,
                "urgency": shape.urgency,
                "effective_urgency": shape.urgency,
                "business_critical_requester": False,
                "source": "default matrix",
            }
        )
        tickets.append(
            (
                number,
                number,
                shape.title,
                "",
                rng.randint(1, CONTACTS_PER_CLIENT),
                shape.category,
                shape.service_line,
                shape.impact,
                shape.urgency,
                shape.priority,
                reason,
                shape.channel,
                shape.status,
                shape.assignee_id,
                policy_id,
                shape.created_at,
                shape.paused_at or shape.first_responded_at or shape.created_at,
                shape.first_responded_at,
                "",
            )
        )
        events.append((number, "created", shape.created_at, shape.priority, policy_id, ""))
        if shape.first_responded_at:
            events.append((number, "first_public_reply", shape.first_responded_at, "", None, ""))
        if shape.paused_at:
            events.append((number, "paused", shape.paused_at, "", None, shape.status.replace("_", " ")))
        activities.append(
            (number, "created", None, False, json.dumps({"priority": shape.priority}), shape.created_at)
        )
        items.append(work_item_row(client_id, number, shape, now))
    copy_rows(
        cursor,
        f'"{schema}".support_ticket',
        (
            "id",
            "number",
            "title",
            "description",
            "requester_id",
            "category",
            "service_line",
            "impact",
            "urgency",
            "priority",
            "priority_reason",
            "channel",
            "status",
            "assignee_id",
            "sla_policy_id",
            "created_at",
            "updated_at",
            "first_responded_at",
            "idempotency_key",
        ),
        tickets,
    )
    copy_rows(
        cursor,
        f'"{schema}".support_ticketslaevent',
        ("ticket_id", "kind", "at", "priority", "policy_id", "reason"),
        events,
    )
    copy_rows(
        cursor,
        f'"{schema}".support_ticketactivity',
        ("ticket_id", "kind", "actor_id", "is_internal", "detail", "created_at"),
        activities,
    )
    set_sequences(cursor, schema, ("directory_contact", "support_ticket", "support_ticketcounter"))
    cursor.execute(f'ANALYZE "{schema}".support_ticket')
    return items


def load_tickets(
    db_url: str, per_client: int, technician_ids: Sequence[int], seed: int, now: datetime
) -> int:
    """Tickets (and work items) for every client that has none yet; returns how many clients were loaded."""
    import psycopg

    from services.catalog.models import SlaPolicy
    from services.workqueue.models import WorkItem
    from tenants.models import Client

    policy_id = SlaPolicy.objects.get(is_default=True).pk
    loaded = set(WorkItem.objects.values_list("client_id", flat=True).distinct())
    todo = [
        (pk, schema)
        for pk, schema in Client.objects.clients().order_by("pk").values_list("pk", "schema_name")
        if pk not in loaded
    ]
    started = time.perf_counter()
    with psycopg.connect(db_url) as raw, raw.cursor() as cursor:
        for batch_start in range(0, len(todo), LOAD_BATCH):
            items: list[tuple[object, ...]] = []
            for client_id, schema in todo[batch_start : batch_start + LOAD_BATCH]:
                rng = random.Random(seed * 1_000_003 + client_id)
                items.extend(
                    load_client(cursor, client_id, schema, rng, now, per_client, technician_ids, policy_id)
                )
            copy_rows(cursor, "public.workqueue_workitem", WORK_ITEM_COLUMNS, items)
            raw.commit()
            done = min(batch_start + LOAD_BATCH, len(todo))
            print(
                f"  tickets for {done}/{len(todo)} clients ({per_client * done} tickets, "
                f"{time.perf_counter() - started:.0f} s)",
                flush=True,
            )
        raw.autocommit = True
        cursor.execute("VACUUM ANALYZE public.workqueue_workitem")
        cursor.execute("ANALYZE public.tenants_client")
        cursor.execute("ANALYZE public.tenants_user")
    return len(todo)


# ------------------------------------------------------------------ people


@dataclass
class Staff:
    admin: Any
    technician: Any  # the one whose queue is measured (also an assignee)
    limited: Any  # allow-list of LIMITED_CLIENTS clients
    technician_ids: list[int]
    devices: dict[int, Any]


def make_staff(count: int) -> Staff:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tenants.models import MspRole, User

    admin = User.objects.create_user(
        "bench-admin@msp.example.com", None, full_name="Bench Admin", msp_role=MspRole.ADMIN
    )
    technicians = [
        User.objects.create_user(
            f"tech{index:02d}@msp.example.com",
            None,
            full_name=f"{FIRST_NAMES[index % 10]} {SURNAMES[index // 10 % 10]}",
            msp_role=MspRole.TECHNICIAN,
        )
        for index in range(count)
    ]
    limited = User.objects.create_user(
        "limited@msp.example.com",
        None,
        full_name="Lia Limited",
        msp_role=MspRole.TECHNICIAN,
        limited_to_allowed_clients=True,
    )
    devices = {
        user.pk: TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        for user in (technicians[0], limited)
    }
    return Staff(admin, technicians[0], limited, [t.pk for t in technicians], devices)


def grant_limited_access(staff: Staff) -> list[str]:
    """Give the limited technician the first LIMITED_CLIENTS clients; returns their slugs."""
    from tenants.models import Client, StaffClientAccess

    clients = list(Client.objects.clients().order_by("pk")[:LIMITED_CLIENTS])
    for client in clients:
        StaffClientAccess.objects.get_or_create(user=staff.limited, client=client)
    return [client.slug for client in clients]


def reference_ticket(staff: Staff) -> dict[str, object]:
    """Raise one ticket with the real `create_ticket` in the first client; its work item, for comparison."""
    from django_tenants.utils import tenant_context

    from services.support.actions import NewTicket, assign_ticket, create_ticket
    from services.workqueue.models import WorkItem
    from tenants.models import Client

    client = Client.objects.clients().order_by("pk").first()
    assert client is not None
    with tenant_context(client):
        ticket = create_ticket(
            client,
            NewTicket(
                title="Reference: raised by create_ticket",
                impact="medium",
                urgency="high",
                requester_contact_id=1,
            ),
            actor=staff.admin,
        )
        assign_ticket(client, ticket.number, actor=staff.admin, assignee_id=staff.technician.pk)
    item = WorkItem.objects.get(client=client, object_id=ticket.pk)
    return {
        "number": item.number,
        "priority": item.priority,
        "status": item.status,
        "clock": item.next_deadline_clock,
        "breach_state": item.breach_state,
        "deadline in (min)": round((item.next_deadline_at - item.created_at).total_seconds() / 60)
        if item.next_deadline_at
        else None,
        "alert_schedule labels": [entry["label"] for entry in item.alert_schedule],
    }


# ------------------------------------------------------------------ measuring


@dataclass
class Variant:
    """One queue the benchmark asks for, through GraphQL and through `queue_queryset`."""

    label: str
    user: Any
    variables: dict[str, object]  # GraphQL variables
    filters: dict[str, object]  # queue_queryset keyword arguments
    requests: int


@dataclass
class Measured:
    variant: str
    graphql: list[float] = field(default_factory=list)
    sql_page: list[float] = field(default_factory=list)
    sql_count: list[float] = field(default_factory=list)
    total_count: int = 0
    queries: int = 0
    queries_small_page: int = 0
    page_plan: str = ""
    count_plan: str = ""
    sql: list[str] = field(default_factory=list)


@dataclass
class SizeResult:
    clients: int
    open_items: int
    measured: list[Measured]
    naive: dict[str, list[float]]
    naive_queries: dict[str, int]


def graphql_client(user: Any, device: Any) -> Any:
    """A test Client on the MSP host, signed in as `user` with a verified second factor."""
    from django.test import Client as HttpClient

    http = HttpClient(HTTP_HOST=MSP_HOST)
    http.force_login(user)
    session = http.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return http


def post_queue(http: Any, variables: dict[str, object], first: int = PAGE) -> dict[str, Any]:
    response = http.post(
        "/graphql/",
        data=json.dumps({"query": QUEUE, "variables": {"first": first, **variables}}),
        content_type="application/json",
    )
    body = json.loads(response.content)
    if response.status_code != 200 or "errors" in body:
        raise SystemExit(f"queue request failed ({response.status_code}): {body}")
    return body["data"]["queue"]  # type: ignore[no-any-return]


def timed(call: Callable[[], object], repeats: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call()
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def verified(user: Any) -> Any:
    """`user` as django-otp leaves it after a verified request (queue_queryset checks it)."""
    user.is_verified = lambda: True
    return user


INDEX_USE = re.compile(
    r"(?:Index Only Scan|Index Scan)(?: Backward)? using (\w+)|Bitmap Index Scan on (\w+)|Seq Scan on (\w+)"
)


def plan_summary(plan: str) -> str:
    """Indexes (and sequential scans) in a plan, in order of first appearance, with execution time."""
    used: list[str] = []
    for index, bitmap, table in INDEX_USE.findall(plan):
        name = index or (f"bitmap {bitmap}" if bitmap else f"seq scan {table}")
        if name not in used:
            used.append(name)
    timing = re.search(r"Execution Time: ([0-9.]+) ms", plan)
    return f"{', '.join(used)} ({timing.group(1) if timing else '?'} ms)"


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def capture_request(http: Any, variables: dict[str, object], first: int) -> list[str]:
    """The SQL of one GraphQL request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        post_queue(http, variables, first)
    return [query["sql"] for query in captured.captured_queries]


def measure_variant(variant: Variant, staff: Staff, expected: Callable[[], int], warmup: int) -> Measured:
    from django.utils import timezone

    from services.workqueue.selectors import queue_queryset

    result = Measured(variant.label)
    http = graphql_client(variant.user, staff.devices[variant.user.pk])
    # Deadlines keep passing while this runs: `breached` can only grow between the two counts.
    before = expected()
    first = post_queue(http, variant.variables)
    after = expected()
    result.total_count = first["totalCount"]
    rows = len(first["edges"])
    # The queue counts up to CappedCountConnection.count_cap (then says "10,000+").
    from core.graphql.types import CappedCountConnection

    cap = CappedCountConnection.count_cap
    if rows != min(PAGE, before) or not min(before, cap) <= result.total_count <= min(after, cap):
        raise SystemExit(
            f"{variant.label}: got {rows} rows of {result.total_count}, expected {before}..{after} matches"
        )
    expected_total = result.total_count
    result.graphql = timed(lambda: post_queue(http, variant.variables), variant.requests, warmup)

    user = verified(type(variant.user).objects.get(pk=variant.user.pk))

    def page() -> None:
        items = list(queue_queryset(user, now=timezone.now(), **variant.filters)[:PAGE])  # type: ignore[arg-type]
        assert len(items) == min(PAGE, expected_total)

    result.sql_page = timed(page, variant.requests, warmup)
    result.sql_count = timed(
        lambda: queue_queryset(user, now=timezone.now(), **variant.filters).count(),  # type: ignore[arg-type]
        max(20, variant.requests // 4),
        3,
    )
    queries = capture_request(http, variant.variables, PAGE)
    result.queries = len(queries)
    result.sql = queries
    result.queries_small_page = len(capture_request(http, variant.variables, 5))
    on_index = [q for q in queries if '"workqueue_workitem"' in q]
    count_sql = next((q for q in on_index if "COUNT(*)" in q.upper()), "")
    page_sql = next((q for q in on_index if "LIMIT" in q.upper() and "COUNT(*)" not in q.upper()), "")
    result.count_plan = explain(count_sql) if count_sql else "(no count query captured)"
    result.page_plan = explain(page_sql) if page_sql else "(no page query captured)"
    return result


def naive_queue(clients: Sequence[Any], assignee_id: int | None = None) -> list[tuple[object, ...]]:
    """The queue without the index: every client schema's open tickets, merged; the first 50."""
    from django_tenants.utils import tenant_context

    from services.support.models import DONE_STATUSES, Ticket

    rows: list[tuple[object, ...]] = []
    for client in clients:
        with tenant_context(client):
            tickets = Ticket.objects.exclude(status__in=DONE_STATUSES)
            if assignee_id is not None:
                tickets = tickets.filter(assignee_id=assignee_id)
            rows.extend(
                (created, client.slug, *rest)
                for created, *rest in tickets.order_by("created_at").values_list(
                    "created_at", "number", "title", "priority", "status", "assignee_id"
                )
            )
    return heapq.nsmallest(PAGE, rows, key=lambda row: row[0])  # type: ignore[arg-type,return-value]


def count_queries(call: Callable[[], object]) -> int:
    from django.db import connection

    executed = 0

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal executed
        executed += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        call()
    return executed


def measure_size(args: argparse.Namespace, staff: Staff, limited_slugs: Sequence[str]) -> SizeResult:
    from django.db.models import Q
    from django.utils import timezone

    from services.workqueue.models import BreachState, WorkItem
    from tenants.models import Client

    clients = list(Client.objects.clients().order_by("pk"))
    open_items = WorkItem.objects.filter(is_open=True)
    total = open_items.count()
    middle = clients[len(clients) // 2]
    expected: dict[str, Callable[[], int]] = {
        "all open work": open_items.count,
        "mine": open_items.filter(assignee=staff.technician).count,
        "one client": open_items.filter(client=middle).count,
        "breached": lambda: open_items.filter(
            Q(breach_state=BreachState.BREACHED) | Q(next_deadline_at__lte=timezone.now())
        ).count(),
        f"limited technician ({LIMITED_CLIENTS} clients)": open_items.filter(
            client__slug__in=limited_slugs
        ).count,
    }
    variants = [
        Variant("all open work", staff.technician, {}, {}, args.requests),
        Variant("mine", staff.technician, {"mine": True}, {"mine": True}, args.filtered_requests),
        Variant(
            "one client",
            staff.technician,
            {"client": middle.slug},
            {"client_slug": middle.slug},
            args.filtered_requests,
        ),
        Variant("breached", staff.technician, {"breached": True}, {"breached": True}, args.filtered_requests),
        Variant(
            f"limited technician ({LIMITED_CLIENTS} clients)", staff.limited, {}, {}, args.filtered_requests
        ),
    ]
    measured = []
    for variant in variants:
        result = measure_variant(variant, staff, expected[variant.label], args.warmup)
        measured.append(result)
        print(
            f"  {len(clients)} clients  {variant.label:<32} "
            f"GraphQL p50 {1000 * statistics.median(result.graphql):6.1f} ms"
            f"  SQL page p50 {1000 * statistics.median(result.sql_page):6.2f} ms"
            f"  count p50 {1000 * statistics.median(result.sql_count):6.2f} ms"
            f"  ({result.queries} queries/request, load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    loops = args.naive_loops or max(3, 2000 // len(clients))
    naive: dict[str, list[float]] = {}
    naive_queries: dict[str, int] = {}
    for label, assignee in (("all open work", None), ("mine", staff.technician.pk)):
        naive_queries[label] = count_queries(lambda a=assignee: naive_queue(clients, a))  # type: ignore[misc]
        naive[label] = timed(lambda a=assignee: naive_queue(clients, a), loops, 1)  # type: ignore[misc]
        print(
            f"  {len(clients)} clients  naive loop, {label:<20} "
            f"p50 {1000 * statistics.median(naive[label]):7.0f} ms"
            f"  ({loops} loops, {naive_queries[label]} queries each, load {os.getloadavg()[0]:.1f})",
            flush=True,
        )
    return SizeResult(len(clients), total, measured, naive, naive_queries)


# ------------------------------------------------------------------ report


def ms(values: Sequence[float], fraction: float | None = None) -> str:
    value = statistics.median(values) if fraction is None else percentile(values, fraction)
    return f"{1000 * value:.2f}" if value < 0.01 else f"{1000 * value:.1f}"


def report(results: list[SizeResult], reference: dict[str, object], machine: list[tuple[str, str]]) -> None:
    print()
    print(f"Work item written by the real create_ticket + assign_ticket (for comparison): {reference}")
    print()
    print(
        f"Technician queue, first {PAGE} rows: (a) the GraphQL request through Django's test Client, "
        "(b) the SQL alone — the page (queue_queryset[:50]) and the count the connection adds; ms"
    )
    print()
    rows = []
    for size in results:
        for m in size.measured:
            rows.append(
                [
                    size.clients,
                    m.variant,
                    m.total_count,
                    len(m.graphql),
                    ms(m.graphql),
                    ms(m.graphql, 0.95),
                    ms(m.sql_page),
                    ms(m.sql_page, 0.95),
                    ms(m.sql_count),
                    ms(m.sql_count, 0.95),
                    f"{m.queries} / {m.queries_small_page}",
                ]
            )
    print_table(
        [
            "clients",
            "queue",
            "matches",
            "requests",
            "GraphQL p50",
            "GraphQL p95",
            "SQL page p50",
            "SQL page p95",
            "count p50",
            "count p95",
            "queries/request (50 / 5 rows)",
        ],
        rows,
    )
    print()
    print("(c) Naive alternative: one loop over every client schema (tenant_context + ORM), merged; ms")
    print()
    naive_rows = []
    for size in results:
        for label, values in size.naive.items():
            naive_rows.append(
                [size.clients, label, len(values), size.naive_queries[label], ms(values), ms(values, 0.95)]
            )
    print_table(["clients", "queue", "loops", "queries per loop", "p50", "p95"], naive_rows)
    if len(results) > 1:
        low, high = results[0], results[-1]
        print()
        print(f"From {low.clients} to {high.clients} clients (p50 at {high.clients} / p50 at {low.clients}):")
        print()
        scale_rows = []
        for m_low, m_high in zip(low.measured, high.measured, strict=True):
            scale_rows.append(
                [
                    m_low.variant,
                    f"{statistics.median(m_high.graphql) / statistics.median(m_low.graphql):.2f}x",
                    f"{statistics.median(m_high.sql_page) / statistics.median(m_low.sql_page):.2f}x",
                    f"{statistics.median(m_high.sql_count) / statistics.median(m_low.sql_count):.2f}x",
                ]
            )
        for label in low.naive:
            scale_rows.append(
                [
                    f"naive loop, {label}",
                    "",
                    f"{statistics.median(high.naive[label]) / statistics.median(low.naive[label]):.2f}x",
                    "",
                ]
            )
        print_table(["queue", "GraphQL", "SQL page", "count"], scale_rows)
    print()
    last = results[-1]
    print(f"The {last.measured[0].queries} queries of one unfiltered request at {last.clients} clients:")
    print()
    for number, sql in enumerate(last.measured[0].sql, start=1):
        print(f"  {number}. {sql if len(sql) <= 150 else sql[:147] + '...'}")
    print()
    print("Indexes used by the queries the GraphQL request sent (EXPLAIN ANALYZE, execution time):")
    print()
    plan_rows = []
    for size in results:
        for m in size.measured:
            plan_rows.append([size.clients, m.variant, plan_summary(m.page_plan), plan_summary(m.count_plan)])
    print_table(["clients", "queue", "page query", "count query"], plan_rows)
    for size in results:
        main = size.measured[0]
        uses = "uses" if "work_item_open_deadline_idx" in main.page_plan else "does NOT use"
        print()
        print(
            f"EXPLAIN (ANALYZE, BUFFERS) of the page query at {size.clients} clients "
            f"({uses} work_item_open_deadline_idx):"
        )
        print()
        print(main.page_plan)
        print()
        print(f"...and of its count query at {size.clients} clients:")
        print()
        print(main.count_plan)
    print()
    print_table(["machine", ""], [*machine, ("Load average at end (1/5/15 min)", load_average())])


# ------------------------------------------------------------------ main


def run(args: argparse.Namespace, db_url: str) -> tuple[list[SizeResult], dict[str, object]]:
    from django.utils import timezone

    from benchmarks.migrate_schemas import add_clients

    staff = make_staff(args.technicians)
    results: list[SizeResult] = []
    reference: dict[str, object] = {}
    for size in sorted(args.clients):
        print(f"Growing to {size} clients with {args.tickets_per_client} open tickets each…", flush=True)
        add_clients(size, db_url)
        load_tickets(db_url, args.tickets_per_client, staff.technician_ids, args.seed, timezone.now())
        if not reference:
            reference = reference_ticket(staff)
        limited_slugs = grant_limited_access(staff)
        print(f"Measuring at {size} clients…", flush=True)
        results.append(measure_size(args, staff, limited_slugs))
    return results, reference


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Time the technician queue (GraphQL and SQL) against N clients × 100 open tickets, "
        "and the naive per-schema loop it replaces.",
    )
    parser.add_argument(
        "--clients", type=int, nargs="+", default=[100, 1000], help="client counts (default 100 1000)"
    )
    parser.add_argument(
        "--tickets-per-client", type=int, default=100, help="open tickets per client (default 100)"
    )
    parser.add_argument(
        "--requests", type=int, default=200, help="timed requests for the unfiltered queue (default 200)"
    )
    parser.add_argument(
        "--filtered-requests", type=int, default=100, help="timed requests per filtered queue (default 100)"
    )
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests first (default 20)")
    parser.add_argument(
        "--naive-loops",
        type=int,
        default=0,
        help="timed naive loops per size (default: max(3, 2000 / clients), so 20 at 100 and 3 at 1000)",
    )
    parser.add_argument("--technicians", type=int, default=20, help="technicians tickets go to (default 20)")
    parser.add_argument("--seed", type=int, default=20261124, help="random seed of the ticket data")
    add_database_arguments(parser, "msp_bench_queue")
    args = parser.parse_args(argv)

    with bootstrapped_database(args, EXTRA_ENVIRONMENT) as (db_url, machine):
        results, reference = run(args, db_url)
        report(results, reference, machine)


if __name__ == "__main__":
    main()
