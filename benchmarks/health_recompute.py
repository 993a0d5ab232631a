"""Benchmark: the health score recompute for 1,000 clients (services/outreach/health.py).

Two paths are timed on the same data:

* **nightly** — what the `outreach-health-nightly` fan-out does: one `recompute_health([client])`
  per client (each a Celery task in its client's schema; here run one after another in this
  process, so the total is the CPU + database time the workers spend in all);
* **batch** — what the `outreach-signal-watch` job does for the clients whose signals moved:
  `recompute_health(batch)` for batches of 200 clients.

Reported: seconds in all and per client, SQL statements per client / per batch (constant).

The data: 1,000 client rows; each client has a schema holding only the tables the schema-side
signals read (`schema_tables`, copied from the template with `LIKE … INCLUDING ALL`): 40 SLA
outcomes of the last 90 days; two monitored services (two monitors each, a few state changes
this month and one before it, a maintenance window) with last month's stored availability;
three security incidents; a week of MFA snapshots. In public: 30 work items (tickets) spread
over the last 210 days (some open P1/P2), 3 check-ins with a sentiment and 4 invoices (some
overdue). Outreach profiles exist (the second night onwards). Wall and CPU time (this process:
Python; the database's own CPU is not in it). Runs on its own throwaway database
(`msp_bench_health`):

    .venv/bin/python -m benchmarks.health_recompute              # 1,000 clients
    .venv/bin/python -m benchmarks.health_recompute --clients 200
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence
from datetime import timedelta

from benchmarks.provisioning import add_database_arguments, bootstrapped_database, load_average, print_table
from benchmarks.queue_latency import EXTRA_ENVIRONMENT, count_queries

BATCH = 200


def make_data(clients: int, seed: int) -> list[int]:
    from django.db import connection
    from django.utils import timezone

    from services.outreach.models import CheckIn, CheckInKind, CheckInStatus
    from services.workqueue.models import WorkItem, WorkItemKind
    from tenants.models import Client, ClientStatus, MspRole, TenantKind, User

    rng = random.Random(seed)
    now = timezone.now()
    manager = User.objects.create_user(
        "bench-am@msp.example.com", None, full_name="Bench AM", msp_role=MspRole.ACCOUNT_MANAGER
    )
    rows = Client.objects.bulk_create(
        Client(
            schema_name=f"bench_health_{index:04d}",
            name=f"Health Client {index:04d}",
            slug=f"health-{index:04d}",
            kind=TenantKind.CLIENT,
            status=ClientStatus.ACTIVE,
            account_manager=manager,
            tier=rng.choice(["premium", "standard", "essential"]),
            created_at=now - timedelta(days=400),
        )
        for index in range(clients)
    )
    from services.outreach.signals import SIGNALS

    tables = sorted({t for signal in SIGNALS.values() if signal.installed() for t in signal.schema_tables})
    print(f"Creating {clients} schemas with {', '.join(tables)}…", flush=True)
    with connection.cursor() as cursor:
        for client in rows:
            schema = connection.ops.quote_name(client.schema_name)
            cursor.execute(f"CREATE SCHEMA {schema}")
            # The tables the installed schema-side signals read (empty but for SLA outcomes).
            for table in tables:
                cursor.execute(f"CREATE TABLE {schema}.{table} (LIKE tenant_template.{table} INCLUDING ALL)")
            met_share = rng.uniform(0.6, 1.0)
            cursor.execute(
                f"""
                INSERT INTO {schema}.support_slaoutcome
                    (ticket_id, clock, cycle, result, priority, policy_id, target_minutes,
                     business_minutes_used, minutes_over, due_at, judged_at, recorded_at)
                SELECT n, CASE WHEN n %% 2 = 0 THEN 'first_response' ELSE 'first_resolution' END, 1,
                       CASE WHEN random() < %s THEN 'met' ELSE 'breached' END, 'P3', 1, 240, 200, -40,
                       now() - (n || ' days')::interval, now() - (n || ' days')::interval, now()
                  FROM generate_series(1, 40) AS n
                """,
                [met_share],
            )
    print("Monitors, availability, incidents, MFA snapshots…", flush=True)
    _schema_data(rows, now, rng)
    print("Work items, check-ins and invoices…", flush=True)
    items = []
    for client in rows:
        for number in range(1, 31):
            created = now - timedelta(days=rng.randint(0, 210))
            priority = rng.choice(["P1", "P2", "P3", "P3", "P4", "P4", "P4"])
            items.append(
                WorkItem(
                    client=client,
                    kind=WorkItemKind.TICKET,
                    object_id=number,
                    number=number,
                    title=f"Ticket {number}",
                    priority=priority,
                    status="new",
                    service_line="support",
                    is_open=rng.random() < 0.1,
                    created_at=created,
                    updated_at=created,
                )
            )
    WorkItem.objects.bulk_create(items, batch_size=5000)
    CheckIn.objects.bulk_create(
        [
            CheckIn(
                client=client,
                kind=CheckInKind.CALL,
                status=CheckInStatus.DONE,
                subject="Regular check-in",
                sentiment=rng.choice(["positive", "neutral", "negative"]),
                held_at=now - timedelta(days=rng.randint(1, 150)),
                owner=manager,
            )
            for client in rows
            for _ in range(3)
        ],
        batch_size=5000,
    )
    from billing.models import Invoice

    Invoice.objects.bulk_create(
        [
            Invoice(
                client=client,
                status=rng.choice(["issued", "paid", "paid", "partially_paid"]),
                number=10_000 + index * 4 + n,
                currency="EUR",
                issued_on=(now - timedelta(days=30 * n + 30)).date(),
                due_on=(now - timedelta(days=30 * n)).date(),
                total=100,
            )
            for index, client in enumerate(rows)
            for n in range(4)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return [client.pk for client in rows]


def _schema_data(clients: Sequence[object], now: object, rng: random.Random) -> None:
    """Each schema: 2 services × 2 monitors with this month's state history, a maintenance
    window, last month's stored figures, 3 security incidents, 7 days of MFA snapshots."""
    from datetime import UTC, datetime

    from django_tenants.utils import schema_context

    from services.infrastructure.monitoring_models import (
        AvailabilityMonth,
        ClientService,
        MaintenanceWindow,
        Monitor,
        MonitorStateChange,
    )
    from services.security.mfa_models import MfaSnapshot
    from services.security.models import SecurityIncident

    assert isinstance(now, datetime)
    month_start = datetime(now.year, now.month, 1, tzinfo=UTC)
    last = (month_start - timedelta(days=1)).replace(day=1)
    for client in clients:
        with schema_context(client.schema_name):  # type: ignore[attr-defined]
            services = ClientService.objects.bulk_create(
                ClientService(name=name, promised_availability="99.900") for name in ("Mail", "VPN")
            )
            monitors = Monitor.objects.bulk_create(
                Monitor(
                    service=service,
                    name=f"{service.name} {n}",
                    key=f"{service.name.lower()}-{n}",
                    kind="push",
                    created_at=month_start - timedelta(days=60),
                    state_since=month_start - timedelta(days=60),
                )
                for service in services
                for n in range(2)
            )
            changes = []
            for monitor in monitors:
                changes.append(
                    MonitorStateChange(
                        monitor=monitor,
                        from_state="unknown",
                        to_state="up",
                        at=month_start - timedelta(days=59),
                    )
                )
                at = month_start
                while True:
                    at += timedelta(hours=rng.randint(12, 72))
                    back = at + timedelta(minutes=rng.randint(1, 90))
                    if back >= now:
                        break
                    changes.append(
                        MonitorStateChange(monitor=monitor, from_state="up", to_state="down", at=at)
                    )
                    changes.append(
                        MonitorStateChange(monitor=monitor, from_state="down", to_state="up", at=back)
                    )
                    at = back
            MonitorStateChange.objects.bulk_create(changes)
            MaintenanceWindow.objects.create(
                service=services[0],
                starts_at=month_start + timedelta(days=1),
                ends_at=month_start + timedelta(days=1, hours=2),
                reason="Patching",
            )
            AvailabilityMonth.objects.bulk_create(
                AvailabilityMonth(
                    service=service,
                    year=last.year,
                    month=last.month,
                    measured_seconds=2_500_000,
                    down_seconds=rng.randint(0, 5000),
                    maintenance_seconds=0,
                    availability_percent=f"{rng.uniform(99.7, 100):.3f}",
                    promised_percent="99.900",
                    outage_count=1,
                )
                for service in services
            )
            SecurityIncident.objects.bulk_create(
                SecurityIncident(
                    number=n,
                    title="Phishing",
                    kind="phishing",
                    severity=rng.choice(["low", "medium", "high"]),
                    created_at=now - timedelta(days=rng.randint(0, 120)),
                )
                for n in range(1, 4)
            )
            MfaSnapshot.objects.bulk_create(
                MfaSnapshot(day=(now - timedelta(days=d)).date(), total_accounts=40, covered_accounts=30 + d)
                for d in range(7)
            )


