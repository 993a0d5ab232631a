"""Race: 20 simultaneous status changes on one ticket, 100 runs in a row.

Each run raises a fresh ticket (open, with the client's SLA policy) and releases N
`changeTicketStatus` requests at once with a barrier — real GraphQL requests through Django's
test client, one thread and one database connection each, as the MSP's technician with a
verified second factor. Targets alternate between running statuses (open, in progress) and
waiting ones (waiting on client, waiting on vendor). After each run the ticket is checked
exactly as `tests/services/support/test_concurrent_status.py` checks it (the same code,
`tests.services.support.status_race`): every answer a success or INVALID_TRANSITION, the
timeline and the SLA event log in commit order, the status changes one unbroken chain, the
clocks PAUSED exactly when the ticket is waiting, the queue row in step.

The world is the test suite's (`tests.conftest.build_world`: the MSP, clients Alpha and Bravo,
staff with TOTP devices), built in a throwaway database (`msp_bench_concurrent_status` by
default) that the script creates and drops. Run from the repository root:

    .venv/bin/python -m benchmarks.concurrent_status              # 100 runs × 20 requests
    .venv/bin/python -m benchmarks.concurrent_status --runs 20 --requests 40

Exits non-zero when any run breaks a rule (and prints what it found).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.provisioning import (
    add_database_arguments,
    bootstrapped_database,
    load_average,
    percentile,
    print_table,
)
from benchmarks.queue_latency import EXTRA_ENVIRONMENT


@dataclass
class RunResult:
    seconds: float
    changed: int
    refused: int
    pause_events: int
    final_status: str
    problems: list[str]


def run(args: argparse.Namespace) -> list[RunResult]:
    from django.contrib.sessions.models import Session
    from django_tenants.utils import tenant_context

    from services.support import actions
    from tests.conftest import build_world
    from tests.services.support.status_race import check_answers, check_ticket, race_round, signed_in

    print("Building the test suite's world (MSP, two clients, staff)…", flush=True)
    world = build_world()
    staff = [signed_in(world, world.technician) for _ in range(args.requests)]
    results: list[RunResult] = []
    for number in range(1, args.runs + 1):
        with tenant_context(world.a):
            ticket = actions.create_ticket(
                world.a,
                actions.NewTicket(title=f"Race {number}", impact="medium", urgency="high"),
                actor=world.a_lead,
            )
            actions.change_status(world.a, ticket.number, actor=world.technician, status="open")
        started = time.perf_counter()
        answers = race_round(staff, world.a.slug, ticket.number)
        seconds = time.perf_counter() - started
        changed, problems = check_answers(answers)
        state = check_ticket(world.a, ticket.pk)
        if state.status_changes != changed + 1:
            problems.append(f"{changed} requests succeeded but the timeline has {state.status_changes - 1}")
        result = RunResult(
            seconds,
            changed,
            len(answers) - changed,
            state.pause_events,
            state.status,
            problems + state.problems,
        )
        results.append(result)
        verdict = "ok" if not result.problems else "BROKEN: " + "; ".join(result.problems)
        print(
            f"run {number:3d}: {seconds:5.2f} s, {changed:2d} changed, {result.refused:2d} refused, "
            f"{state.pause_events:2d} pause/resume events, ends {state.status}: {verdict}",
            flush=True,
        )
    Session.objects.all().delete()
    return results


def report(results: Sequence[RunResult], machine: list[tuple[str, str]], args: argparse.Namespace) -> None:
    broken = [index for index, result in enumerate(results, start=1) if result.problems]
    seconds = [result.seconds for result in results]
    print("\n## Concurrent status changes\n")
    print_table(["", ""], [*machine, ("Load average at end (1/5/15 min)", load_average())])
    print()
    print_table(
        [
            "runs",
            "requests per run",
            "runs with a broken rule",
            "status changes",
            "refused (INVALID_TRANSITION)",
            "pause/resume events",
            "run p50 (s)",
            "run p95 (s)",
        ],
        [
            (
                len(results),
                args.requests,
                len(broken),
                sum(result.changed for result in results),
                sum(result.refused for result in results),
                sum(result.pause_events for result in results),
                f"{statistics.median(seconds):.2f}",
                f"{percentile(seconds, 0.95):.2f}",
            )
        ],
    )
    if broken:
        print(f"\nBroken runs: {', '.join(map(str, broken))}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Simultaneous status changes on one ticket, N runs in a row."
    )
    parser.add_argument("--runs", type=int, default=100, help="runs, each on a fresh ticket (default 100)")
    parser.add_argument("--requests", type=int, default=20, help="simultaneous requests per run (default 20)")
    add_database_arguments(parser, "msp_bench_concurrent_status")
    args = parser.parse_args(argv)
    with bootstrapped_database(args, EXTRA_ENVIRONMENT) as (_db_url, machine):
        results = run(args)
        report(results, machine, args)
    if any(result.problems for result in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
