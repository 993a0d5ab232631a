"""Benchmark: N technicians working the queue through the real web stack (locust, loopback only).

Builds 100 clients × 100 open tickets on a throwaway database (the queue benchmark's builders:
schemas replayed from a `pg_dump` of the template, tickets, SLA events and work items by `COPY`;
`benchmarks.queue_latency`), starts a private `redis-server` and gunicorn with 2 sync workers
and DEBUG off (as compose.yaml runs the portal) on 127.0.0.1, and signs each technician in over
HTTP the way the SPA does: `Login` with the password, then `VerifyOtp` with a code computed
from the technician's confirmed TOTP device. Then, for each user count (10 and 50 by default),
`locust` runs the technicians' loop (benchmarks/technician_locustfile.py: queue page → think
0.5–1.5 s → ticket page → one loop in ten a public reply) for a bounded time, headless, against
127.0.0.1 only.

Reported per run: loops/s, p50/p95 per request, per step and per loop (think time excluded),
failures, and the **server CPU per loop**: CPU time (user + system, from psutil, before and
after) of the gunicorn process tree, the PostgreSQL backends connected to the benchmark
database, and the private redis-server, divided by the loops completed. CPU per loop does not
depend on how busy the rest of the machine is; wall times do (the load average is printed).

    .venv/bin/python -m benchmarks.technician_load                     # 10 and 50 users, 60 s each
    .venv/bin/python -m benchmarks.technician_load --users 50 --run-time 90
    .venv/bin/python -m benchmarks.technician_load --plan baseline     # the SPA's pre-merge requests
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import psutil

from benchmarks.provisioning import (
    REPO_ROOT,
    add_database_arguments,
    bench_environment,
    bootstrapped_database,
    database_url,
    load_average,
    machine_description,
    percentile,
    print_table,
    setup_django,
)

MSP_HOST = "127.0.0.1"
PASSWORD = "technician-load-password"
WORKERS = 2
LOCUSTFILE = REPO_ROOT / "benchmarks" / "technician_locustfile.py"
EXTRA_ENVIRONMENT = {
    "MSP_HOSTS": "127.0.0.1,localhost,testserver",
    "CACHE_KEY_PREFIX": "msp-bench-loop",
    "FAST_PASSWORD_HASHING": "1",
}

LOGIN = """mutation($input: LoginInput!) { login(input: $input) { nextStep errors { code message } } }"""
VERIFY = (
    """mutation($token: String!) { verifyOtp(token: $token) { viewer { email } errors { code message } } }"""
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def private_redis() -> Iterator[tuple[str, psutil.Process]]:
    """A redis-server of our own on loopback (its CPU is then this benchmark's alone)."""
    port = free_port()
    binary = shutil.which("redis-server")
    if not binary:
        raise SystemExit("redis-server not found (apt-get install redis-server)")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}", psutil.Process(proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int = WORKERS) -> Iterator[psutil.Process]:
    """gunicorn with `workers` sync workers on 127.0.0.1:port (as compose.yaml's web service)."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "msp_portal.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--worker-class=sync",
            "--timeout=60",
        ],
        cwd=REPO_ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("gunicorn did not start") from None
                time.sleep(0.2)
        yield psutil.Process(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


@contextmanager
def prepared_database(
    args: argparse.Namespace, extra: dict[str, str]
) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """A fresh bootstrapped throwaway database, or (`--reuse-database`) the one a previous run
    kept with `--keep-database` (its clients, tickets and technicians are reused as they are)."""
    if not args.reuse_database:
        with bootstrapped_database(args, extra) as prepared:
            yield prepared
        return
    for name, value in extra.items():
        os.environ.setdefault(name, value)
    db_url = database_url(args.server_url, args.database)
    machine = machine_description(args.server_url)
    setup_django(db_url)
    print(f"Reusing database {args.database}.", flush=True)
    yield db_url, machine


# ------------------------------------------------------------------ people


@dataclass
class Technician:
    email: str
    key: bytes  # TOTP secret of the confirmed device


def make_technicians(count: int) -> list[Technician]:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tenants.models import MspRole, User

    people = []
    for index in range(count):
        email = f"loop{index:02d}@msp.example.com"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, PASSWORD, full_name=f"Loop Tech {index:02d}", msp_role=MspRole.TECHNICIAN
        )
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=True
        )
        people.append(Technician(user.email, device.bin_key))
    return people


def sign_in(base: str, technician: Technician) -> dict[str, str]:
    """Password, then a TOTP code, over HTTP as the SPA does; returns the session's cookies."""
    from django_otp.oath import totp

    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        opener.open(f"{base}/", timeout=30).read()  # the SPA's page sets the CSRF cookie
    except urllib.error.HTTPError as exc:  # 503 without a front-end build: the cookie is set all the same
        exc.read()

    def post(query: str, variables: dict[str, object]) -> dict[str, Any]:
        token = next(c.value for c in jar if c.name == "csrftoken")
        request = urllib.request.Request(
            f"{base}/graphql/",
            data=json.dumps({"query": query, "variables": variables}).encode(),
            headers={"Content-Type": "application/json", "X-CSRFToken": token or "", "Referer": f"{base}/"},
        )
        with opener.open(request, timeout=30) as answer:
            return json.loads(answer.read())  # type: ignore[no-any-return]

    step = post(LOGIN, {"input": {"email": technician.email, "password": PASSWORD}})["data"]["login"]
    if step["errors"] or step["nextStep"] != "OTP_VERIFY":
        raise SystemExit(f"sign-in of {technician.email} failed: {step}")
    code = format(totp(technician.key), "06d")
    verified = post(VERIFY, {"token": code})["data"]["verifyOtp"]
    if verified["errors"] or not verified["viewer"]:
        raise SystemExit(f"second factor of {technician.email} refused: {verified}")
    return {c.name: str(c.value) for c in jar}


