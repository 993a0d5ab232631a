"""Benchmark: how long provisioning one client takes: copying the template, cloning it, replaying migrations.

Measures the wall-clock time of one `tenants.provisioning.provision_client` call — validation,
the client row, the tenant schema, the portal domain, the IT lead invitation and the commit —
three ways, on the same database:

* **copy** (the default): the template's DDL, read once from the catalogue and cached, replayed
  under the new name with the template's rows (`tenants.schema_copy`);
* **clone**: django-tenants' `clone_schema` copies `tenant_template`, then its migrations are
  recorded as fake (what provisioning did before);
* **migrate**: `TENANT_CREATION_FAKES_MIGRATIONS=False`, so django-tenants' `create_schema`
  runs `CREATE SCHEMA` and replays every tenant migration.

The PostgreSQL backend's CPU time for each call is reported too (read from /proc: the server
must run on this machine), as the wall time moves with whatever else the machine is doing.

The schema step alone (`Client.create_schema`, between the "Creating the client's schema" and
"Registering the portal address" progress reports) and the median of every provisioning step
are reported too. The ways are interleaved (copy, clone, migrate, copy, ...) so that none
benefits from a smaller catalogue. A warm-up client per way is provisioned first and not counted.

Runs on its own throwaway database (`msp_bench_provisioning` by default), created and dropped
by the script; `msp_portal` and test databases are never touched. Run from the repository root:

    .venv/bin/python -m benchmarks.provisioning --clients 20

Helpers for a throwaway database and the machine description are shared with
`benchmarks.migrate_schemas`.
"""

from __future__ import annotations

import argparse
import itertools
import math
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
BENCH_PREFIX = "msp_bench_"
NUMBER = re.compile(r"^[0-9.,]+[x%]?$")


# ------------------------------------------------------------------ shared helpers


