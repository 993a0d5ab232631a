"""Benchmark: the GraphQL property test (tests/core/graphql/test_fuzz_endpoint.py) at length.

The suite runs it with 3 examples per operation and person; this runs the same test with
`--examples` (default 100) generated documents for every root query and mutation, posted
to the real /graphql/ endpoint by a verified MSP admin and by a client's IT lead, and
prints a Markdown table: operations, requests, server errors (HTTP 5xx), untyped or
INTERNAL errors, failing cases, and wall time.

The test database is pytest-django's `test_<name>` of `--database` (default
`msp_bench_fuzz`), created and dropped by pytest. Run from the repository root:

    .venv/bin/python -m benchmarks.graphql_fuzz                  # 100 examples per operation
    .venv/bin/python -m benchmarks.graphql_fuzz --examples 300
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST = "tests/core/graphql/test_fuzz_endpoint.py"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=int, default=100, help="documents per operation and person")
    parser.add_argument(
        "--server-url",
        default=os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="any database on the PostgreSQL server (its host and credentials are used)",
    )
    parser.add_argument("--database", default="msp_bench_fuzz", help="must start with msp_bench_")
    args = parser.parse_args()
    if not args.database.startswith("msp_bench_"):
        parser.error("--database must start with msp_bench_")

    server = args.server_url.rsplit("/", 1)[0]
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "fuzz.json"
        env = {
            **os.environ,
            "DATABASE_URL": f"{server}/{args.database}",
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/1"),
            "CELERY_RESULT_BACKEND": os.environ.get("CELERY_RESULT_BACKEND", "redis://127.0.0.1:6379/2"),
            "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-insecure-key"),
            "GRAPHQL_FUZZ_EXAMPLES": str(args.examples),
            "GRAPHQL_FUZZ_REPORT": str(report),
        }
        started = time.monotonic()
        print(f"running {TEST} with {args.examples} examples per operation and person…", flush=True)
        result = subprocess.run(
            [sys.executable, "-m", "pytest", TEST, "-q", "-p", "no:cacheprovider", "-o", "log_cli=false"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        elapsed = time.monotonic() - started
        counts = json.loads(report.read_text()) if report.exists() else {}
    summary = [line for line in result.stdout.splitlines() if " passed" in line or " failed" in line]
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAILED")]
    print()
    print(
        "| examples / operation / person | operations | people | requests | HTTP 5xx "
        "| untyped or INTERNAL | failing cases | wall time |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.examples} | {counts.get('operations', '?')} | 2 | {counts.get('requests', 0)} "
        f"| {counts.get('server_errors', 0)} | {counts.get('untyped_or_internal', 0)} | {len(failed)} "
        f"| {elapsed:.0f} s |"
    )
    print()
    print(summary[-1] if summary else result.stdout[-2000:])
    for line in failed:
        print(line)
    if result.returncode != 0:
        print(result.stdout[-6000:])
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