# ------------------------------------------------------------------ measuring CPU


def server_processes(web: psutil.Process, redis: psutil.Process, database: str) -> list[psutil.Process]:
    """The gunicorn tree, the PostgreSQL backends of `database`, redis-server."""
    backends = [
        p
        for p in psutil.process_iter(["cmdline"])
        if p.info["cmdline"]
        and p.info["cmdline"][0].startswith("postgres:")
        and f" {database} " in " ".join(p.info["cmdline"])
    ]
    return [web, *web.children(recursive=True), *backends, redis]


def cpu_seconds(processes: Sequence[psutil.Process]) -> dict[int, float]:
    seconds = {}
    for proc in processes:
        try:
            times = proc.cpu_times()
        except psutil.Error:
            continue
        seconds[proc.pid] = times.user + times.system
    return seconds


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU used between two samples (a process that appeared in between counts from zero)."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


# ------------------------------------------------------------------ one run


@dataclass
class Run:
    users: int
    seconds: float
    loops: int
    cpu: float
    cpu_web: float
    cpu_db: float
    cpu_redis: float
    rows: list[dict[str, str]]
    load: str

    @property
    def loops_per_second(self) -> float:
        return self.loops / self.seconds

    @property
    def cpu_ms_per_loop(self) -> float:
        return 1000 * self.cpu / self.loops if self.loops else float("nan")


def run_locust(
    users: int,
    run_time: int,
    base: str,
    sessions_file: Path,
    plan: str,
    web: psutil.Process,
    redis: psutil.Process,
    database: str,
    workdir: Path,
) -> Run:
    prefix = workdir / f"u{users}"
    env = dict(os.environ, TECHNICIAN_LOAD_SESSIONS=str(sessions_file), TECHNICIAN_LOAD_PLAN=plan)
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--only-summary",
        "-u",
        str(users),
        "-r",
        str(users),
        "--run-time",
        f"{run_time}s",
        "--stop-timeout",
        "10",
        "--host",
        base,
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
    ]
    processes = server_processes(web, redis, database)
    web_pids = {web.pid, *(c.pid for c in web.children(recursive=True))}
    before = cpu_seconds(processes)
    started = time.perf_counter()
    subprocess.run(command, cwd=REPO_ROOT, env=env, check=False, stdout=subprocess.DEVNULL)
    elapsed = time.perf_counter() - started
    after = cpu_seconds(server_processes(web, redis, database))
    by = {"web": 0.0, "db": 0.0, "redis": 0.0}
    for pid, value in after.items():
        kind = "web" if pid in web_pids else "redis" if pid == redis.pid else "db"
        by[kind] += value - before.get(pid, 0.0)
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    loop = next((r for r in rows if r["Type"] == "LOOP"), None)
    loops = int(loop["Request Count"]) if loop else 0
    return Run(
        users,
        elapsed,
        loops,
        cpu_delta(before, after),
        by["web"],
        by["db"],
        by["redis"],
        rows,
        load_average(),
    )


