"""Benchmark: the monitor scheduler with 10,000 monitors across 1,000 clients, every minute,
run by one worker.

Setup (untimed): 1,000 client tenants with real schemas, copied from a `pg_dump` of the
template (`benchmarks.migrate_schemas.add_clients`), each with one service and 10 monitors
created through `create_service`/`create_monitor` (so every public index row is written as
in production): 6 TCP monitors of a loopback listener, 2 HTTP monitors of a loopback HTTP
server (a health page with a keyword), 1 heartbeat that pings on time and 1 that never pings
(it is found missed from the index, then down). Every monitor is checked every 60 s: all
10,000 are due every minute — the worst case of that many monitors.

Each simulated minute, on the real clock:

1. `dispatch_due_checks()` — the beat task — claims the due rows of the public index and
   queues one `infrastructure.run_checks` task per client (through the outbox; publishing is
   replaced by collecting the messages, so no broker is involved);
2. one worker runs those tasks one after the other in this process, each in its client's
   schema (the task's body: `run_checks`, which runs the client's network checks in parallel
   threads and records every result with `record_check_results`);
3. the heartbeats that ping on time get their ping (`record_heartbeat_ping`).

Lag of a check = when its task finished − when it was due (`next_check_at`). The scheduler
keeps up when every minute's work ends before the next minute starts; the script waits for
the minute boundary when it is early, so a worker that falls behind shows as growing lag.

Runs on its own throwaway database (`msp_bench_monitors` by default). From the repository root:

    .venv/bin/python -m benchmarks.monitor_scheduler                    # 1,000 clients × 10, 3 minutes
    .venv/bin/python -m benchmarks.monitor_scheduler --clients 100 --minutes 2
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from benchmarks.provisioning import (
    add_database_arguments,
    bootstrapped_database,
    load_average,
    percentile,
    print_table,
)

MONITORS_PER_CLIENT = 10
INTERVAL_SECONDS = 60


class Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html>status: OPERATIONAL</html>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def loopback_targets() -> Iterator[tuple[str, str]]:
    """(HTTP URL, TCP host:port) on 127.0.0.1 for the checks."""
    import socket

    http = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    http.daemon_threads = True
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(4096)
    stop = threading.Event()

    def drain() -> None:  # accept and close, so the backlog never fills
        tcp.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = tcp.accept()
                conn.close()
            except OSError:
                continue

    drainer = threading.Thread(target=drain, daemon=True)
    drainer.start()
    try:
        yield f"http://127.0.0.1:{http.server_address[1]}/health", f"127.0.0.1:{tcp.getsockname()[1]}"
    finally:
        stop.set()
        http.shutdown()
        http.server_close()
        tcp.close()


def make_monitors(clients: int, http_url: str, tcp_target: str) -> list[str]:
    """One service and 10 monitors per client, through the actions; returns the ping tokens of
    the heartbeats that ping on time."""
    from django_tenants.utils import schema_context

    from services.infrastructure import monitoring_actions as actions
    from tenants.models import Client, MspRole, User

    tech = User.objects.create_user("bench-tech@msp.example", "x", msp_role=MspRole.TECHNICIAN)
    tokens = []
    started = time.perf_counter()
    for index, client in enumerate(Client.objects.clients().order_by("pk")[:clients]):
        with schema_context(client.schema_name):
            service = actions.create_service(
                client, actions.ServiceInput(name="Office", category="connectivity"), actor=tech
            )

            def add(
                name: str,
                kind: str,
                target: str = "",
                client: Any = client,
                service: Any = service,
                **extra: Any,
            ) -> Any:
                return actions.create_monitor(
                    client,
                    service.pk,
                    actions.MonitorInput(
                        name=name, kind=kind, target=target, interval_seconds=INTERVAL_SECONDS, **extra
                    ),
                    actor=tech,
                )

            for n in range(6):
                add(f"Port {n}", "tcp", tcp_target, timeout_seconds=5)
            for n in range(2):
                add(f"Web {n}", "http", http_url, timeout_seconds=5, keyword="OPERATIONAL")
            on_time = add("Backup on time", "heartbeat", heartbeat_grace_seconds=0)
            add("Backup never pings", "heartbeat", heartbeat_grace_seconds=0)
            tokens.append(actions.ping_token(client, on_time))
        if (index + 1) % 100 == 0:
            print(
                f"  monitors of {index + 1}/{clients} clients ({time.perf_counter() - started:.0f} s)",
                flush=True,
            )
    return tokens


def _retarget(http_url: str, tcp_target: str) -> None:
    """Point a kept database's monitors at this run's loopback servers (new ports)."""
    from django_tenants.utils import schema_context

    from services.infrastructure.monitoring_models import Monitor
    from tenants.models import Client

    for client in Client.objects.clients():
        with schema_context(client.schema_name):
            Monitor.objects.filter(kind="tcp").update(target=tcp_target)
            Monitor.objects.filter(kind="http").update(target=http_url)


@dataclass
class Minute:
    number: int
    dispatch_seconds: float = 0.0
    claimed: int = 0
    tasks: int = 0
    work_seconds: float = 0.0
    checks: int = 0
    state_changes: int = 0
    tickets: int = 0
    cpu_seconds: float = 0.0
    lags: list[float] = field(default_factory=list)

    @property
    def total(self) -> float:
        return self.dispatch_seconds + self.work_seconds


def run_minute(number: int, tokens: Sequence[str], collected: list[Any]) -> Minute:
    from django_tenants.utils import schema_context

    from services.infrastructure.monitoring_actions import record_heartbeat_ping
    from services.infrastructure.runner import run_checks
    from services.infrastructure.scheduler import dispatch_due_checks
    from tenants.models import Client

    minute = Minute(number)
    started = time.perf_counter()
    cpu_started = time.process_time()
    collected.clear()
    dispatched = dispatch_due_checks()
    minute.dispatch_seconds = time.perf_counter() - started
    minute.claimed, minute.tasks = dispatched.claimed, dispatched.tasks
    clients = {c.schema_name: c for c in Client.objects.clients()}
    work_started = time.perf_counter()
    for message in collected:
        client = clients[message.schema_name]
        monitor_ids, due_at = message.args
        with schema_context(client.schema_name):
            outcome = run_checks(client, monitor_ids)
        finished = datetime.now(UTC)
        minute.lags.append((finished - datetime.fromisoformat(due_at)).total_seconds())
        minute.checks += outcome.accepted
        minute.state_changes += outcome.state_changes
        minute.tickets += len(outcome.tickets_opened)
    for token in tokens:
        record_heartbeat_ping(token)
    minute.work_seconds = time.perf_counter() - work_started
    minute.cpu_seconds = time.process_time() - cpu_started
    return minute


def existing_tokens() -> list[str]:
    """The on-time heartbeats' ping tokens of a database kept from an earlier run."""
    from django_tenants.utils import schema_context

    from services.infrastructure.monitoring_actions import ping_token
    from services.infrastructure.monitoring_models import Monitor
    from tenants.models import Client

    tokens = []
    for client in Client.objects.clients().order_by("pk"):
        with schema_context(client.schema_name):
            beat = Monitor.objects.filter(name="Backup on time").first()
            if beat is not None:
                tokens.append(ping_token(client, beat))
    return tokens


