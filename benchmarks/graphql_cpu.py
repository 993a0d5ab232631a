"""Benchmark: CPU time of the SPA's `Queue` (first: 100) and `TicketPage` requests, in process
(with `Viewer`, the fixed cost of any signed-in request, and `ClientOptions`, the queue's filter).

Builds a small throwaway database (the technician benchmark's builders: a few clients with open
tickets, one signed-in technician with a confirmed TOTP device), then sends each document
through Django's test client (the whole middleware stack and the GraphQL view, DEBUG off) many
times, one at a time, and reports the CPU time of this process per request (`time.process_time`:
Python only, not the database server). `--profile` prints cProfile's top functions instead of
being timed.

    .venv/bin/python -m benchmarks.graphql_cpu --keep-database           # build, measure, keep it
    .venv/bin/python -m benchmarks.graphql_cpu --reuse-database          # measure again
    .venv/bin/python -m benchmarks.graphql_cpu --reuse-database --profile
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import statistics
import time
from collections.abc import Sequence
from typing import Any

from benchmarks.provisioning import add_database_arguments, load_average
from benchmarks.technician_load import EXTRA_ENVIRONMENT, PASSWORD, make_technicians, prepared_database

HOST = "127.0.0.1"


def signed_in_client(email: str, key: bytes) -> Any:
    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from benchmarks.technician_load import LOGIN, VERIFY

    client = Client(HTTP_HOST=HOST)

    def post(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer = client.post(
            "/graphql/", json.dumps({"query": query, "variables": variables}), "application/json"
        )
        return answer.json()  # type: ignore[no-any-return]

    step = post(LOGIN, {"input": {"email": email, "password": PASSWORD}})["data"]["login"]
    if step["errors"]:
        raise SystemExit(f"sign-in failed: {step}")
    # A code is accepted once; a run a few seconds after the previous one may compute the same.
    TOTPDevice.objects.filter(user__email=email).update(last_t=-1, throttling_failure_count=0)
    verified = post(VERIFY, {"token": format(totp(key), "06d")})["data"]["verifyOtp"]
    if verified["errors"]:
        raise SystemExit(f"second factor refused: {verified}")
    return client


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="CPU per request of the SPA's Queue and TicketPage.")
    parser.add_argument("--clients", type=int, default=4, help="clients (default 4)")
    parser.add_argument(
        "--tickets-per-client", type=int, default=40, help="open tickets per client (default 40)"
    )
    parser.add_argument("--repeat", type=int, default=60, help="requests per document (default 60)")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--callers", help="with --profile: also who calls the functions matching this")
    add_database_arguments(parser, "msp_bench_graphql_cpu")
    parser.add_argument("--reuse-database", action="store_true", help="reuse a --keep-database run's data")
    args = parser.parse_args(argv)
    if args.repeat > 2000:
        raise SystemExit("keep it bounded: at most 2000 requests per document")

    extra = dict(
        EXTRA_ENVIRONMENT, DEBUG="0", LOG_LEVEL="WARNING", SECURE_SSL_REDIRECT="0", SECURE_COOKIES="0"
    )
    with prepared_database(args, extra) as (db_url, _machine):
        from django.utils import timezone

        from benchmarks.spa_operations import spa_documents
        from tenants.models import User

        technician = make_technicians(1)[0]
        if not args.reuse_database:
            from benchmarks.migrate_schemas import add_clients
            from benchmarks.queue_latency import load_tickets

            add_clients(args.clients, db_url)
            ids = list(User.objects.filter(email__startswith="loop").values_list("pk", flat=True))
            load_tickets(db_url, args.tickets_per_client, ids, 20261204, timezone.now())
        client = signed_in_client(technician.email, technician.key)
        documents = spa_documents(
            {"QUEUE_QUERY", "TICKET_PAGE_QUERY", "VIEWER_QUERY", "CLIENT_OPTIONS_QUERY"}
        )

        def send(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            body = json.dumps({"query": query, "variables": variables})
            data = client.post("/graphql/", body, "application/json").json()
            if data.get("errors"):
                raise SystemExit(f"request failed: {str(data)[:400]}")
            return data  # type: ignore[no-any-return]

        queue = send(documents["QUEUE_QUERY"], {"first": 100})["data"]["queue"]["edges"]
        first = queue[0]["node"]
        ticket = first.get("ticket") or first
        number, slug = ticket["number"], ticket["client"]["slug"]
        cases = [
            # The floor: a signed-in request that reads next to nothing.
            ("Viewer (a signed-in request's fixed cost)", documents["VIEWER_QUERY"], {}),
            (f"Queue (first: 100, {len(queue)} rows)", documents["QUEUE_QUERY"], {"first": 100}),
            ("ClientOptions (first: 100)", documents["CLIENT_OPTIONS_QUERY"], {"first": 100}),
            (
                "TicketPage",
                documents["TICKET_PAGE_QUERY"],
                {"number": number, "clientSlug": slug, "isStaff": True},
            ),
        ]
        print(f"load average {load_average()}")
        for label, query, variables in cases:
            for _ in range(10):
                send(query, variables)  # warm-up
            if args.profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.repeat):
                    send(query, variables)
                profiler.disable()
                print(f"\n== {label}: {args.repeat} requests")
                pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
                if args.callers:
                    pstats.Stats(profiler).print_callers(args.callers)
                continue
            samples = []
            for _ in range(args.repeat):
                started = time.process_time()
                send(query, variables)
                samples.append(1000 * (time.process_time() - started))
            print(
                f"{label}: {args.repeat} requests, CPU per request "
                f"median {statistics.median(samples):.1f} ms, "
                f"min {min(samples):.1f} ms (this process; load average {load_average()})"
            )


if __name__ == "__main__":
    main()
