"""Benchmark: the client's status page (`statusPage`) for a client with 500 devices and 50 monitors.

Builds one client tenant (real `provision_client`) and fills its schema with what the status
page reads, through the ORM in bulk:

* 500 active devices (plus 20 retired) with a realistic spread of management, endpoint
  protection (protected / outdated / missing / not reported) and patch state;
* 10 client services (connectivity, collaboration, line of business) × 5 monitors = 50, each
  with a month of state history (`MonitorStateChange`: a few short outages per monitor, some
  degraded spells), then live results recorded with the real `record_check_results` so two
  monitors are down now with their outages and incident tickets;
* 150 tickets (the real `create_ticket`; a few of the improvement category in progress),
  two judged SLA outcomes each (300) over the last 40 days;
* 12 security incidents (8 open), 400 identity-provider accounts and 90 daily MFA snapshots.

It counts the SQL queries of one request at a small size first (40 devices, 5 monitors) and
again at full size — they must be equal — then times the request, twice: with the uptime
figures from the per-minute cache (what repeated views and the page's polling get) and with
them computed on every request (what the first view after a state change gets: closed days
from their stored rows, today live), and — a quarter as many — with the closed days' rows
deleted before each request too (the first view of a day before the nightly task), posted as
JSON through
Django's test `Client` on the client's portal host, signed in as its IT lead (the whole
middleware stack: session, tenant by host, access, graphene), after warm-up requests; and
the loader alone (`load_status`) for comparison. Every response is checked for errors and
for the expected counts.

Runs on its own throwaway database (`msp_bench_status` by default), created and dropped by the
script. Run from the repository root:

    .venv/bin/python -m benchmarks.status_page
    .venv/bin/python -m benchmarks.status_page --requests 500 --warmup 50
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from benchmarks.provisioning import (
    add_database_arguments,
    bootstrapped_database,
    load_average,
    percentile,
    print_table,
)

EXTRA_ENVIRONMENT = {
    "MSP_HOSTS": "testserver,localhost",
    "REDIS_URL": "redis://127.0.0.1:6379/5",
    "CACHE_KEY_PREFIX": "msp-bench",
    "FAST_PASSWORD_HASHING": "1",
}

STATUS_QUERY = """query { statusPage {
  full generatedAt monthStart uptimeFrom
  services { name state since availabilityPercent promisedPercent dailyUptime layer isBusinessCritical
             maintenanceUntil }
  incidents { kind title severity status startedAt reference }
  openSecurityIncidents openMajorSecurityIncidents mfaCovered mfaTotal mfaPercent mfaHistory { day percent }
  slaMonthMet slaMonthBreached slaMonthPercent
  devices { active managed protected protectionOutdated protectionMissing protectionUnknown
            patchCurrent patchPending patchOverdue patchUnknown }
  work { kind number title priority status serviceLine assigneeName nextDeadlineAt breachState updatedAt }
  workTotal ticketsOpenedLast30Days ticketsOpenedPrevious30Days
  improvements { proposed active stalled completedRecently }
  hierarchy { key label ownState state reasons { text state evidence } }
} }"""

SERVICES = (
    ("VPN", "connectivity", True),
    ("Internet (HQ)", "connectivity", True),
    ("Home-office broadband", "connectivity", False),
    ("Microsoft 365 mail", "collaboration", True),
    ("Teams", "collaboration", True),
    ("SharePoint", "collaboration", False),
    ("CRM", "line_of_business", True),
    ("Accounting", "line_of_business", False),
    ("Intranet", "other", False),
    ("Print service", "other", False),
)
MONITORS_PER_SERVICE = 5


def make_client() -> tuple[Any, Any, str]:
    """The benchmark client, its IT lead and its portal host."""
    from services.directory.models import Contact
    from tenants.models import Client, ClientRole, ClientStatus, Membership, MspRole, User
    from tenants.provisioning import provision_client

    admin = User.objects.create_user(
        "admin@bench.test", "x" * 16, full_name="Ada Admin", msp_role=MspRole.ADMIN
    )
    manager = User.objects.create_user(
        "am@bench.test", "x" * 16, full_name="Amy Manager", msp_role=MspRole.ACCOUNT_MANAGER
    )
    client = provision_client(
        {
            "name": "Bench Co",
            "slug": "bench",
            "industry": "legal",
            "tier": "standard",
            "it_lead_email": "lead@bench.test",
            "it_lead_name": "Bench Lead",
            "account_manager_id": manager.pk,
        },
        acting_user=admin,
    )
    Client.objects.filter(pk=client.pk).update(status=ClientStatus.ACTIVE)
    client.refresh_from_db()
    lead = User.objects.create_user("lead@bench.test", "x" * 16, full_name="Bench Lead")
    Membership.objects.create(user=lead, client=client, role=ClientRole.IT_LEAD)
    from django_tenants.utils import tenant_context

    with tenant_context(client):
        Contact.objects.update_or_create(
            email="lead@bench.test",
            defaults={"full_name": "Bench Lead", "user_id": lead.pk, "is_active": True},
        )
    domain = client.get_primary_domain()
    return client, lead, domain.domain


def add_devices(rng: random.Random, count: int, start: int) -> None:
    from services.infrastructure.models import Device

    def pick(options: Sequence[tuple[str, float]]) -> str:
        return rng.choices([o for o, _ in options], [w for _, w in options])[0]

    Device.objects.bulk_create(
        Device(
            name=f"dev-{start + i:04d}",
            device_type=pick([("laptop", 6), ("workstation", 2), ("server", 1), ("mobile", 1)]),
            os="Windows",
            os_version="11",
            is_managed=rng.random() < 0.95,
            protection_status=pick([("protected", 90), ("outdated", 5), ("missing", 2), ("unknown", 3)]),
            patch_status=pick([("current", 85), ("pending", 10), ("overdue", 3), ("unknown", 2)]),
            serial=f"SN{start + i:06d}",
        )
        for i in range(count)
    )


def add_services(
    rng: random.Random, services: Sequence[tuple[str, str, bool]], monitors_each: int
) -> list[Any]:
    """Services and monitors with a month of state history; every monitor up now."""
    from django.utils import timezone

    from services.infrastructure.monitoring_models import ClientService, Monitor, MonitorStateChange

    now = timezone.now()
    created = now - timedelta(days=40)
    monitors: list[Any] = []
    changes: list[Any] = []
    for name, category, critical in services:
        service = ClientService.objects.create(name=name, category=category, is_business_critical=critical)
        for index in range(monitors_each):
            monitor = Monitor.objects.create(
                service=service,
                name=f"{name} check {index + 1}",
                key=f"{service.pk}-{index + 1}",
                kind="push",
                state="up",
                state_since=created,
                created_at=created,
            )
            monitors.append(monitor)
            at = created
            changes.append(MonitorStateChange(monitor=monitor, from_state="unknown", to_state="up", at=at))
            # A few outages and degraded spells over the 40 days.
            for _ in range(rng.randint(1, 6)):
                at = at + timedelta(hours=rng.uniform(12, 150))
                if at > now - timedelta(hours=2):
                    break
                bad = rng.choice(["down", "degraded"])
                changes.append(MonitorStateChange(monitor=monitor, from_state="up", to_state=bad, at=at))
                at = at + timedelta(minutes=rng.uniform(3, 90))
                changes.append(MonitorStateChange(monitor=monitor, from_state=bad, to_state="up", at=at))
            Monitor.objects.filter(pk=monitor.pk).update(state_since=at)
    MonitorStateChange.objects.bulk_create(changes)
    return monitors


def take_down(client: Any, monitors: Sequence[Any]) -> None:
    """Real results: each monitor fails three times in a row (an outage and its ticket)."""
    from django.utils import timezone

    from services.infrastructure.monitoring import CheckResultIn, record_check_results

    now = timezone.now()
    record_check_results(
        client,
        [
            CheckResultIn(status="down", observed_at=now - timedelta(minutes=5 - n), monitor_id=m.pk)
            for m in monitors
            for n in range(3)
        ],
    )


def add_tickets(client: Any, lead: Any, rng: random.Random, count: int) -> None:
    from django.utils import timezone

    from services.support.actions import NewTicket, change_status, create_ticket
    from services.support.models import SlaOutcome, Ticket

    admin = type(lead).objects.get(email="admin@bench.test")
    numbers = []
    for i in range(count):
        improvement = i % 15 == 0
        ticket = create_ticket(
            client,
            NewTicket(
                title=f"Request {i}",
                category="Improvement" if improvement else rng.choice(["hardware", "access", "email", ""]),
                impact=rng.choice(["low", "medium", "high"]),
                urgency=rng.choice(["low", "medium", "high"]),
            ),
            actor=lead,
        )
        numbers.append(ticket.number)
        if improvement or rng.random() < 0.3:
            change_status(client, ticket.number, actor=admin, status="in_progress")
    now = timezone.now()
    tickets = list(Ticket.objects.filter(number__in=numbers))
    # Spread creation over 60 days so the trend has two halves.
    for ticket in tickets:
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - timedelta(days=rng.uniform(0, 60)))
    # Two judged clocks per ticket (first response, first resolution), ~93 % met.
    outcomes = []
    for ticket in tickets:
        for clock in ("first_response", "first_resolution"):
            judged = now - timedelta(days=rng.uniform(0, 40))
            met = rng.random() < 0.93
            outcomes.append(
                SlaOutcome(
                    ticket=ticket,
                    clock=clock,
                    result="met" if met else "breached",
                    priority=ticket.priority,
                    policy_id=1,
                    target_minutes=240,
                    business_minutes_used=200 if met else 300,
                    minutes_over=-40 if met else 60,
                    due_at=judged,
                    judged_at=judged,
                )
            )
    SlaOutcome.objects.bulk_create(outcomes)


def add_security(rng: random.Random) -> None:
    from datetime import date

    from services.security.mfa_models import IdpAccount, MfaSnapshot
    from services.security.models import SecurityIncident

    SecurityIncident.objects.bulk_create(
        SecurityIncident(
            number=n,
            title=f"Incident {n}",
            kind=rng.choice(["phishing", "malware", "account_compromise"]),
            severity=rng.choice(["low", "medium", "high", "critical"]),
            status="new" if n <= 8 else "resolved",
        )
        for n in range(1, 13)
    )
    IdpAccount.objects.bulk_create(
        IdpAccount(login=f"user{i}@bench.test", display_name=f"User {i}", mfa_enabled=rng.random() < 0.92)
        for i in range(400)
    )
    today = date.today()
    MfaSnapshot.objects.bulk_create(
        MfaSnapshot(
            day=today - timedelta(days=d),
            total_accounts=400,
            covered_accounts=min(400, 300 + (90 - d) + rng.randint(0, 5)),
        )
        for d in range(90)
    )


def signed_in(lead: Any, host: str) -> Any:
    from django.test import Client as HttpClient

    http = HttpClient(HTTP_HOST=host)
    http.force_login(lead)
    return http


def post_status(http: Any) -> dict[str, Any]:
    response = http.post(
        "/graphql/", data=json.dumps({"query": STATUS_QUERY}), content_type="application/json"
    )
    body = json.loads(response.content)
    if response.status_code != 200 or "errors" in body:
        raise SystemExit(f"statusPage failed ({response.status_code}): {body}")
    return body["data"]["statusPage"]  # type: ignore[no-any-return]


def count_queries(http: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        post_status(http)
    return len(captured.captured_queries)


def timed(call: Any, repeats: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        call()
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - started)
    return seconds


def _spread(seconds: Sequence[float]) -> str:
    return " / ".join(
        f"{value * 1000:.1f}"
        for value in (
            statistics.median(seconds),
            percentile(seconds, 0.95),
            percentile(seconds, 0.99),
            max(seconds),
        )
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    add_database_arguments(parser, "msp_bench_status")
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    with bootstrapped_database(args, EXTRA_ENVIRONMENT) as (_db_url, machine):
        from django.utils import timezone
        from django_tenants.utils import tenant_context

        from services.infrastructure.models import Device
        from services.status.selectors import load_status

        client, lead, host = make_client()
        http = signed_in(lead, host)
        with tenant_context(client):
            print("Small size: 40 devices, 1 service × 5 monitors, 10 tickets…", flush=True)
            add_devices(rng, 40, 0)
            small_monitors = add_services(rng, SERVICES[:1], MONITORS_PER_SERVICE)
            take_down(client, small_monitors[:1])
            add_tickets(client, lead, rng, 10)
        small_queries = count_queries(http)
        with tenant_context(client):
            print(f"Full size: {args.devices} devices, 10 services × 5 monitors, 150 tickets…", flush=True)
            add_devices(rng, args.devices - 40, 40)
            Device.objects.bulk_create(
                Device(name=f"retired-{i}", device_type="laptop", is_active=False) for i in range(20)
            )
            monitors = small_monitors + add_services(rng, SERVICES[1:], MONITORS_PER_SERVICE)
            take_down(client, [monitors[7]])
            add_tickets(client, lead, rng, 140)
            add_security(rng)
        full_queries = count_queries(http)
        page = post_status(http)
        monitor_count = len(monitors)
        assert page["devices"]["active"] == args.devices, page["devices"]
        assert len(page["services"]) == len(SERVICES) and monitor_count == 50
        assert page["full"] and len(page["hierarchy"]) == 5
        print(f"Timing {args.requests} requests after {args.warmup} warm-up…", flush=True)
        cpu_started = time.process_time()
        request_seconds = timed(lambda: post_status(http), args.requests, args.warmup)
        warm_cpu = (time.process_time() - cpu_started) / (args.requests + args.warmup)
        cached_queries = count_queries(http)
        with tenant_context(client):
            loader_seconds = timed(
                lambda: load_status(client, now=timezone.now(), full=True), args.requests, 5
            )
        # Cold: the uptime figures computed on every request (no cache), as after any state change.
        from django.core.cache.backends.dummy import DummyCache

        from services.status import selectors

        warm_cache = selectors.cache
        selectors.cache = DummyCache("cold", {})  # type: ignore[assignment]
        try:
            cold_queries = count_queries(http)
            cpu_started = time.process_time()
            cold_seconds = timed(lambda: post_status(http), args.requests, args.warmup)
            cold_cpu = (time.process_time() - cpu_started) / (args.requests + args.warmup)
            # Coldest: the closed days not stored either (the first view of a day before the
            # nightly task stored yesterday) — the rows are deleted before each request.
            from services.infrastructure.monitoring_models import AvailabilityDay

            def unstored() -> None:
                with tenant_context(client):
                    AvailabilityDay.objects.all().delete()

            unstored()
            unstored_queries = count_queries(http)
            unstored_seconds = []
            unstored_cpu = 0.0
            for _ in range(max(args.requests // 4, 10)):
                unstored()
                started, cpu_started = time.perf_counter(), time.process_time()
                post_status(http)
                unstored_seconds.append(time.perf_counter() - started)
                unstored_cpu += time.process_time() - cpu_started
            unstored_cpu /= len(unstored_seconds)
        finally:
            selectors.cache = warm_cache
        print("\n## Machine\n")
        print_table(["", ""], [*machine, ("Load average at end", load_average())])
        print("\n## Status page\n")
        print_table(
            ["measure", "value"],
            [
                ("devices / monitors / services", f"{args.devices} / {monitor_count} / {len(SERVICES)}"),
                ("SQL queries per request, small size (40 devices, 5 monitors)", small_queries),
                ("SQL queries per request, full size (uptime figures computed)", full_queries),
                ("SQL queries per request, uptime figures from the cache", cached_queries),
                ("requests timed (each)", args.requests),
                (
                    f"request p50 / p95 / p99 / max (ms), uptime cached "
                    f"(CPU {warm_cpu * 1000:.1f} ms/request)",
                    _spread(request_seconds),
                ),
                (
                    f"request p50 / p95 / p99 / max (ms), uptime computed, closed days stored "
                    f"({cold_queries} queries; CPU {cold_cpu * 1000:.1f} ms/request)",
                    _spread(cold_seconds),
                ),
                (
                    f"request p50 / p95 / p99 / max (ms), closed days not stored yet "
                    f"({len(unstored_seconds)} requests, {unstored_queries} queries; "
                    f"CPU {unstored_cpu * 1000:.1f} ms/request)",
                    _spread(unstored_seconds),
                ),
                ("loader alone p50 (ms)", f"{statistics.median(loader_seconds) * 1000:.1f}"),
                ("loader alone p95 (ms)", f"{percentile(loader_seconds, 0.95) * 1000:.1f}"),
                ("hierarchy shown", ", ".join(f"{x['key']}={x['state']}" for x in page["hierarchy"])),
            ],
        )
        if small_queries != full_queries:
            raise SystemExit(f"Query count grew with the data: {small_queries} → {full_queries}")


if __name__ == "__main__":
    main()
