"""Benchmark: the account manager's outreach (services/outreach), on its own database.

* **board** — the SPA's `OutreachBoard` request (frontend/src/graphql/operations.ts) for an
  account manager with a book of 200 clients (each with a profile, a health score and two open
  follow-ups): the whole Django/GraphQL stack on the MSP host, signed in with a verified
  second factor; p50/p95 of 50 requests and the SQL statements of one.
* **campaign** — `create_campaign` over a segment that matches 500 clients.
* **suggestions** — `suggest` (the new-request suggestion search: PostgreSQL full-text over
  the GIN-indexed `tsvector`) with 5,000 published broadcasts and how-tos addressed to the
  client; p50/p95 of 200 searches with titles drawn from a support vocabulary.

    .venv/bin/python -m benchmarks.outreach_board
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence
from datetime import timedelta

from benchmarks.provisioning import (
    add_database_arguments,
    bootstrapped_database,
    load_average,
    percentile,
    print_table,
)
from benchmarks.queue_latency import EXTRA_ENVIRONMENT, count_queries, graphql_client

WORDS = [
    "vpn",
    "password",
    "printer",
    "outlook",
    "mailbox",
    "teams",
    "wifi",
    "laptop",
    "monitor",
    "backup",
    "restore",
    "share",
    "drive",
    "onedrive",
    "sharepoint",
    "license",
    "invoice",
    "phone",
    "headset",
    "mfa",
    "authenticator",
    "reset",
    "locked",
    "account",
    "slow",
    "crash",
    "update",
    "windows",
    "mac",
    "driver",
    "scanner",
    "calendar",
    "meeting",
    "zoom",
    "firewall",
]


def board_query() -> str:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "frontend/src/graphql/operations.ts").read_text()
    start = text.index("query OutreachBoard")
    fragment_start = text.index("fragment FollowUpFields")
    query = text[start : text.index("`", start)].split("${")[0]
    fragment = text[fragment_start : text.index("`", fragment_start)]
    return query + "\n" + fragment


def make_book(size: int, others: int) -> tuple[object, object, list[int]]:
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from services.outreach.models import ClientOutreach, FollowUp, HealthBand
    from tenants.models import Client, ClientStatus, MspRole, TenantKind, User

    rng = random.Random(7)
    today = timezone.localdate()
    manager = User.objects.create_user(
        "bench-am@msp.example.com", None, full_name="Bench Manager", msp_role=MspRole.ACCOUNT_MANAGER
    )
    device = TOTPDevice.objects.create(user=manager, name="bench", confirmed=True)
    clients = Client.objects.bulk_create(
        Client(
            schema_name=f"bench_book_{index:04d}",
            name=f"Book Client {index:04d}",
            slug=f"book-{index:04d}",
            kind=TenantKind.CLIENT,
            status=ClientStatus.ACTIVE,
            industry=rng.choice(["retail", "healthcare", "legal", "finance"]),
            account_manager=manager if index < size else None,
        )
        for index in range(size + others)
    )
    bands = [HealthBand.HEALTHY, HealthBand.WATCH, HealthBand.AT_RISK]
    ClientOutreach.objects.bulk_create(
        ClientOutreach(
            client=client,
            next_due_on=today + timedelta(days=rng.randint(-30, 90)),
            health_score=rng.randint(20, 100),
            health_band=rng.choice(bands),
        )
        for client in clients
    )
    FollowUp.objects.bulk_create(
        FollowUp(
            client=client,
            title="Send the quote",
            owner=manager,
            due_on=today + timedelta(days=rng.randint(0, 20)),
        )
        for client in clients[:size]
        for _ in range(2)
    )
    return manager, device, [c.pk for c in clients]


def measure_board(manager: object, device: object, repeats: int) -> list[object]:
    query = board_query()
    http = graphql_client(manager, device)

    def request() -> dict[str, object]:
        response = http.post("/graphql/", data=json.dumps({"query": query}), content_type="application/json")
        body = json.loads(response.content)
        if "errors" in body:
            raise SystemExit(f"board request failed: {body['errors']}")
        return body["data"]["outreachBoard"]  # type: ignore[no-any-return]

    data = request()
    statements = count_queries(request)
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        request()
        seconds.append(time.perf_counter() - started)
    return [
        "board (book of 200, GraphQL request)",
        len(data["clients"]),  # type: ignore[arg-type]
        f"{1000 * percentile(seconds, 0.5):.0f}",
        f"{1000 * percentile(seconds, 0.95):.0f}",
        statements,
        load_average(),
    ]


def measure_campaign(manager: object) -> list[object]:
    from django.utils import timezone

    from services.outreach.campaigns import create_campaign
    from services.outreach.models import Segment

    segment = Segment.objects.create(name="Everyone", rules=[{"field": "status", "values": ["active"]}])
    started = time.perf_counter()
    holder: dict[str, object] = {}
    statements = count_queries(
        lambda: holder.update(
            campaign=create_campaign(
                actor=manager,  # type: ignore[arg-type]
                name="Remote-work readiness",
                segment=segment,
                brief="",
                due_on=timezone.localdate() + timedelta(days=14),
            )
        )
    )
    seconds = time.perf_counter() - started
    tasks = holder["campaign"].tasks.count()  # type: ignore[attr-defined]
    return [
        "campaign creation (segment of 500)",
        tasks,
        f"{1000 * seconds:.0f}",
        "",
        statements,
        load_average(),
    ]


def measure_suggestions(manager: object, client_id: int, count: int, searches: int) -> list[object]:
    from django.contrib.postgres.search import SearchVector
    from django.db import connection
    from django.utils import timezone

    from services.outreach.broadcasts import SEARCH_CONFIG, suggest
    from services.outreach.models import Broadcast, BroadcastAudience
    from tenants.models import Client, ClientRole, Membership, User

    rng = random.Random(5)
    now = timezone.now()
    rows = Broadcast.objects.bulk_create(
        Broadcast(
            kind=rng.choice(["howto", "announcement"]),
            title=" ".join(rng.sample(WORDS, 4)).capitalize(),
            body_html="<p>x</p>",
            body_text=" ".join(rng.choice(WORDS) for _ in range(60)),
            publish_at=now,
            published_at=now,
        )
        for _ in range(count)
    )
    Broadcast.objects.update(
        search=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("body_text", weight="B", config=SEARCH_CONFIG)
    )
    BroadcastAudience.objects.bulk_create(BroadcastAudience(broadcast=b, client_id=client_id) for b in rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE outreach_broadcast; ANALYZE outreach_broadcastaudience")
    client = Client.objects.get(pk=client_id)
    user = User.objects.create_user("bench-member@client.example.com", None, full_name="Bench Member")
    Membership.objects.create(user=user, client=client, role=ClientRole.MEMBER)
    seconds = []
    for _ in range(searches):
        title = f"My {rng.choice(WORDS)} {rng.choice(WORDS)} does not work"
        started = time.perf_counter()
        suggest(client, user, title)
        seconds.append(time.perf_counter() - started)
    statements = count_queries(lambda: suggest(client, user, "vpn password reset"))
    return [
        f"suggestion search ({count} broadcasts)",
        searches,
        f"{1000 * percentile(seconds, 0.5):.1f}",
        f"{1000 * percentile(seconds, 0.95):.1f}",
        statements,
        load_average(),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--book", type=int, default=200)
    parser.add_argument("--others", type=int, default=300, help="clients of other account managers")
    parser.add_argument("--broadcasts", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--searches", type=int, default=200)
    add_database_arguments(parser, "msp_bench_outreach")
    args = parser.parse_args(argv)
    with bootstrapped_database(args, EXTRA_ENVIRONMENT) as (_db_url, machine):
        manager, device, ids = make_book(args.book, args.others)
        rows = [
            measure_board(manager, device, args.repeats),
            measure_campaign(manager),
            measure_suggestions(manager, ids[0], args.broadcasts, args.searches),
        ]
        print()
        print_table(["what", "rows", "p50 ms (or ms)", "p95 ms", "SQL statements", "load (1/5/15 min)"], rows)
        print()
        print_table(["machine", ""], machine)


if __name__ == "__main__":
    main()
