"""Benchmark: one `sweep_sla_alerts` run over 100,000 open work items, by how many are due.

The sweep reads the public index only (it never visits client schemas), so the public table is
all this needs: 100 client rows (no schemas) and 100,000 open `WorkItem` rows spread over them,
shaped like what `sync_work_item` writes (see `benchmarks.queue_latency`): ~10 % paused (no
alert instants), ~5 % already breached and notified, the rest running with the warning stages
(75 %, 90 %, breach) still ahead in `alert_schedule` and `next_alert_at` set to the first of them.
Every item has an assignee (20 technicians with email addresses), so every due stage writes a
`Notification` and sends an email (Django's locmem backend: nothing leaves the process).

For each scenario the table is rebuilt with `COPY` (then `VACUUM ANALYZE`) so that a share of
the items has a stage that came due in the five minutes before the sweep instant and has not
been notified yet (half at 75 %, 30 % at 90 %, 20 % breaching), and the rest are not due:

* **0 %** — nothing due: the cost of the every-minute sweep on a quiet minute;
* **2 %** (2,000 items) — a busy minute;
* **20 %** (20,000 items) — exactly `SLA_SWEEP_MAX_ITEMS` (default 20,000), the most one run takes;
* **100 %** — every item due: the run stops at the cap, the rest wait for the next run.

Each scenario sweeps twice at the same instant: the first run does the work; the second,
immediately after, must notify nobody it has already notified (the stored stage and the unique
notification key make the sweep idempotent). In the 100 % scenario the second run picks up the
next 20,000 items the cap left behind — new work, not repeats; the script checks that no
notification was written twice. Reported per run: wall-clock seconds, CPU of this process and
of its PostgreSQL backend, items examined, warnings, breaches, notifications, SQL statements
executed, and `EXPLAIN ANALYZE` of the candidate query and of the first batch's statement.

The sweep is timed on its own ("decide and record"): its e-mails wait in the outbox (no relay
on commit). Then they are delivered as a worker would: `core.outbox.relay` publishes the outbox
rows and each runs the `workqueue.send_sla_emails` task in-process (Celery eager mode) to
Django's locmem backend; reported as seconds, CPU and e-mails per second.

Runs on its own throwaway database (`msp_bench_sla_sweep` by default), created and dropped by the
script. Run from the repository root:

    .venv/bin/python -m benchmarks.sla_sweep        # 100,000 items; 0 %, 2 %, 20 %, 100 % due
    .venv/bin/python -m benchmarks.sla_sweep --items 20000 --due 0.02
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import random
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from benchmarks.provisioning import (
    add_database_arguments,
    bootstrapped_database,
    load_average,
    print_table,
)
from benchmarks.queue_latency import (
    EXTRA_ENVIRONMENT,
    WORK_ITEM_COLUMNS,
    copy_rows,
    make_staff,
    plan_summary,
    ticket_shape,
    work_item_row,
)

DUE_STAGE_WEIGHTS = {1: 50, 2: 30, 3: 20}  # 75 %, 90 %, breach
BATCH_SIZE = 1000  # sweep_sla_alerts' default
FIRST_BATCH = "\n\nFirst batch statement:\n"


@dataclass
class Run:
    scenario: str
    due: int
    sweep: str  # "first" / "second"
    seconds: float
    examined: int
    warned: int
    breached: int
    notifications: int
    emails: int
    queries: int
    candidate_plan: str
    cpu_seconds: float
    batches: list[float]
    delivery_seconds: float = 0.0
    delivery_cpu_seconds: float = 0.0
    backend_cpu_seconds: float = 0.0

    @property
    def emails_per_second(self) -> str:
        if not self.emails or not self.delivery_seconds:
            return ""
        return f"{self.emails / self.delivery_seconds:.0f}"

    @property
    def batch_summary(self) -> str:
        """Seconds of the first, median and last batch (the sweep handles BATCH_SIZE items at a time)."""
        if not self.batches:
            return ""
        return " / ".join(
            f"{value:.2f}" for value in (self.batches[0], statistics.median(self.batches), self.batches[-1])
        )


def make_clients(count: int) -> list[int]:
    """Client rows only (the sweep never enters a schema); returns their ids."""
    from tenants.models import Client, ClientStatus, TenantKind

    clients = Client.objects.bulk_create(
        Client(
            schema_name=f"client_sweep_{index:04d}",
            name=f"Sweep Client {index:04d}",
            slug=f"sweep-{index:04d}",
            kind=TenantKind.CLIENT,
            status=ClientStatus.ACTIVE,
        )
        for index in range(count)
    )
    return [client.pk for client in clients]


def load_items(
    db_url: str,
    items: int,
    client_ids: Sequence[int],
    technician_ids: Sequence[int],
    due_share: float,
    now: datetime,
    seed: int,
) -> int:
    """Replace every work item and notification with `items` open items, `due_share` of them due at `now`."""
    import psycopg

    rng = random.Random(seed)
    due_count = round(due_share * items)
    due = set(rng.sample(range(items), due_count))
    stages, weights = list(DUE_STAGE_WEIGHTS), list(DUE_STAGE_WEIGHTS.values())
    rows = []
    for index in range(items):
        client_id = client_ids[index % len(client_ids)]
        number = index // len(client_ids) + 1
        if index in due:
            shape = ticket_shape(
                rng, number, now, technician_ids, kind="running", due_stage=rng.choices(stages, weights)[0]
            )
        else:
            shape = ticket_shape(rng, number, now, technician_ids)
        shape = dataclasses.replace(shape, assignee_id=rng.choice(technician_ids))
        rows.append(work_item_row(client_id, number, shape, now))
    with psycopg.connect(db_url, autocommit=True) as raw, raw.cursor() as cursor:
        cursor.execute("TRUNCATE public.workqueue_workitem, public.workqueue_notification RESTART IDENTITY")
        with raw.transaction():
            copy_rows(cursor, "public.workqueue_workitem", WORK_ITEM_COLUMNS, rows)
        cursor.execute("VACUUM ANALYZE public.workqueue_workitem")
        cursor.execute("VACUUM ANALYZE public.workqueue_notification")
        cursor.execute("ANALYZE public.tenants_client")
    return due_count


def candidate_plan(now: datetime) -> str:
    """EXPLAIN ANALYZE of the sweep's candidate query, then of its first batch statement
    (lock the batch's items, decide and record their stage) in a transaction rolled back."""
    from django.conf import settings
    from django.db import connection, transaction

    from services.workqueue.models import BreachState, WorkItem
    from services.workqueue.sweep import _claim_and_decide_sql
    from tenants.models import LIVE_CLIENT_STATUSES

    candidates = (
        WorkItem.objects.filter(is_open=True, next_alert_at__lte=now)
        .filter(client__status__in=LIVE_CLIENT_STATUSES)
        .exclude(breach_state=BreachState.PAUSED)
        .order_by("next_alert_at")
        .values_list("pk", flat=True)
    )
    params: dict[str, Any] = {
        "ids": list(candidates[:BATCH_SIZE]),
        "now": now,
        "paused": BreachState.PAUSED.value,
        "breached": BreachState.BREACHED.value,
        "warning": BreachState.WARNING.value,
    }
    sql, sql_params = candidates[: settings.SLA_SWEEP_MAX_ITEMS].query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, sql_params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + _claim_and_decide_sql(), params)
        plan += FIRST_BATCH + "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def backend_cpu() -> float:
    """CPU seconds (user + system) used so far by this process's PostgreSQL backend (the
    server runs on this machine; read from /proc)."""
    from django.db import connection

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_sweep(scenario: str, due: int, sweep: str, now: datetime) -> Run:
    from django.core import mail
    from django.db import connection
    from django.test.utils import override_settings

    from core.outbox import relay
    from services.workqueue.sweep import sweep_sla_alerts

    plan = candidate_plan(now)
    mail.outbox = []
    executed = 0
    batch_starts: list[float] = []

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal executed
        executed += 1
        if "FOR UPDATE" in sql:
            batch_starts.append(time.perf_counter())
        return execute(sql, params, many, context)

    # The sweep decides and records; its e-mails wait in the outbox (no relay on commit),
    # then are delivered separately below, as a worker would: the relay publishes the outbox
    # rows, each runs `send_sla_emails` in-process (eager) to the locmem backend.
    with connection.execute_wrapper(counter), override_settings(OUTBOX_RELAY_ON_COMMIT=False):
        database_cpu = backend_cpu()
        cpu = time.process_time()
        started = time.perf_counter()
        result = sweep_sla_alerts(now)
        finished = time.perf_counter()
        cpu = time.process_time() - cpu
        database_cpu = backend_cpu() - database_cpu
    delivery_cpu = time.process_time()
    delivery_started = time.perf_counter()
    relay()
    delivery_seconds = time.perf_counter() - delivery_started
    delivery_cpu = time.process_time() - delivery_cpu
    seconds = finished - started
    bounds = [*batch_starts, finished]
    run = Run(
        scenario,
        due,
        sweep,
        seconds,
        result.examined,
        result.warned,
        result.breached,
        result.notifications,
        len(mail.outbox),
        executed,
        plan,
        cpu,
        [end - start for start, end in itertools.pairwise(bounds)],
        delivery_seconds,
        delivery_cpu,
        database_cpu,
    )
    print(
        f"  {scenario:>5} due, {sweep} sweep: {seconds:7.2f} s  examined {result.examined:>6}  "
        f"warned {result.warned:>6}  breached {result.breached:>5}  notified {result.notifications:>6}  "
        f"emails {len(mail.outbox):>6}  {executed} SQL statements  CPU {cpu:.2f} s "
        f"(+ database {database_cpu:.2f} s)  "
        f"batches {run.batch_summary or '-'} s; e-mails delivered in {delivery_seconds:.2f} s "
        f"(CPU {delivery_cpu:.2f} s, {run.emails_per_second or '-'}/s)  (load {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    return run


def check_once(runs: Sequence[Run]) -> None:
    """Every notification row is one the sweeps reported; none was written twice."""
    from django.db.models import Count

    from services.workqueue.models import Notification

    reported = sum(run.notifications for run in runs)
    stored = Notification.objects.count()
    per_stage = (
        Notification.objects.values("user", "link", "kind", "title")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    if stored != reported or per_stage:
        raise SystemExit(f"{stored} notifications stored, {reported} reported, {per_stage} written twice")


def run(args: argparse.Namespace, db_url: str) -> list[Run]:
    from django.utils import timezone

    from msp_portal.celery import app

    # E-mails go through the outbox; the relay runs their sender in-process (timed apart from
    # the sweep), so they are counted and nothing is published.
    app.conf.task_always_eager = True
    # A worker has imported every app's tasks when it starts; do it before timing anything
    # (the outbox looks the e-mail task up when the first batch queues it).
    from core.tasks import registered_task
    from services.workqueue.sweep import SEND_EMAILS_TASK

    registered_task(SEND_EMAILS_TASK)

    staff = make_staff(args.technicians)
    client_ids = make_clients(args.clients)
    runs: list[Run] = []
    for share in args.due:
        scenario = f"{share:.0%}"
        now = timezone.now()
        started = time.perf_counter()
        due = load_items(db_url, args.items, client_ids, staff.technician_ids, share, now, args.seed)
        print(
            f"Scenario {scenario} due: {args.items} open items, {due} due at the sweep instant "
            f"(loaded in {time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        scenario_runs = [timed_sweep(scenario, due, sweep, now) for sweep in ("first", "second")]
        check_once(scenario_runs)
        runs.extend(scenario_runs)
    return runs


def report(runs: Sequence[Run], items: int, clients: int, machine: list[tuple[str, str]]) -> None:
    from django.conf import settings

    print()
    print(
        f"sweep_sla_alerts over {items} open work items of {clients} clients "
        f"(SLA_SWEEP_MAX_ITEMS={settings.SLA_SWEEP_MAX_ITEMS}, batches of {BATCH_SIZE}; "
        "second sweep at the same instant)"
    )
    print()
    print_table(
        [
            "due",
            "due items",
            "sweep",
            "seconds",
            "CPU s (this process)",
            "CPU s (its database backend)",
            "batch s (first / median / last)",
            "examined",
            "warned",
            "breached",
            "notifications",
            "emails",
            "SQL statements",
            "ms per examined item",
            "e-mail delivery s (CPU s)",
            "e-mails/s",
        ],
        [
            [
                run.scenario,
                run.due,
                run.sweep,
                f"{run.seconds:.3f}",
                f"{run.cpu_seconds:.3f}",
                f"{run.backend_cpu_seconds:.2f}",
                run.batch_summary,
                run.examined,
                run.warned,
                run.breached,
                run.notifications,
                run.emails,
                run.queries,
                f"{1000 * run.seconds / run.examined:.2f}" if run.examined else "",
                f"{run.delivery_seconds:.3f} ({run.delivery_cpu_seconds:.3f})" if run.emails else "",
                run.emails_per_second,
            ]
            for run in runs
        ],
    )
    print()
    print("The candidate query (EXPLAIN ANALYZE before each sweep: indexes used, execution time):")
    print()
    print_table(
        ["due", "sweep", "candidate query", "first batch statement"],
        [
            [run.scenario, run.sweep, *(plan_summary(part) for part in run.candidate_plan.split(FIRST_BATCH))]
            for run in runs
        ],
    )
    busiest = max(runs, key=lambda run: run.examined)
    print()
    print(f"Its plan with {busiest.examined} items to take ({busiest.scenario} due, {busiest.sweep} sweep):")
    print()
    print(busiest.candidate_plan)
    print()
    print_table(["machine", ""], [*machine, ("Load average at end (1/5/15 min)", load_average())])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Time sweep_sla_alerts over 100,000 open work items with 0 %, 2 %, 20 % and 100 % due.",
    )
    parser.add_argument("--items", type=int, default=100_000, help="open work items (default 100000)")
    parser.add_argument("--clients", type=int, default=100, help="clients they belong to (default 100)")
    parser.add_argument(
        "--due",
        type=float,
        nargs="+",
        default=[0.0, 0.02, 0.2, 1.0],
        help="shares of the items due at the sweep instant, one scenario each (default 0 0.02 0.2 1)",
    )
    parser.add_argument("--technicians", type=int, default=20, help="assignees (default 20)")
    parser.add_argument("--seed", type=int, default=20261124, help="random seed of the work items")
    add_database_arguments(parser, "msp_bench_sla_sweep")
    args = parser.parse_args(argv)

    with bootstrapped_database(args, EXTRA_ENVIRONMENT) as (db_url, machine):
        runs = run(args, db_url)
        report(runs, args.items, args.clients, machine)


if __name__ == "__main__":
    main()
