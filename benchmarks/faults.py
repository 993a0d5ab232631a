"""Fault runs: workers SIGKILLed mid-work and Redis stopped mid-traffic — nothing lost, nothing doubled.

Three scenarios, each on its own throwaway database (`msp_bench_faults`) and its own
`redis-server` on another port (default 6396; the machine's shared Redis is never touched),
with real Celery workers started as child processes and killed with SIGKILL (the whole
process group: the main process and its pool child):

* ``kill-provisioning`` — per round a provisioning job is queued, a worker is started, and
  once the job is RUNNING the worker is killed after a random 0..``--window`` seconds (the
  provisioning takes about that long, so the kills land on every step, and some after the
  commit). The reaper fails jobs whose lease is free; an admin would start them again —
  the script does, then runs one worker until everything is done. Checked: every slug has
  exactly one client and schema, no schema without its client, no job left queued/running,
  every IT lead's invitation e-mailed exactly once.
* ``kill-sweep`` — ``--items`` due work items; per round a worker is started, a sweep is
  sent, and the worker is killed after a random 0..``--window`` seconds. Then one worker and
  the script (acting as beat: a sweep and an outbox relay every 2 s) run until nothing is
  due or pending. Checked: one notification per due item and person, each e-mailed once.
* ``redis-outage`` — a worker runs; Redis is stopped for ``--outage`` seconds while the
  script sends, through the real middleware and GraphQL endpoint, ticket intake, invitations,
  invitation acceptances (which queue a contact sync) and provisioning requests. Then Redis
  comes back (with its append-only file, as a production broker should run) and the script
  relays as beat would. Checked: every request answered quickly, every ticket stored, every
  invitation e-mailed, every accepted person's contact synced, every client provisioned.

E-mails are appended, one JSON line each, to a file by ``FileLogBackend`` (below), so the
workers' e-mails can be counted across processes. Run from the repository root:

    .venv/bin/python -m benchmarks.faults kill-provisioning --rounds 20
    .venv/bin/python -m benchmarks.faults kill-sweep --rounds 20 --items 2000
    .venv/bin/python -m benchmarks.faults redis-outage --outage 60

``postgres-restart`` stops and starts a *scratch* cluster (never the shared server) under a
running process and worker: a request while it is down answers 503 / SERVICE_UNAVAILABLE,
the first request after the restart succeeds in the same process, and the sweep sent
during the outage is retried and succeeds. Make the cluster first, e.g. (as root):

    runuser -u postgres -- initdb -D /tmp/msp-pg -A trust
    runuser -u postgres -- pg_ctl -D /tmp/msp-pg -w -o "-p 5499 -k /tmp" start
    .venv/bin/python -m benchmarks.faults postgres-restart --pgdata /tmp/msp-pg --pgport 5499 \
        --server-url postgres://postgres@127.0.0.1:5499/postgres
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend

from benchmarks.provisioning import (
    REPO_ROOT,
    add_database_arguments,
    bench_environment,
    bootstrapped_database,
    print_table,
)

QUEUE = "faults"
MUTATION = "mutation($input: {0}!) {{ {1}(input: $input) {{ errors {{ code }} }} }}"
MAIL_LOG_ENV = "FAULTS_MAIL_LOG"


class FileLogBackend(BaseEmailBackend):
    """Appends one JSON line per message (recipients, subject) to `$FAULTS_MAIL_LOG`."""

    def send_messages(self, email_messages: Any) -> int:
        path = os.environ[MAIL_LOG_ENV]
        for message in email_messages:
            line = json.dumps({"to": list(message.to), "subject": message.subject, "body": message.body})
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, (line + "\n").encode())
            finally:
                os.close(fd)
        return len(email_messages)


def mail_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# ------------------------------------------------------------------------ processes


class OwnRedis:
    """A redis-server of this run's own on `port`, with an append-only file in `workdir`."""

    def __init__(self, port: int, workdir: Path):
        self.port = port
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise SystemExit(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()  # SIGTERM: Redis flushes its append-only file and exits
            self.process.wait(timeout=30)
            self.process = None


def worker_environment(db_url: str, redis_port: int, mail_path: Path) -> dict[str, str]:
    env = bench_environment(db_url)
    url = f"redis://127.0.0.1:{redis_port}"
    env.update(
        REDIS_URL=f"{url}/0",
        CELERY_BROKER_URL=f"{url}/1",
        CELERY_RESULT_BACKEND=f"{url}/2",
        CELERY_QUEUE=QUEUE,
        CELERY_VISIBILITY_TIMEOUT="15",
        EMAIL_BACKEND="benchmarks.faults.FileLogBackend",
        LOG_LEVEL="ERROR",
        **{MAIL_LOG_ENV: str(mail_path)},
    )
    return env


class Worker:
    """`celery worker` (prefork, one child) in its own process group."""

    def __init__(self, env: dict[str, str], log: Path):
        self.log = log
        self.handle = log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "msp_portal",
                "worker",
                "-P",
                "prefork",
                "-c",
                "1",
                "-Q",
                QUEUE,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "INFO",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.handle.close()

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            self.kill()
        self.handle.close()


def wait_for(condition: Any, timeout: float, what: str, every: float = 0.02) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(every)


def _beat_once() -> None:
    """What beat does every few seconds here: relay the outbox, reap stale jobs."""
    from core.outbox import relay
    from tenants.provisioning import reap_stale_jobs

    relay()
    reap_stale_jobs()


# --------------------------------------------------------------------- scenarios


def kill_provisioning(args: argparse.Namespace, env: dict[str, str], workdir: Path) -> list[list[object]]:
    from django.core.cache import cache

    from tenants.models import Client, ProvisioningJob, ProvisioningStatus, User
    from tenants.provisioning import progress_cache_key, reap_stale_jobs, start_provisioning_job

    rng = random.Random(args.seed)
    admin = User.objects.get(msp_role="admin")
    outcomes: collections.Counter[str] = collections.Counter()
    kill_steps: collections.Counter[str] = collections.Counter()
    slugs = [f"kill-{index:03d}" for index in range(args.rounds)]

    def request(slug: str) -> ProvisioningJob:
        return start_provisioning_job(
            {
                "name": f"Killed {slug}",
                "slug": slug,
                "industry": "other",
                "tier": "standard",
                "it_lead_email": f"lead@{slug}.example.com",
                "it_lead_name": "Lead",
            },
            acting_user=admin,
        )

    for index, slug in enumerate(slugs):
        job = request(slug)
        worker = Worker(env, workdir / "worker.log")
        wait_for(
            lambda job=job: ProvisioningJob.objects.get(pk=job.pk).status != ProvisioningStatus.QUEUED,
            120,
            "the worker to take the job",
            every=0.005,
        )
        delay = rng.uniform(0, args.window)
        time.sleep(delay)
        progress = cache.get(progress_cache_key(str(job.pk)))
        worker.kill()
        status = ProvisioningJob.objects.get(pk=job.pk).status
        step = f"step {progress['step']}" if progress and status == ProvisioningStatus.RUNNING else status
        kill_steps[step] += 1
        # PostgreSQL notices the dead connection (and frees the lease) within moments.
        wait_for(
            lambda job=job: (
                reap_stale_jobs(job_id=str(job.pk)) >= 0
                and ProvisioningJob.objects.get(pk=job.pk).status != ProvisioningStatus.RUNNING
            ),
            60,
            "the lease of the killed worker to be released",
            every=0.1,
        )
        after = ProvisioningJob.objects.get(pk=job.pk)
        outcomes[f"{status} at the kill -> {after.status}"] += 1
        print(
            f"  round {index + 1:>3}: killed after {delay:.2f} s at {step}; job now {after.status}",
            flush=True,
        )

    # The admin starts the failed ones again; one worker finishes everything.
    retried = 0
    for slug in slugs:
        if not Client.objects.filter(slug=slug).exists():
            request(slug)
            retried += 1
    worker = Worker(env, workdir / "worker.log")
    try:
        wait_for(
            lambda: (
                not ProvisioningJob.objects.filter(
                    status__in=[ProvisioningStatus.QUEUED, ProvisioningStatus.RUNNING]
                ).exists()
                and len(mail_log(Path(env[MAIL_LOG_ENV]))) >= len(slugs)
            ),
            300,
            "the retries and the invitation e-mails",
            every=0.5,
        )
        time.sleep(3)  # anything redelivered late would show up as a double
        _beat_once()
    finally:
        worker.stop()

    return provisioning_checks(slugs, outcomes, kill_steps, retried, Path(env[MAIL_LOG_ENV]))


def provisioning_checks(
    slugs: list[str],
    outcomes: collections.Counter[str],
    kill_steps: collections.Counter[str],
    retried: int,
    mail_path: Path,
) -> list[list[object]]:
    from django.db import connection

    from tenants.models import Client, Invitation, ProvisioningJob, ProvisioningStatus

    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'client_kill_%%'")
        schemas = {row[0] for row in cursor.fetchall()}
    clients = collections.Counter(Client.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    expected_schemas = {"client_" + slug.replace("-", "_") for slug in slugs}
    sent = collections.Counter(tuple(message["to"]) for message in mail_log(mail_path))
    leads = [f"lead@{slug}.example.com" for slug in slugs]
    rows: list[list[object]] = [
        ["rounds (worker SIGKILLed once each)", len(slugs)],
        *[[f"state at the kill: {key}", value] for key, value in sorted(kill_steps.items())],
        *[[f"job: {key}", value] for key, value in sorted(outcomes.items())],
        ["jobs started again by the admin", retried],
        ["slugs with exactly one client (of all)", sum(1 for slug in slugs if clients[slug] == 1)],
        ["clients lost", sum(1 for slug in slugs if clients[slug] == 0)],
        ["clients doubled", sum(1 for slug in slugs if clients[slug] > 1)],
        ["schemas without their client (half-provisioned)", len(schemas - expected_schemas)],
        ["clients without their schema", len(expected_schemas - schemas)],
        [
            "jobs left queued or running",
            ProvisioningJob.objects.filter(
                status__in=[ProvisioningStatus.QUEUED, ProvisioningStatus.RUNNING]
            ).count(),
        ],
        ["IT-lead invitations", Invitation.objects.filter(client__slug__in=slugs).count()],
        ["invitation e-mails lost", sum(1 for lead in leads if sent[(lead,)] == 0)],
        ["invitation e-mails doubled", sum(1 for lead in leads if sent[(lead,)] > 1)],
    ]
    return rows


def kill_sweep(args: argparse.Namespace, env: dict[str, str], workdir: Path) -> list[list[object]]:
    from celery import current_app
    from django.utils import timezone

    from benchmarks.queue_latency import make_staff
    from benchmarks.sla_sweep import load_items, make_clients
    from core.models import OutboxMessage
    from core.outbox import relay
    from services.workqueue.models import Notification, WorkItem

    rng = random.Random(args.seed)
    staff = make_staff(20)
    client_ids = make_clients(10)
    now = timezone.now()
    due = load_items(env["DATABASE_URL"], args.items, client_ids, staff.technician_ids, 1.0, now, args.seed)
    print(f"{due} work items due; {args.rounds} rounds of sweep + SIGKILL", flush=True)
    mail_path = Path(env[MAIL_LOG_ENV])

    def sweep() -> None:
        current_app.send_task("workqueue.sweep_sla_alerts", queue=QUEUE, headers={"_schema_name": "public"})

    kills: list[str] = []
    for index in range(args.rounds):
        worker = Worker(env, workdir / "worker.log")
        before = Notification.objects.count()
        wait_for(lambda: b"ready" in (workdir / "worker.log").read_bytes()[-4000:], 120, "the worker")
        sweep()
        delay = rng.uniform(0, args.window)
        time.sleep(delay)
        worker.kill()
        written = Notification.objects.count() - before
        emailed = Notification.objects.filter(emailed_at__isnull=False).count()
        kills.append(f"{delay:.2f}")
        print(
            f"  round {index + 1:>3}: killed after {delay:.2f} s; +{written} notifications, "
            f"{emailed} e-mailed so far",
            flush=True,
        )
        (workdir / "worker.log").write_bytes(b"")

    worker = Worker(env, workdir / "worker.log")
    try:
        started = time.monotonic()
        while True:
            sweep()
            relay()
            time.sleep(2)
            pending_items = WorkItem.objects.filter(is_open=True, next_alert_at__lte=now).count()
            pending_mail = Notification.objects.filter(email_pending=True).count()
            pending_outbox = OutboxMessage.objects.filter(sent_at__isnull=True).count()
            if not pending_items and not pending_mail and not pending_outbox:
                break
            if time.monotonic() - started > 600:
                raise SystemExit(f"not settled: {pending_items} items, {pending_mail} e-mails pending")
        time.sleep(20)  # past the visibility timeout: a late redelivery would show as a double
    finally:
        worker.stop()

    notifications = list(
        Notification.objects.values_list("user__email", "title", "emailed_at", "email_pending")
    )
    sent = collections.Counter((tuple(m["to"]), m["subject"]) for m in mail_log(mail_path))
    expected = {((email,), title) for email, title, _, _ in notifications}
    per_item = collections.Counter(title for _, title, _, _ in notifications)
    return [
        [f"rounds (sweep sent, worker SIGKILLed after a random 0-{args.window:.1f} s)", args.rounds],
        ["work items due", due],
        ["notifications recorded", len(notifications)],
        ["work items notified", len(per_item)],
        ["notifications recorded twice", sum(1 for n in per_item.values() if n > 1)],
        ["e-mails sent", sum(sent.values())],
        ["e-mails lost (recorded, never sent)", sum(1 for key in expected if sent[key] == 0)],
        ["e-mails doubled", sum(1 for key in expected if sent[key] > 1)],
        ["e-mails still pending", sum(1 for *_, pending in notifications if pending)],
    ]


def redis_outage(
    args: argparse.Namespace, env: dict[str, str], workdir: Path, redis: OwnRedis
) -> list[list[object]]:
    from django.test import Client as HttpClient
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_tenants.utils import schema_context

    from services.directory.actions import sync_member_contacts
    from services.directory.models import Contact
    from tenants.actions import invite_client_user
    from tenants.models import Client, ClientStatus, Membership, ProvisioningJob, ProvisioningStatus, User
    from tenants.provisioning import provision_client

    admin = User.objects.get(msp_role="admin")
    device = TOTPDevice.objects.create(user=admin, name="bench", confirmed=True)
    oscar = provision_client(
        {
            "name": "Oscar",
            "slug": "oscar",
            "industry": "other",
            "tier": "standard",
            "it_lead_email": "lead@oscar.example.com",
            "it_lead_name": "Olga Lead",
        },
        acting_user=admin,
    )
    Client.objects.filter(pk=oscar.pk).update(status=ClientStatus.ACTIVE)
    lead = User.objects.create_user(
        "olga@oscar.example.com", "a-long-and-unusual-passphrase", full_name="Olga"
    )
    Membership.objects.create(user=lead, client=oscar, role="it_lead")
    with schema_context(oscar.schema_name):
        sync_member_contacts(oscar)  # she raises tickets as a contact of the client
    # Invitations made before the outage, accepted during it (each queues a contact sync).
    tokens = [
        invite_client_user(
            oscar, email=f"early{i}@oscar.example.com", full_name=f"Early {i}", role="member", invited_by=lead
        )[1]
        for i in range(args.per_kind)
    ]

    def signed_in(user: User, host: str, verified: bool) -> HttpClient:
        http = HttpClient(HTTP_HOST=host, raise_request_exception=False)
        http.force_login(user)
        if verified:
            session = http.session
            session["otp_device_id"] = device.persistent_id
            session.save()
        return http

    staff = signed_in(admin, "localhost", verified=True)
    client_user = signed_in(lead, "oscar.localhost", verified=False)
    anonymous = HttpClient(HTTP_HOST="oscar.localhost", raise_request_exception=False)

    def post(http: HttpClient, query: str, variables: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        started = time.perf_counter()
        response = http.post(
            "/graphql/",
            data=json.dumps({"query": query, "variables": variables}),
            content_type="application/json",
        )
        return time.perf_counter() - started, response.json()

    worker = Worker(env, workdir / "worker.log")
    latencies: dict[str, list[float]] = collections.defaultdict(list)
    failures: list[str] = []
    try:
        wait_for(lambda: b"ready" in (workdir / "worker.log").read_bytes()[-4000:], 120, "the worker")
        redis.stop()
        print(f"Redis stopped; sending requests for {args.outage} s", flush=True)
        outage_started = time.monotonic()
        i = 0
        while time.monotonic() - outage_started < args.outage:
            if i < args.per_kind:
                calls = [
                    (
                        "createTicket",
                        client_user,
                        MUTATION.format("CreateTicketInput", "createTicket"),
                        {"input": {"title": f"Outage ticket {i}", "impact": "MEDIUM", "urgency": "HIGH"}},
                    ),
                    (
                        "inviteClientUser",
                        client_user,
                        MUTATION.format("InviteClientUserInput", "inviteClientUser"),
                        {
                            "input": {
                                "clientSlug": "oscar",
                                "email": f"late{i}@oscar.example.com",
                                "fullName": f"Late {i}",
                                "role": "MEMBER",
                            }
                        },
                    ),
                    (
                        "acceptInvitation",
                        anonymous,
                        MUTATION.format("AcceptInvitationInput", "acceptInvitation"),
                        {
                            "input": {
                                "token": tokens[i],
                                "fullName": f"Early {i}",
                                "password": "a-long-and-unusual-passphrase",
                            }
                        },
                    ),
                    (
                        "provisionClient",
                        staff,
                        MUTATION.format("ProvisionClientInput", "provisionClient"),
                        {
                            "input": {
                                "name": f"Outage {i}",
                                "slug": f"outage-{i:02d}",
                                "industry": "OTHER",
                                "tier": "STANDARD",
                                "itLeadEmail": f"lead@outage-{i:02d}.example.com",
                                "itLeadName": "Lead",
                            }
                        },
                    ),
                ]
                for name, http, query, variables in calls:
                    seconds, answer = post(http, query, variables)
                    latencies[name].append(seconds)
                    payload = (answer.get("data") or {}).get(name) or {}
                    if answer.get("errors") or payload.get("errors"):
                        failures.append(f"{name}: {answer}")
                i += 1
            else:
                time.sleep(0.2)
        redis.start()
        print("Redis is back; relaying as beat does", flush=True)
        started = time.monotonic()
        while True:
            _beat_once()
            time.sleep(2)
            done = (
                not ProvisioningJob.objects.exclude(status=ProvisioningStatus.SUCCEEDED).exists()
                and _delivered(Path(env[MAIL_LOG_ENV]), _expected_recipients(args.per_kind))
                and all(
                    _contact_exists(schema_context, Contact, oscar, f"early{k}@oscar.example.com")
                    for k in range(args.per_kind)
                )
            )
            if done or time.monotonic() - started > 300:
                break
    finally:
        worker.stop()

    from services.support.models import Ticket

    with schema_context(oscar.schema_name):
        tickets = Ticket.objects.filter(title__startswith="Outage ticket").count()
        contacts = sum(
            1
            for k in range(args.per_kind)
            if Contact.objects.filter(email=f"early{k}@oscar.example.com").exists()
        )
    sent = collections.Counter(tuple(m["to"]) for m in mail_log(Path(env[MAIL_LOG_ENV])))
    late = [f"late{k}@oscar.example.com" for k in range(args.per_kind)]
    provisioned_leads = [f"lead@outage-{k:02d}.example.com" for k in range(args.per_kind)]
    rows: list[list[object]] = [
        ["Redis stopped for (s)", args.outage],
        ["requests of each kind", args.per_kind],
    ]
    for name, values in latencies.items():
        rows.append([f"{name}: slowest answer during the outage (s)", f"{max(values):.2f}"])
    rows += [
        ["requests refused or failed", len(failures)],
        ["tickets stored / sent", f"{tickets} / {args.per_kind}"],
        [
            "invitation e-mails delivered / invited",
            f"{sum(1 for e in late if sent[(e,)] == 1)} / {len(late)}",
        ],
        ["contacts synced for people who joined / joined", f"{contacts} / {args.per_kind}"],
        [
            "clients provisioned / requested",
            f"{Client.objects.filter(slug__startswith='outage-').count()} / {args.per_kind}",
        ],
        [
            "IT-lead invitation e-mails of those clients delivered",
            f"{sum(1 for e in provisioned_leads if sent[(e,)] == 1)} / {args.per_kind}",
        ],
        ["e-mails doubled", sum(1 for count in sent.values() if count > 1)],
    ]
    for failure in failures[:5]:
        print("  failed:", failure[:300])
    for recipients, count in sent.items():
        if count > 1:
            print(f"  e-mailed {count} times: {recipients}")
    return rows


def _expected_recipients(per_kind: int) -> list[str]:
    """Invitation e-mails that must arrive: the invitations sent during the outage and the IT
    leads of the clients provisioned during it. (The invitations accepted during the outage
    may get none: an invitation no longer open is not e-mailed.)"""
    return [f"late{k}@oscar.example.com" for k in range(per_kind)] + [
        f"lead@outage-{k:02d}.example.com" for k in range(per_kind)
    ]


def _delivered(path: Path, recipients: list[str]) -> bool:
    sent = {tuple(message["to"]) for message in mail_log(path)}
    return all((recipient,) in sent for recipient in recipients)


def _contact_exists(schema_context: Any, contact_model: Any, client: Any, email: str) -> bool:
    with schema_context(client.schema_name):
        return bool(contact_model.objects.filter(email=email).exists())


def postgres_restart(
    args: argparse.Namespace, env: dict[str, str], workdir: Path, redis: OwnRedis
) -> list[list[object]]:
    """Stop and start a scratch PostgreSQL cluster under a running process and worker."""
    from celery import current_app
    from django.db import close_old_connections
    from django.test import Client as HttpClient

    if not args.pgdata:
        raise SystemExit(
            "postgres-restart needs --pgdata (a scratch cluster's data directory) and --server-url"
        )
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def pg_ctl(*command: str) -> None:
        subprocess.run(
            [*as_postgres, "pg_ctl", "-D", args.pgdata, "-w", *command], check=True, stdout=subprocess.DEVNULL
        )

    http = HttpClient(HTTP_HOST="localhost", raise_request_exception=False)
    query = json.dumps({"query": "{ viewer { email } }"})

    def ask() -> tuple[int, str, float]:
        # What Django's WSGI handler does around every request (its test client skips it):
        # drop connections that failed or are past CONN_MAX_AGE; health-check the others.
        close_old_connections()
        started = time.perf_counter()
        response = http.post("/graphql/", data=query, content_type="application/json")
        body = response.json() if response["Content-Type"].startswith("application/json") else {}
        code = (body.get("errors") or [{}])[0].get("extensions", {}).get("code", "")
        return response.status_code, code, time.perf_counter() - started

    def sweep() -> None:
        current_app.send_task("workqueue.sweep_sla_alerts", queue=QUEUE, headers={"_schema_name": "public"})

    worker = Worker(env, workdir / "worker.log")
    rows: list[list[object]] = []
    try:
        wait_for(lambda: b"ready" in (workdir / "worker.log").read_bytes()[-4000:], 120, "the worker")
        status, code, seconds = ask()
        rows.append(["before: GraphQL status", f"{status} {code or 'ok'} ({seconds:.2f} s)"])
        sweep()
        time.sleep(3)
        pg_ctl("stop", "-m", "fast")
        status, code, seconds = ask()
        rows.append(["PostgreSQL stopped: GraphQL status", f"{status} {code} ({seconds:.2f} s)"])
        page = HttpClient(HTTP_HOST="localhost", raise_request_exception=False).get(
            "/", HTTP_ACCEPT="text/html"
        )
        rows.append(["PostgreSQL stopped: page status", page.status_code])
        sweep()  # the minute's sweep while the database is away
        time.sleep(5)
        pg_ctl("start", "-o", f"-p {args.pgport} -k /tmp")
        status, code, seconds = ask()
        rows.append(
            ["after the restart, same process: GraphQL status", f"{status} {code or 'ok'} ({seconds:.2f} s)"]
        )
        wait_for(
            lambda: (
                (workdir / "worker.log").read_bytes().count(b"workqueue.sweep_sla_alerts") >= 0
                and (workdir / "worker.log").read_bytes().count(b"succeeded") >= 2
            ),
            180,
            "the sweep sent during the outage to succeed after its retry",
            every=1,
        )
        log = (workdir / "worker.log").read_bytes()
        rows.append(["worker (not restarted): sweeps succeeded", log.count(b"succeeded")])
        rows.append(["worker: retries scheduled during the outage", log.count(b"Retry in")])
    finally:
        worker.stop()
    return rows


# --------------------------------------------------------------------------- main


@contextmanager
def environment(args: argparse.Namespace) -> Iterator[tuple[dict[str, str], Path, OwnRedis]]:
    workdir = Path(tempfile.mkdtemp(prefix="msp-faults-"))
    redis = OwnRedis(args.redis_port, workdir)
    redis.start()
    url = f"redis://127.0.0.1:{args.redis_port}"
    mail_path = workdir / "mail.jsonl"
    extra = {
        "MSP_HOSTS": "localhost,testserver",
        "REDIS_URL": f"{url}/0",
        "CELERY_BROKER_URL": f"{url}/1",
        "CELERY_RESULT_BACKEND": f"{url}/2",
        "CELERY_QUEUE": QUEUE,
        "CELERY_VISIBILITY_TIMEOUT": "15",
        "CACHE_KEY_PREFIX": "msp-faults",
        "FAST_PASSWORD_HASHING": "1",
        "EMAIL_BACKEND": "benchmarks.faults.FileLogBackend",
        MAIL_LOG_ENV: str(mail_path),
    }
    for name, value in extra.items():
        os.environ[name] = value
    try:
        with bootstrapped_database(args) as (db_url, machine):
            from django.conf import settings

            settings.EMAIL_BACKEND = "benchmarks.faults.FileLogBackend"
            from tenants.models import MspRole, User

            User.objects.create_user("admin@msp.example.com", None, full_name="Admin", msp_role=MspRole.ADMIN)
            env = worker_environment(db_url, args.redis_port, mail_path)
            yield env, workdir, redis
            print("\nMachine:")
            print_table(["", ""], machine)
    finally:
        redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "scenario", choices=["kill-provisioning", "kill-sweep", "redis-outage", "postgres-restart"]
    )
    parser.add_argument("--pgdata", help="data directory of the scratch cluster (postgres-restart)")
    parser.add_argument("--pgport", type=int, default=5499, help="its port (postgres-restart)")
    parser.add_argument("--rounds", type=int, default=20, help="worker kills (kill-*)")
    parser.add_argument("--window", type=float, default=1.0, help="kill within this many seconds (kill-*)")
    parser.add_argument("--items", type=int, default=2000, help="due work items (kill-sweep)")
    parser.add_argument("--outage", type=float, default=60, help="seconds Redis stays down (redis-outage)")
    parser.add_argument("--per-kind", type=int, default=10, help="requests of each kind (redis-outage)")
    parser.add_argument("--redis-port", type=int, default=6396, help="port of this run's own redis-server")
    parser.add_argument("--seed", type=int, default=7)
    add_database_arguments(parser, "msp_bench_faults")
    args = parser.parse_args()
    started = time.perf_counter()
    with environment(args) as (env, workdir, redis):
        if args.scenario == "kill-provisioning":
            rows = kill_provisioning(args, env, workdir)
        elif args.scenario == "kill-sweep":
            rows = kill_sweep(args, env, workdir)
        elif args.scenario == "redis-outage":
            rows = redis_outage(args, env, workdir, redis)
        else:
            rows = postgres_restart(args, env, workdir, redis)
        print(f"\n{args.scenario} ({time.perf_counter() - started:.0f} s):\n")
        print_table(["", "result"], rows)


if __name__ == "__main__":
    main()