def run(client_ids: Sequence[int]) -> list[list[object]]:
    from services.outreach.health import recompute_health
    from tenants.models import Client

    clients = list(Client.objects.filter(pk__in=client_ids).order_by("pk"))
    recompute_health(clients[:BATCH])  # profiles and the settings row exist (the second night on)
    for start in range(BATCH, len(clients), BATCH):
        recompute_health(clients[start : start + BATCH])
    rows: list[list[object]] = []

    queries: list[int] = []
    started, cpu = time.perf_counter(), time.process_time()
    for client in clients:
        queries.append(count_queries(lambda client=client: recompute_health([client])))  # type: ignore[misc]
    nightly = time.perf_counter() - started
    nightly_cpu = time.process_time() - cpu
    rows.append(
        [
            "nightly (one per client)",
            len(clients),
            f"{nightly:.1f}",
            f"{nightly_cpu:.1f}",
            f"{1000 * nightly / len(clients):.1f}",
            f"{min(queries)}–{max(queries)} per client",
            load_average(),
        ]
    )
    batch_queries: list[int] = []
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(clients), BATCH):
        chunk = clients[start : start + BATCH]
        batch_queries.append(count_queries(lambda chunk=chunk: recompute_health(chunk)))  # type: ignore[misc]
    batch = time.perf_counter() - started
    batch_cpu = time.process_time() - cpu
    rows.append(
        [
            f"batch ({BATCH} per call)",
            len(clients),
            f"{batch:.1f}",
            f"{batch_cpu:.1f}",
            f"{1000 * batch / len(clients):.1f}",
            f"{min(batch_queries)}–{max(batch_queries)} per batch",
            load_average(),
        ]
    )
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    add_database_arguments(parser, "msp_bench_health")
    args = parser.parse_args(argv)
    with bootstrapped_database(args, EXTRA_ENVIRONMENT) as (_db_url, machine):
        ids = make_data(args.clients, args.seed)
        rows = run(ids)
        print()
        print_table(
            [
                "path",
                "clients",
                "wall s",
                "CPU s",
                "wall ms per client",
                "SQL statements",
                "load (1/5/15 min)",
            ],
            rows,
        )
        print()
        print_table(["machine", ""], machine)


if __name__ == "__main__":
    main()