def run(args: argparse.Namespace, db_url: str) -> list[Minute]:
    from benchmarks.migrate_schemas import add_clients
    from core import outbox
    from services.infrastructure.monitor_index.models import MonitorSchedule
    from services.infrastructure.scheduler import RUN_CHECKS_TASK

    if not args.reuse:
        print(f"Adding {args.clients} client tenants…", flush=True)
        add_clients(args.clients, db_url)
    collected: list[Any] = []

    def publish(message: Any, conn: Any) -> None:  # the broker, replaced: the worker below runs them
        if message.task == RUN_CHECKS_TASK:
            collected.append(message)

    outbox.publish = publish  # type: ignore[assignment]
    minutes: list[Minute] = []
    with loopback_targets() as (http_url, tcp_target):
        if args.reuse:
            tokens = existing_tokens()
            _retarget(http_url, tcp_target)
        else:
            print(f"Creating {args.clients * MONITORS_PER_CLIENT} monitors…", flush=True)
            tokens = make_monitors(args.clients, http_url, tcp_target)
        # Everything due now: the first minute starts with a full backlog of 10,000.
        MonitorSchedule.objects.filter(is_scheduled=True).update(next_check_at=datetime.now(UTC))
        for number in range(1, args.minutes + 1):
            tick = time.monotonic()
            minute = run_minute(number, tokens, collected)
            minutes.append(minute)
            print(
                f"  minute {number}: claimed {minute.claimed} in {minute.dispatch_seconds:.2f} s, "
                f"{minute.tasks} tasks run in {minute.work_seconds:.1f} s, "
                f"max lag {max(minute.lags, default=0):.1f} s (load {load_average()})",
                flush=True,
            )
            if number < args.minutes:
                # Wait for the next beat. Nothing is due before then: each row moved one interval on.
                wait = 60 - (time.monotonic() - tick)
                if wait > 0:
                    time.sleep(wait)
    return minutes


def report(minutes: Sequence[Minute], clients: int, machine: list[tuple[str, str]]) -> None:
    print("\n### Monitor scheduler\n")
    print_table(["", ""], machine)
    print(
        f"\n{clients} clients × {MONITORS_PER_CLIENT} monitors, all due every {INTERVAL_SECONDS} s; "
        "one worker.\n"
    )
    print_table(
        [
            "minute",
            "claimed",
            "tasks",
            "dispatch s",
            "worker s",
            "CPU s",
            "checks",
            "state changes",
            "lag p50 s",
            "lag p95 s",
            "lag max s",
            "kept up",
        ],
        [
            [
                m.number,
                m.claimed,
                m.tasks,
                f"{m.dispatch_seconds:.2f}",
                f"{m.work_seconds:.1f}",
                f"{m.cpu_seconds:.1f}",
                m.checks,
                m.state_changes,
                f"{statistics.median(m.lags):.1f}" if m.lags else "-",
                f"{percentile(m.lags, 0.95):.1f}" if m.lags else "-",
                f"{max(m.lags):.1f}" if m.lags else "-",
                "yes" if m.total < 60 else "NO",
            ]
            for m in minutes
        ],
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--minutes", type=int, default=3)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="run the minutes again on a database kept (--keep-database) by an earlier run, without setup",
    )
    add_database_arguments(parser, "msp_bench_monitors")
    args = parser.parse_args(argv)
    if args.reuse:
        from benchmarks.provisioning import database_url, machine_description, setup_django

        db_url = database_url(args.server_url, args.database)
        setup_django(db_url)
        minutes = run(args, db_url)
        report(minutes, args.clients, machine_description(args.server_url))
        return
    with bootstrapped_database(args) as (db_url, machine):
        minutes = run(args, db_url)
        report(minutes, args.clients, machine)


if __name__ == "__main__":
    main()
