"""Throughput of the SLA engine's due-date arithmetic against businesstimedelta.

The same due-date computations run through both engines in one process:

* seeded random start instants spread uniformly over two years (2025-2026, to the second);
* budgets of 15 minutes to 200 business hours (to the second);
* a Europe/London calendar, Monday-Friday 09:00-17:30 with a 12:30-13:00 lunch break and the
  England & Wales bank holidays from the ``holidays`` package.

businesstimedelta expresses that calendar identically as a ``WorkDayRule`` (09:00-17:30), a
``LunchTimeRule`` (12:30-13:00) and a ``HolidayRule``. It is given the bank holidays as a frozenset
of dates rather than a ``holidays`` object, which is the faster container for it (it probes dates
one by one), so the comparison is conservative. Our calendar starts with cold caches.

Every pair of results must be the identical instant; the script exits non-zero otherwise.

Usage: python benchmarks/sla_engine_throughput.py [--count 100000] [--seed 20250307]
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import businesstimedelta
import holidays
import pytz

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.sla.engine import BusinessCalendar, add_business_seconds

RANGE_START = datetime(2025, 1, 1, tzinfo=UTC)
RANGE_SECONDS = 2 * 365 * 86_400
MIN_BUDGET = 15 * 60
MAX_BUDGET = 200 * 3600


def workload(count: int, seed: int) -> list[tuple[datetime, int]]:
    """``count`` (start instant, budget in business seconds) pairs from a seeded generator."""
    rng = random.Random(seed)
    return [
        (RANGE_START + timedelta(seconds=rng.randrange(RANGE_SECONDS)), rng.randint(MIN_BUDGET, MAX_BUDGET))
        for _ in range(count)
    ]


def our_calendar() -> BusinessCalendar:
    """The benchmark calendar in our engine."""
    return BusinessCalendar.for_weekdays(
        "Europe/London",
        [("09:00", "12:30"), ("13:00", "17:30")],
        holiday_country="GB",
        holiday_subdivision="ENG",
        name="London office",
    )


def businesstimedelta_rules() -> businesstimedelta.Rules:
    """The same calendar in businesstimedelta."""
    london = pytz.timezone("Europe/London")
    weekdays = [0, 1, 2, 3, 4]
    bank_holidays = frozenset(
        day for year in range(2024, 2029) for day in holidays.country_holidays("GB", subdiv="ENG", years=year)
    )
    return businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(
                start_time=datetime.min.time().replace(hour=9),
                end_time=datetime.min.time().replace(hour=17, minute=30),
                working_days=weekdays,
                tz=london,
            ),
            businesstimedelta.LunchTimeRule(
                start_time=datetime.min.time().replace(hour=12, minute=30),
                end_time=datetime.min.time().replace(hour=13),
                working_days=weekdays,
                tz=london,
            ),
            businesstimedelta.HolidayRule(bank_holidays, tz=london),
        ]
    )


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo (or the platform's processor string)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=100_000, help="number of due-date computations")
    parser.add_argument("--seed", type=int, default=20250307, help="random seed of the workload")
    args = parser.parse_args()

    jobs = workload(args.count, args.seed)
    calendar = our_calendar()
    rules = businesstimedelta_rules()

    started, started_cpu = time.perf_counter(), time.process_time()
    ours = [add_business_seconds(calendar, start, budget) for start, budget in jobs]
    our_seconds, our_cpu = time.perf_counter() - started, time.process_time() - started_cpu

    started, started_cpu = time.perf_counter(), time.process_time()
    theirs = [start + businesstimedelta.BusinessTimeDelta(rules, seconds=budget) for start, budget in jobs]
    their_seconds, their_cpu = time.perf_counter() - started, time.process_time() - started_cpu

    mismatches = [(job, a, b) for job, a, b in zip(jobs, ours, theirs, strict=True) if a != b]
    print(f"computations:       {args.count:,} (seed {args.seed})")
    print(f"python:             {platform.python_version()} ({platform.python_implementation()})")
    print(f"cpu:                {cpu_model()}")
    for label, wall, cpu in (
        ("our engine", our_seconds, our_cpu),
        ("businesstimedelta", their_seconds, their_cpu),
    ):
        print(
            f"{label + ':':<20}{wall:.3f} s wall, {cpu:.3f} s CPU  "
            f"({wall / args.count * 1e6:.1f} us wall per due date)"
        )
    print(f"speed-up:           {their_seconds / our_seconds:.1f}x wall, {their_cpu / our_cpu:.1f}x CPU")
    if mismatches:
        print(f"MISMATCH: {len(mismatches)} results differ; first: {mismatches[0]}", file=sys.stderr)
        return 1
    print("results:            identical")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