def database_url(server_url: str, name: str) -> str:
    """`server_url` (any database on the server) pointing at database `name` instead."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def bench_environment(db_url: str) -> dict[str, str]:
    """Environment for Django (in this process or a `manage.py` child) on the benchmark database.

    DEBUG stays off so Django does not keep every query in memory; mail goes to memory.
    """
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="msp_portal.settings",
        DATABASE_URL=db_url,
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY") or "bench",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        TENANT_BASE_SCHEMA="tenant_template",
        TENANT_CREATION_FAKES_MIGRATIONS="1",
    )
    return env


@contextmanager
def throwaway_database(name: str, server_url: str, *, keep: bool = False) -> Iterator[str]:
    """Create database `name` (dropping a leftover one first), yield its URL, drop it afterwards.

    Only databases named `msp_bench_*` are ever created or dropped.
    """
    import psycopg
    from psycopg import sql

    if not name.startswith(BENCH_PREFIX):
        raise SystemExit(f"Refusing to use database {name!r}: benchmark databases are named {BENCH_PREFIX}*.")
    statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(statement)
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"Created database {name}.", flush=True)
    try:
        yield database_url(server_url, name)
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if keep:
            print(f"Kept database {name} (drop it with: dropdb {name}).", flush=True)
        else:
            with psycopg.connect(server_url, autocommit=True) as admin:
                admin.execute(statement)
            print(f"Dropped database {name}.", flush=True)


def setup_django(db_url: str) -> None:
    """Configure and set up Django in this process against the benchmark database."""
    os.environ.update(bench_environment(db_url))
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()


def bootstrap_database() -> None:
    """What every deployment runs first: public schema, MSP tenant, template, tenant schemas."""
    from django.core.management import call_command

    call_command("bootstrap_portal")


def add_database_arguments(parser: argparse.ArgumentParser, default_name: str) -> None:
    """The options every benchmark shares: its throwaway database and the server that holds it."""
    parser.add_argument("--database", default=default_name, help="throwaway database name (msp_bench_*)")
    parser.add_argument(
        "--server-url",
        default=os.environ.get("BENCH_SERVER_URL", DEFAULT_SERVER_URL),
        help=f"URL of a database on the server, used for CREATE/DROP DATABASE (default {DEFAULT_SERVER_URL})",
    )
    parser.add_argument(
        "--keep-database", action="store_true", help="leave the database behind for inspection"
    )


@contextmanager
def bootstrapped_database(
    args: argparse.Namespace, extra_environment: dict[str, str] | None = None
) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """A throwaway database with Django set up and the portal bootstrapped in it; yields its URL
    and the machine description. Prints how long the whole benchmark took."""
    started = time.perf_counter()
    machine = machine_description(args.server_url)
    for name, value in (extra_environment or {}).items():
        os.environ.setdefault(name, value)
    with throwaway_database(args.database, args.server_url, keep=args.keep_database) as db_url:
        setup_django(db_url)
        print("Bootstrapping: public schema, MSP tenant, template schema…", flush=True)
        bootstrap_database()
        yield db_url, machine
    print(f"\nBenchmark finished in {time.perf_counter() - started:.0f} s.")


def machine_description(server_url: str) -> list[tuple[str, str]]:
    """(label, value) rows describing the machine, PostgreSQL, Python and the date."""
    import psycopg

    cpu = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    with psycopg.connect(server_url, autocommit=True) as admin:
        row = admin.execute("SHOW server_version").fetchone()
    return [
        ("CPUs (nproc)", str(len(os.sched_getaffinity(0)))),
        ("CPU model", cpu),
        ("RAM", memory),
        ("PostgreSQL", row[0] if row else "unknown"),
        ("Python", platform.python_version()),
        ("Date (UTC)", datetime.now(UTC).strftime("%Y-%m-%d %H:%M")),
        ("Load average at start (1/5/15 min)", load_average()),
    ]


def load_average() -> str:
    """The 1/5/15-minute load averages: other work on the machine skews timings."""
    return " / ".join(f"{load:.1f}" for load in os.getloadavg())


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 20 values is the 19th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a Markdown table (paste-able into docs/performance.md); numeric columns right-aligned."""
    body = [[str(cell) for cell in row] for row in rows]
    header = [str(h) for h in headers]
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    numeric = [all(NUMBER.match(row[i]) for row in body) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = (c.rjust(w) if n else c.ljust(w) for c, w, n in zip(row, widths, numeric, strict=True))
        return "| " + " | ".join(cells) + " |"

    print(line(header))
    print(
        "|"
        + "|".join("-" * (w + 1) + (":" if n else "-") for w, n in zip(widths, numeric, strict=True))
        + "|"
    )
    for row in body:
        print(line(row))


# ------------------------------------------------------------------ the benchmark

MODES = ("copy", "clone", "migrate")
STEP_LABELS = ("validate", "template check", "client row", "schema", "domain", "invitation + commit")


@dataclass
class Sample:
    """One provisioned client: the full call and each step's duration, in seconds."""

    total: float
    steps: list[float] = field(default_factory=list)
    backend_cpu: float = 0.0

    @property
    def schema(self) -> float:
        return self.steps[3]


def backend_cpu_seconds() -> float:
    """User + system CPU seconds of this connection's PostgreSQL backend so far (0 when the
    server is not on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def provision_one(slug: str, acting_user: Any) -> Sample:
    """Provision client `slug` and time the full call and each of its progress steps."""
    from tenants.provisioning import provision_client

    cpu_before = backend_cpu_seconds()
    marks: list[float] = []
    started = time.perf_counter()
    provision_client(
        {
            "name": f"Bench {slug}",
            "slug": slug,
            "industry": "technology",
            "tier": "standard",
            "timezone": "Europe/London",
            "it_lead_email": f"lead@{slug}.example.com",
            "it_lead_name": "Bench Lead",
        },
        acting_user=acting_user,
        progress=lambda step, total, message: marks.append(time.perf_counter()),
    )
    finished = time.perf_counter()
    bounds = [*marks, finished]
    return Sample(
        total=finished - started,
        steps=[b - a for a, b in itertools.pairwise(bounds)],
        backend_cpu=backend_cpu_seconds() - cpu_before,
    )


@contextmanager
def creation_mode(mode: str) -> Iterator[None]:
    """`copy` keeps the project's settings (the template's DDL from the catalogue, replayed);
    `clone` uses django-tenants' `clone_schema` instead; `migrate` replays every migration."""
    from unittest import mock

    from django.conf import settings
    from django.test.utils import override_settings

    assert settings.TENANT_CREATION_FAKES_MIGRATIONS and settings.TENANT_BASE_SCHEMA
    if mode == "copy":
        yield
    elif mode == "clone":

        def clone(client: Any) -> str:
            client.create_schema(check_if_exists=False, verbosity=0)
            return "clone"

        with mock.patch("tenants.provisioning.create_client_schema", clone):
            yield
    else:
        with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
            yield


def schema_shape(schema: str) -> dict[str, int]:
    """Tables, indexes, sequences and recorded migrations of one schema."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relkind, count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s GROUP BY c.relkind
            """,
            [schema],
        )
        kinds = dict(cursor.fetchall())
        cursor.execute(f'SELECT count(*) FROM "{schema}".django_migrations')
        (migrations,) = cursor.fetchone()
    return {
        "tables": kinds.get("r", 0),
        "indexes": kinds.get("i", 0),
        "sequences": kinds.get("S", 0),
        "migrations": migrations,
    }