def measure_queue(base: str, cookies: dict[str, str], seconds: int, web: psutil.Process) -> list[str]:
    """Requests/s of one worker answering the SPA's `Queue` operation (first: 100), sequentially."""
    from benchmarks.spa_operations import spa_documents

    document = spa_documents({"QUEUE_QUERY"})["QUEUE_QUERY"]
    body = json.dumps({"query": document, "variables": {"first": 100}}).encode()
    headers = {
        "Content-Type": "application/json",
        "X-CSRFToken": cookies.get("csrftoken", ""),
        "Referer": f"{base}/",
        "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
    }

    def once() -> float:
        started = time.perf_counter()
        request = urllib.request.Request(f"{base}/graphql/", data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                data = json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            raise SystemExit(f"queue request refused ({exc.code}): {exc.read()[:500]!r}") from None
        if "errors" in data or len(data["data"]["queue"]["edges"]) != 100:
            raise SystemExit(f"queue request failed: {str(data)[:300]}")
        return time.perf_counter() - started

    for _ in range(20):
        once()  # warm-up: connections, caches
    processes = [web, *web.children(recursive=True)]
    before = cpu_seconds(processes)
    times = []
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        times.append(once())
    elapsed = time.perf_counter() - started
    cpu = cpu_delta(before, cpu_seconds(processes))
    return [
        str(len(times)),
        f"{elapsed:.1f}",
        f"{len(times) / elapsed:.1f}",
        f"{1000 * percentile(times, 0.5):.1f}",
        f"{1000 * percentile(times, 0.95):.1f}",
        f"{1000 * cpu / len(times):.1f}",
        load_average(),
    ]


def report(runs: list[Run], plan: str) -> None:
    print(f"\nTechnician loop, plan {plan!r} (p50 / p95 in ms; think time excluded):\n")
    print_table(
        [
            "users",
            "run (s)",
            "loops",
            "loops/s",
            "failures",
            "server CPU / loop (ms)",
            "web / db / redis (ms)",
            "load after",
        ],
        [
            [
                r.users,
                f"{r.seconds:.0f}",
                r.loops,
                f"{r.loops_per_second:.2f}",
                sum(
                    int(row["Failure Count"])
                    for row in r.rows
                    if row["Name"] != "Aggregated" and row["Type"] not in ("STEP", "LOOP")
                ),
                f"{r.cpu_ms_per_loop:.1f}",
                " / ".join(f"{1000 * c / max(r.loops, 1):.1f}" for c in (r.cpu_web, r.cpu_db, r.cpu_redis)),
                r.load,
            ]
            for r in runs
        ],
    )
    for r in runs:
        print(f"\n{r.users} users:\n")
        print_table(
            ["type", "name", "count", "failures", "p50", "p95", "mean"],
            [
                [
                    row["Type"] or "-",
                    row["Name"],
                    row["Request Count"],
                    row["Failure Count"],
                    row["50%"],
                    row["95%"],
                    f"{float(row['Average Response Time']):.1f}",
                ]
                for row in r.rows
                if row["Name"] != "Aggregated"
            ],
        )
        failures = [
            row for row in r.rows if int(row["Failure Count"]) and row["Type"] not in ("STEP", "LOOP")
        ]
        for row in failures:
            print(f"  failures in {row['Name']}: {row['Failure Count']}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Technicians working the queue under locust, with server CPU per loop."
    )
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50], help="user counts (default 10 50)")
    parser.add_argument(
        "--run-time", type=int, default=60, help="seconds of load per user count (default 60)"
    )
    parser.add_argument(
        "--queue-seconds",
        type=int,
        default=20,
        help="then time queue(first: 100) on a single worker for this long (default 20; 0: skip)",
    )
    parser.add_argument("--clients", type=int, default=100, help="clients (default 100)")
    parser.add_argument(
        "--tickets-per-client", type=int, default=100, help="open tickets per client (default 100)"
    )
    parser.add_argument("--seed", type=int, default=20261204, help="random seed of the ticket data")
    parser.add_argument(
        "--plan",
        choices=("current", "baseline"),
        default="current",
        help="the SPA's requests now, or before the ticket page's were merged (baseline)",
    )
    add_database_arguments(parser, "msp_bench_loop")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="use the database a previous run left with --keep-database (no rebuild; "
        "run migrate_schemas on it first if the code has new migrations)",
    )
    args = parser.parse_args(argv)
    if max(args.run_time, *args.users) > 600 or args.run_time < 5:
        raise SystemExit("keep it bounded: at most 600 users and 600 s per run, at least 5 s")

    with private_redis() as (redis_url, redis), tempfile.TemporaryDirectory(prefix="technician-load-") as tmp:
        extra = dict(
            EXTRA_ENVIRONMENT,
            REDIS_URL=f"{redis_url}/0",
            CELERY_BROKER_URL=f"{redis_url}/1",
            CELERY_RESULT_BACKEND=f"{redis_url}/2",
        )
        with prepared_database(args, extra) as (db_url, machine):
            from django.utils import timezone

            from benchmarks.migrate_schemas import add_clients
            from benchmarks.queue_latency import load_tickets

            technicians = make_technicians(max(args.users))
            print(
                f"Growing to {args.clients} clients with {args.tickets_per_client} open tickets each…",
                flush=True,
            )
            add_clients(args.clients, db_url)
            from tenants.models import User

            ids = list(User.objects.filter(email__startswith="loop").values_list("pk", flat=True))
            load_tickets(db_url, args.tickets_per_client, ids, args.seed, timezone.now())
            from django.db import connections

            connections.close_all()
            # A running portal's work items are as autovacuum leaves them: visibility map set,
            # so the queue's capped count is an index-only scan. The builder's VACUUM ran while
            # the build's own transactions were recent and left it unset (the count was then a
            # sequential scan, docs/performance.md): vacuum again now that nothing is open.
            import psycopg

            with psycopg.connect(db_url, autocommit=True) as raw:
                raw.execute("VACUUM ANALYZE public.workqueue_workitem")

            env = bench_environment(db_url)
            env.update(extra)
            env.update(
                MSP_HOSTS=EXTRA_ENVIRONMENT["MSP_HOSTS"],
                SECURE_COOKIES="0",
                SECURE_SSL_REDIRECT="0",
                BEHIND_TLS_PROXY="0",
                DEBUG="0",
                LOG_LEVEL="WARNING",
                # Connections kept for the whole run (compose: 60 s): a backend that is
                # replaced mid-run would take its CPU time out of the measurement with it.
                DB_CONN_MAX_AGE="900",
            )
            port = free_port()
            base = f"http://{MSP_HOST}:{port}"
            with gunicorn(env, port) as web:
                print(
                    f"gunicorn ({WORKERS} sync workers, DEBUG off) on {base}; "
                    f"signing in {len(technicians)} technicians…",
                    flush=True,
                )
                sessions: list[dict[str, Any]] = [
                    {"email": t.email, "cookies": sign_in(base, t)} for t in technicians
                ]
                sessions_file = Path(tmp) / "sessions.json"
                sessions_file.write_text(json.dumps(sessions))
                runs = []
                for users in args.users:
                    print(
                        f"locust: {users} users for {args.run_time} s (load average {load_average()})…",
                        flush=True,
                    )
                    runs.append(
                        run_locust(
                            users,
                            args.run_time,
                            base,
                            sessions_file,
                            args.plan,
                            web,
                            redis,
                            args.database,
                            Path(tmp),
                        )
                    )
                for label, value in machine:
                    print(f"  {label}: {value}")
                report(runs, args.plan)
                queue_rps = None
                if args.queue_seconds:
                    port = free_port()
                    with gunicorn(env, port, workers=1) as single:
                        print(f"queue(first: 100) on one worker for {args.queue_seconds} s…", flush=True)
                        queue_rps = measure_queue(
                            f"http://{MSP_HOST}:{port}", sessions[0]["cookies"], args.queue_seconds, single
                        )
            if queue_rps:
                print(
                    "\nOne web process (1 sync worker), the SPA's Queue operation with first: 100, "
                    "one request at a time:\n"
                )
                print_table(
                    [
                        "requests",
                        "seconds",
                        "requests/s",
                        "p50 (ms)",
                        "p95 (ms)",
                        "worker CPU / request (ms)",
                        "load",
                    ],
                    [queue_rps],
                )


if __name__ == "__main__":
    main()
