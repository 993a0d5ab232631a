"""Benchmark: push-ingest results accepted per second by ONE web process, and latency.

Builds one client (provisioned with the real `provision_client`) with a push service of
`--monitors` monitors and an ingest token, then starts gunicorn as compose does — a sync
worker — but with exactly one worker (`--workers=1`), bound to loopback, on the benchmark
database. It then posts signed batches of `--batch-size` items to
`POST /api/ingest/v1/results` over real HTTP and counts results per second and the latency of
each request (p50 / p95 / p99), for three kinds of batch:

* **checks**: check results spread over the monitors, stamped a few ms apart (each monitor's
  row is locked and its state moves; about 2 % flip between up and degraded, which writes
  state-change rows);
* **devices**: device reports (protection and patch status) of `--devices` known devices;
* **mixed**: 80 % checks, 20 % devices.

Every response is checked (200 and every item accepted); the rate limit is on (its Redis
counter is incremented per request) but set high enough not to refuse. `--senders` client
threads keep the one worker busy (gunicorn's sync worker takes one request at a time; the
others wait in the listen backlog, so their wait is part of the latency). The clients run on
the same machine and take CPU from the server: the figures are a lower bound.

    .venv/bin/python -m benchmarks.ingest_rate                       # 300 batches of 100 per kind
    .venv/bin/python -m benchmarks.ingest_rate --batches 100 --senders 2
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.provisioning import (
    add_database_arguments,
    bench_environment,
    bootstrapped_database,
    load_average,
    percentile,
    print_table,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
EXTRA_ENVIRONMENT = {
    "MSP_HOSTS": "127.0.0.1,testserver,localhost",
    "REDIS_URL": "redis://127.0.0.1:6379/5",
    "CACHE_KEY_PREFIX": "msp-bench-ingest",
    "FAST_PASSWORD_HASHING": "1",
    # On, and high enough never to refuse: its Redis round trip is part of every request.
    "INGEST_RATE_LIMIT_REQUESTS": "1000000",
}
PATH = "/api/ingest/v1/results"


def build_client(monitors: int, devices: int) -> tuple[str, str, list[str], list[str]]:
    """One client with `monitors` push monitors and `devices` devices; a token for it."""
    from django_tenants.utils import tenant_context

    from services.infrastructure import monitoring_actions
    from services.infrastructure.models import Device
    from services.ingest.actions import create_token
    from tenants.models import Client, ClientStatus, MspRole, User
    from tenants.provisioning import provision_client

    admin = User.objects.create_user(
        "bench-admin@msp.test", "x" * 12, full_name="Bench Admin", msp_role=MspRole.ADMIN
    )
    client = provision_client(
        {
            "name": "Ingest Bench",
            "slug": "ingest-bench",
            "industry": "technology",
            "tier": "standard",
            "it_lead_email": "lead@ingest-bench.test",
            "it_lead_name": "Bench Lead",
            "account_manager_id": admin.pk,
        },
        acting_user=admin,
    )
    Client.objects.filter(pk=client.pk).update(status=ClientStatus.ACTIVE)
    client.refresh_from_db()
    keys = [f"agent-check-{n}" for n in range(monitors)]
    serials = [f"BENCH-{n:05d}" for n in range(devices)]
    now = datetime.now(UTC) - timedelta(hours=1)
    with tenant_context(client):
        # A service holds at most MAX_MONITORS_PER_SERVICE monitors: as many services as needed.
        per_service = monitoring_actions.MAX_MONITORS_PER_SERVICE
        for start in range(0, len(keys), per_service):
            service = monitoring_actions.create_service(
                client,
                monitoring_actions.ServiceInput(name=f"Endpoints (RMM) {start // per_service + 1}"),
                actor=admin,
                now=now,
            )
            for key in keys[start : start + per_service]:
                monitoring_actions.create_monitor(
                    client,
                    service.pk,
                    monitoring_actions.MonitorInput(name=key, kind="push", key=key),
                    actor=admin,
                    now=now,
                )
        Device.objects.bulk_create(
            [Device(name=f"host-{serial.lower()}", device_type="laptop", serial=serial) for serial in serials]
        )
    created = create_token(client, actor=admin, name="Bench RMM")
    return created.token.key_id, created.secret, keys, serials


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db_url: str, port: int) -> subprocess.Popen[bytes]:
    env = bench_environment(db_url)
    env.update({name: os.environ[name] for name in EXTRA_ENVIRONMENT if name in os.environ})
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "msp_portal.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        "--workers=1",
        "--worker-class=sync",
        "--backlog=64",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


class Batches:
    """Makes signed batches; check results are stamped a few ms apart, always moving forwards."""

    def __init__(self, keys: list[str], serials: list[str], batch_size: int):
        self.keys = keys
        self.serials = serials
        self.batch_size = batch_size
        self.lock = threading.Lock()
        self.sequence = 0

    def _stamp(self) -> str:
        with self.lock:
            self.sequence += 1
            # A microsecond apart, in order: every result is newer than the monitor's last one.
            moment = datetime.now(UTC) + timedelta(microseconds=self.sequence % 1000)
        return moment.isoformat()

    def items(self, kind: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for n in range(self.batch_size):
            with self.lock:
                self.sequence += 1
                sequence = self.sequence
            as_check = kind == "checks" or (kind == "mixed" and n % 5 != 0)
            if as_check:
                items.append(
                    {
                        "kind": "check",
                        "monitor": self.keys[sequence % len(self.keys)],
                        "status": "degraded" if sequence % 50 == 0 else "up",
                        "latency_ms": 20 + sequence % 80,
                        "observed_at": self._stamp(),
                    }
                )
            else:
                items.append(
                    {
                        "kind": "device",
                        "serial": self.serials[sequence % len(self.serials)],
                        "hostname": "host",
                        "protection_status": ("protected", "outdated", "missing")[sequence % 3],
                        "protection_product": "Defender",
                        "patch_status": ("current", "pending", "overdue")[sequence % 3],
                        "observed_at": self._stamp(),
                    }
                )
        return items


def run_kind(
    kind: str, port: int, key_id: str, secret: str, batches: Batches, count: int, senders: int
) -> dict[str, Any]:
    latencies: list[float] = []
    problems: list[str] = []
    lock = threading.Lock()
    remaining = [count]

    def take() -> bool:
        with lock:
            if remaining[0] <= 0:
                return False
            remaining[0] -= 1
            return True

    def sender() -> None:
        while take():
            body = json.dumps({"batch_id": str(uuid.uuid4()), "items": batches.items(kind)}).encode()
            stamp = str(int(time.time()))
            signature = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
            headers = {
                "Content-Type": "application/json",
                "X-Ingest-Key": key_id,
                "X-Ingest-Timestamp": stamp,
                "X-Ingest-Signature": "sha256=" + signature,
            }
            started = time.perf_counter()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            connection.request("POST", PATH, body=body, headers=headers)
            response = connection.getresponse()
            answer = response.read()
            elapsed = time.perf_counter() - started
            connection.close()
            with lock:
                latencies.append(elapsed)
                if response.status != 200 or json.loads(answer)["accepted"] != batches.batch_size:
                    problems.append(f"{response.status}: {answer[:300]!r}")

    threads = [threading.Thread(target=sender) for _ in range(senders)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if problems:
        print(f"{len(problems)} batches failed, e.g. {problems[0]}", flush=True)
    accepted = (len(latencies) - len(problems)) * batches.batch_size
    return {
        "kind": kind,
        "batches": len(latencies),
        "failed": len(problems),
        "results": accepted,
        "seconds": wall,
        "rate": accepted / wall if wall else 0.0,
        "p50": statistics.median(latencies) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Push-ingest results per second through one gunicorn worker."
    )
    parser.add_argument("--batches", type=int, default=300, help="measured batches per kind (default 300)")
    parser.add_argument(
        "--warmup", type=int, default=20, help="batches sent first, not measured (default 20)"
    )
    parser.add_argument("--batch-size", type=int, default=100, help="items per batch (default 100)")
    parser.add_argument("--senders", type=int, default=2, help="client threads (default 2)")
    parser.add_argument("--monitors", type=int, default=50, help="push monitors of the client (default 50)")
    parser.add_argument("--devices", type=int, default=500, help="devices of the client (default 500)")
    parser.add_argument("--kinds", nargs="+", default=["checks", "devices", "mixed"])
    add_database_arguments(parser, "msp_bench_ingest")
    args = parser.parse_args(argv)
    for name, value in EXTRA_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    with bootstrapped_database(args, EXTRA_ENVIRONMENT) as (db_url, machine):
        from django.db import connections

        print("Building the client, its monitors, devices and token…", flush=True)
        key_id, secret, keys, serials = build_client(args.monitors, args.devices)
        connections.close_all()
        port = free_port()
        server = start_server(db_url, port)
        try:
            batches = Batches(keys, serials, args.batch_size)
            rows = []
            run: Callable[..., dict[str, Any]] = run_kind
            for kind in args.kinds:
                run(kind, port, key_id, secret, batches, args.warmup, args.senders)
                print(f"Measuring {kind}: {args.batches} batches of {args.batch_size}…", flush=True)
                rows.append(run(kind, port, key_id, secret, batches, args.batches, args.senders))
        finally:
            server.terminate()
            server.wait(timeout=30)
        print("\n## Push ingest through one web process\n")
        print_table(["", ""], [*machine, ("Load average at end (1/5/15 min)", load_average())])
        print()
        print_table(
            ["batch", "batches", "failed", "results", "seconds", "results/s", "p50 ms", "p95 ms", "p99 ms"],
            [
                (
                    row["kind"],
                    row["batches"],
                    row["failed"],
                    row["results"],
                    f"{row['seconds']:.1f}",
                    f"{row['rate']:.0f}",
                    f"{row['p50']:.1f}",
                    f"{row['p95']:.1f}",
                    f"{row['p99']:.1f}",
                )
                for row in rows
            ],
        )
        if any(row["failed"] for row in rows):
            sys.exit(1)


if __name__ == "__main__":
    main()