def run(clients: int, warmup: int) -> dict[str, list[Sample]]:
    from tenants.models import MspRole, User

    admin = User.objects.create_user(
        "bench-admin@msp.example.com", password=None, full_name="Bench Admin", msp_role=MspRole.ADMIN
    )
    modes = MODES
    samples: dict[str, list[Sample]] = {mode: [] for mode in modes}
    rounds = warmup + clients
    for index in range(rounds):
        counted = index >= warmup
        label = f"{index - warmup + 1:>3}/{clients}" if counted else "warm-up"
        for mode in modes:
            slug = f"bench-{mode}-{index:03d}"
            with creation_mode(mode):
                sample = provision_one(slug, admin)
            if counted:
                samples[mode].append(sample)
            print(
                f"  {mode:<7} {label:>7}  {slug:<20} {sample.total:6.3f} s  (schema {sample.schema:6.3f} s)",
                flush=True,
            )
    return samples


def report(
    samples: dict[str, list[Sample]], clients: int, warmup: int, machine: list[tuple[str, str]]
) -> None:
    from django.conf import settings

    from tenants.models import Client

    def stats(values: Sequence[float]) -> list[str]:
        return [
            f"{min(values):.3f}",
            f"{statistics.median(values):.3f}",
            f"{percentile(values, 0.95):.3f}",
            f"{max(values):.3f}",
        ]

    print()
    print(f"Provisioning one client: {clients} clients each way (after {warmup} warm-up each), seconds")
    print()
    rows = []
    for what in ("full provision_client call", "schema step only", "PostgreSQL backend CPU"):
        for mode, mode_samples in samples.items():
            pick = {"full": "total", "sche": "schema", "Post": "backend_cpu"}[what[:4]]
            values = [getattr(s, pick) for s in mode_samples]
            rows.append([f"{what}, {mode}", len(values), *stats(values)])
    print_table(["measured", "n", "min", "median", "p95", "max"], rows)

    print()
    print("Median seconds per provisioning step:")
    print()
    step_rows = []
    for mode, mode_samples in samples.items():
        step_rows.append(
            [
                mode,
                *[
                    f"{statistics.median(s.steps[i] for s in mode_samples):.3f}"
                    for i in range(len(STEP_LABELS))
                ],
            ]
        )
    print_table(["way", *STEP_LABELS], step_rows)

    schemas = sorted(
        Client.objects.filter(slug__in=[f"bench-{mode}-{warmup:03d}" for mode in MODES]).values_list(
            "schema_name", flat=True
        )
    )
    shapes = {schema: schema_shape(schema) for schema in [settings.TENANT_BASE_SCHEMA, *schemas]}
    print()
    print("Shape of a tenant schema:")
    print()
    print_table(
        ["schema", "tables", "indexes", "sequences", "migration records"],
        [[schema, *shape.values()] for schema, shape in shapes.items()],
    )
    same = len({tuple(shape.values()) for shape in shapes.values()}) == 1
    print(f"Copied, cloned and migrated schemas have the same shape: {'yes' if same else 'NO'}")
    from tenants.schema_copy import schema_shape as full_shape

    full = {schema: full_shape(schema) for schema in schemas}
    migrated = next((full[s] for s in schemas if "_migrate_" in s), None)
    for schema in schemas:
        if migrated is None or "_migrate_" in schema:
            continue
        parts = [part for part in migrated if full[schema][part] != migrated[part]]
        verdict = "yes" if not parts else "NO, differs in " + ", ".join(parts)
        print(f"{schema} is object for object the migrated schema (schema_shape): {verdict}")

    def median_of(mode: str, attribute: str) -> float:
        return statistics.median(getattr(s, attribute) for s in samples[mode])

    print()
    print(
        "Speed-up of copying (median clone / median copy): "
        f"full call {median_of('clone', 'total') / median_of('copy', 'total'):.1f}x, "
        f"schema step {median_of('clone', 'schema') / median_of('copy', 'schema'):.1f}x"
    )
    print()
    print_table(["machine", ""], [*machine, ("Load average at end (1/5/15 min)", load_average())])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Time provision_client: cloning the template schema vs replaying migrations.",
    )
    parser.add_argument("--clients", type=int, default=20, help="clients provisioned each way (default 20)")
    parser.add_argument(
        "--warmup", type=int, default=1, help="uncounted clients provisioned first (default 1)"
    )
    add_database_arguments(parser, "msp_bench_provisioning")
    args = parser.parse_args(argv)

    with bootstrapped_database(args) as (_db_url, machine):
        print(
            f"Provisioning {args.warmup} warm-up + {args.clients} clients each way, interleaved…", flush=True
        )
        samples = run(args.clients, args.warmup)
        report(samples, args.clients, args.warmup, machine)


if __name__ == "__main__":
    main()
