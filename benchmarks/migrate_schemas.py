"""Benchmark: `migrate_schemas` with nothing to migrate, by tenant count and executor.

Measures the wall-clock time of `python manage.py migrate_schemas --executor=<executor>
--noinput --verbosity=<v>` run as a child process, as a deployment runs it: Django start-up,
the public schema, the template schema and every client schema, none of which has a migration
to apply. Each run is checked to have recorded no migration anywhere.

* executors: django-tenants' `standard` (one schema after another in one process) and
  `multiprocessing` (a pool of `TENANT_MULTIPROCESSING_MAX_PROCESSES` forked workers,
  default 2, fed `TENANT_MULTIPROCESSING_CHUNKS` schemas at a time, default 2);
* sizes: 100 and 500 client tenants by default, each with a real schema (full tables and
  migration records). They are made in bulk: client rows and domains with `bulk_create`, and
  each schema by replaying a `pg_dump` of the template schema under the new name — the same
  tables, indexes and rows `clone_schema` copies, at a cost that does not grow with the number
  of schemas (django-tenants' `clone_schema` is used when pg_dump is missing). The last
  2 × `--provision-probes` clients (3 each way) of each size are made with `provision_client`
  itself, cloning and replaying migrations in turn, and timed: how provisioning slows down as
  the database fills up;
* verbosity: 0 (default) is what `bootstrap_portal` uses on every start; at 1, the command's
  own default, Django's `migrate` also runs the autodetector in every schema to warn about
  model changes without migrations (`--verbosity 0 1` times both).

* checks: with `--checks skip` the runs pass `--skip-checks`; django-tenants hands the
  command's options to every schema's `migrate`, which otherwise runs Django's system checks
  once per schema (`--checks run skip` times both). `bootstrap_portal` goes through
  `call_command`, which skips them: it matches `--verbosity=0 --skip-checks`.

Before the timed runs at each size, one untimed run warms caches (and applies any migration
added to the tree after the template was built).

Besides wall-clock seconds, the CPU seconds of the command's Python processes are reported
(PostgreSQL's own work is not included): on a shared machine they are the steadier figure.

Executors alternate within each repeat (the order flips every repeat); the median of the
repeats is reported, with per-tenant milliseconds (median / client tenants) and the marginal
cost of one more tenant between the smallest and largest size.

Runs on its own throwaway database (`msp_bench_migrate` by default), created and dropped by
the script. Run from the repository root:

    .venv/bin/python -m benchmarks.migrate_schemas --sizes 100 500 --repeats 2
    .venv/bin/python -m benchmarks.migrate_schemas --sizes 100 --verbosity 0 1 --checks run skip
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from benchmarks.provisioning import (
    REPO_ROOT,
    add_database_arguments,
    backend_cpu_seconds,
    bench_environment,
    bootstrapped_database,
    creation_mode,
    load_average,
    print_table,
)

EXECUTORS = ("parallel", "standard", "multiprocessing")
# Client schemas created per transaction. Each copied schema takes a lock per table, index and
# sequence until commit; with every app's tables (~300 objects a schema) 50 at once overflowed
# PostgreSQL's default lock table (max_locks_per_transaction = 64).
BATCH = 10
PROVISIONING_MODES = ("copy", "clone", "migrate")


@dataclass(frozen=True)
class Variant:
    """How the command is invoked besides the executor: verbosity, and whether system checks run."""

    verbosity: int
    skip_checks: bool

    @property
    def arguments(self) -> list[str]:
        return [f"--verbosity={self.verbosity}", *(["--skip-checks"] if self.skip_checks else [])]

    @property
    def label(self) -> str:
        return " ".join(self.arguments)


@dataclass
class Series:
    """The repeated runs of one (size, executor, variant): wall-clock and CPU seconds."""

    size: int
    executor: str
    variant: Variant
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def client_count() -> int:
    from tenants.models import Client

    return Client.objects.clients().count()


def add_clients(target: int, db_url: str) -> None:
    """Add client tenants (rows, domains, schemas copied from the template) until there are `target`.

    Each schema is made as provisioning makes it (`tenants.schema_copy.copy_template_schema`:
    the template's DDL and rows replayed under the new name), a batch of clients per transaction.
    `db_url` is kept for the callers' sake; Django's connection is used."""
    from django.conf import settings
    from django.db import transaction

    from tenants.actions import client_domain_for
    from tenants.models import Client, ClientStatus, Domain, TenantKind
    from tenants.provisioning import schema_name_for
    from tenants.schema_copy import copy_template_schema

    start = client_count()
    if start >= target:
        return
    template = settings.TENANT_BASE_SCHEMA
    print(f"  adding {target - start} clients, schemas copied from the template", flush=True)
    started = time.perf_counter()
    for batch_start in range(start, target, BATCH):
        slugs = [f"bench-{index:04d}" for index in range(batch_start, min(batch_start + BATCH, target))]
        with transaction.atomic():
            clients = Client.objects.bulk_create(
                Client(
                    schema_name=schema_name_for(slug),
                    name=f"Bench {slug}",
                    slug=slug,
                    kind=TenantKind.CLIENT,
                    status=ClientStatus.ACTIVE,
                )
                for slug in slugs
            )
            Domain.objects.bulk_create(
                Domain(domain=client_domain_for(client.slug), tenant=client, is_primary=True)
                for client in clients
            )
            for client in clients:
                copy_template_schema(template, client.schema_name)
        done = batch_start + len(slugs)
        elapsed = time.perf_counter() - started
        if done % 100 == 0 or done == target:
            print(
                f"  {done}/{target} clients ({elapsed:.0f} s, {1000 * elapsed / (done - start):.0f} ms each)",
                flush=True,
            )


def provision_probes(size: int, count: int) -> dict[str, list[tuple[float, float]]]:
    """Provision `count` clients each way (copying, cloning, replaying migrations), interleaved;
    (wall seconds, PostgreSQL backend CPU seconds) of each call."""
    from tenants.provisioning import provision_client

    seconds: dict[str, list[tuple[float, float]]] = {mode: [] for mode in PROVISIONING_MODES}
    for index in range(count):
        for mode in PROVISIONING_MODES:
            slug = f"probe-{mode}-{size}-{index}"
            cpu_before = backend_cpu_seconds()
            started = time.perf_counter()
            with creation_mode(mode):
                provision_client(
                    {
                        "name": f"Probe {slug}",
                        "slug": slug,
                        "it_lead_email": f"lead@{slug}.example.com",
                        "it_lead_name": "Lead",
                    },
                    acting_user=None,
                )
            seconds[mode].append((time.perf_counter() - started, backend_cpu_seconds() - cpu_before))
            wall, cpu = seconds[mode][-1]
            print(f"  provision_client({slug!r}) took {wall:.3f} s (backend CPU {cpu:.3f} s)", flush=True)
    return seconds


def tenant_schemas() -> list[str]:
    """Every schema `migrate_schemas` visits, public first."""
    from tenants.models import Client

    return ["public", *Client.objects.exclude(schema_name="public").values_list("schema_name", flat=True)]


def migration_records(schemas: Sequence[str]) -> dict[str, int]:
    """Rows in each schema's `django_migrations` table."""
    from django.db import connection

    query = " UNION ALL ".join(
        f"SELECT '{schema}', count(*) FROM \"{schema}\".django_migrations" for schema in schemas
    )
    with connection.cursor() as cursor:
        cursor.execute(query)
        return dict(cursor.fetchall())


def table_counts(schemas: Sequence[str]) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname, count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'r' AND n.nspname = ANY(%s) GROUP BY n.nspname
            """,
            [list(schemas)],
        )
        return dict(cursor.fetchall())


def check_clients_complete(template: str) -> tuple[int, int]:
    """Every client schema has the template's tables and migration records; returns those counts."""
    from tenants.models import Client

    clients = list(Client.objects.clients().values_list("schema_name", flat=True))
    records = migration_records([template, *clients])
    tables = table_counts([template, *clients])
    wrong = [s for s in clients if records[s] != records[template] or tables.get(s) != tables[template]]
    if wrong:
        raise SystemExit(f"{len(wrong)} client schemas differ from the template, e.g. {wrong[:3]}")
    return tables[template], records[template]


def children_cpu() -> float:
    """User + system CPU seconds of this process's finished children (and theirs, once reaped)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_command(command: Sequence[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-30:])
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{tail}")


def time_migrate_schemas(
    executor: str, variant: Variant, env: dict[str, str], schemas: Sequence[str]
) -> tuple[float, float] | None:
    """Wall-clock and CPU seconds of one `manage.py migrate_schemas` child, None if it migrated anything.

    The CPU time is the command's own (its multiprocessing workers included), not PostgreSQL's.
    A run that applied migrations (someone added one to the tree meanwhile) does not count.
    """
    before = sum(migration_records(schemas).values())
    command = [sys.executable, "manage.py", "migrate_schemas", f"--executor={executor}", "--noinput"]
    cpu_before = children_cpu()
    started = time.perf_counter()
    run_command([*command, *variant.arguments], env)
    elapsed = time.perf_counter() - started
    cpu = children_cpu() - cpu_before
    after = sum(migration_records(schemas).values())
    if after != before:
        print(f"  that run applied {after - before} migrations added to the tree meanwhile; repeating it")
        return None
    return elapsed, cpu


def settle(env: dict[str, str], schemas: Sequence[str]) -> None:
    """One untimed run: warms caches and applies migrations added to the tree after the template was built."""
    before = sum(migration_records(schemas).values())
    started = time.perf_counter()
    run_command([sys.executable, "manage.py", "migrate_schemas", "--noinput", "--verbosity=0"], env)
    applied = sum(migration_records(schemas).values()) - before
    note = f"; applied {applied} migrations the template lacked" if applied else ""
    print(f"  warm-up run (untimed) {time.perf_counter() - started:.1f} s{note}", flush=True)


def run(
    args: argparse.Namespace, db_url: str
) -> tuple[list[Series], dict[int, dict[str, list[tuple[float, float]]]]]:
    """Grow to each size, then time every executor and variant `args.repeats` times."""
    from django.conf import settings

    env = bench_environment(db_url)
    variants = [Variant(v, skip) for v in args.verbosity for skip in (c == "skip" for c in args.checks)]
    series: list[Series] = []
    probes: dict[int, dict[str, list[tuple[float, float]]]] = {}
    for size in sorted(args.sizes):
        print(f"Growing to {size} client tenants…", flush=True)
        add_clients(size - len(PROVISIONING_MODES) * args.provision_probes, db_url)
        probes[client_count()] = provision_probes(size, args.provision_probes)
        schemas = tenant_schemas()
        if args.repeats:
            settle(env, schemas)
        tables, records = check_clients_complete(settings.TENANT_BASE_SCHEMA)
        print(
            f"  {client_count()} clients, {len(schemas)} schemas to visit (public + template + clients); "
            f"each client schema has {tables} tables and {records} migration records",
            flush=True,
        )
        by_key = {
            (executor, variant): Series(size, executor, variant)
            for variant in variants
            for executor in args.executors
        }
        for repeat in range(args.repeats):
            order = list(args.executors) if repeat % 2 == 0 else list(reversed(args.executors))
            for variant in variants:
                for executor in order:
                    for _attempt in range(3):
                        timed = time_migrate_schemas(executor, variant, env, schemas)
                        if timed:
                            break
                    else:
                        raise SystemExit("Migrations keep appearing in the tree; run the benchmark later.")
                    seconds, cpu = timed
                    by_key[executor, variant].seconds.append(seconds)
                    by_key[executor, variant].cpu.append(cpu)
                    print(
                        f"  {size:>4} clients  {executor:<15} {variant.label:<28} "
                        f"run {repeat + 1}/{args.repeats}  {seconds:6.1f} s  "
                        f"({1000 * seconds / size:5.1f} ms per client, CPU {cpu:5.1f} s, "
                        f"load {os.getloadavg()[0]:.1f})",
                        flush=True,
                    )
        series.extend(s for s in by_key.values() if s.seconds)
    return series, probes


def report_runs(series: list[Series]) -> None:
    """The timed migrate_schemas runs, and the marginal cost of a tenant between the sizes."""
    from django.conf import settings

    processes = getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2)
    chunks = getattr(settings, "TENANT_MULTIPROCESSING_CHUNKS", 2)
    print()
    print(
        "migrate_schemas with nothing to migrate: wall clock of the whole command, and the CPU time of its "
        f"Python processes (multiprocessing: {processes} processes, chunks of {chunks})"
    )
    print()

    def order(s: Series) -> tuple[int, bool, int, int]:
        return (s.variant.verbosity, s.variant.skip_checks, s.size, EXECUTORS.index(s.executor))

    medians = {(s.size, s.executor, s.variant): s.median for s in series}
    rows = []
    for s in sorted(series, key=order):
        standard = medians.get((s.size, "standard", s.variant))
        rows.append(
            [
                s.size,
                s.executor,
                s.variant.label,
                " / ".join(f"{x:.1f}" for x in s.seconds),
                f"{s.median:.1f}",
                f"{1000 * s.median / s.size:.1f}",
                f"{statistics.median(s.cpu):.1f}",
                f"{standard / s.median:.2f}x" if standard else "",
            ]
        )
    headers = ["clients", "executor", "options", "runs (s)", "median (s)", "ms per client", "median CPU (s)"]
    print_table([*headers, "speed-up vs standard"], rows)

    sizes = sorted({s.size for s in series})
    if len(sizes) > 1:
        low, high = sizes[0], sizes[-1]
        print()
        print(f"Marginal cost of one more client tenant (median at {high} - median at {low}) / {high - low}:")
        print()
        marginal = []
        for s in sorted(series, key=order):
            if s.size == high:
                per_client = (s.median - medians[low, s.executor, s.variant]) / (high - low)
                marginal.append([s.executor, s.variant.label, f"{1000 * per_client:.1f}"])
        print_table(["executor", "options", "ms per extra client"], marginal)


def report_probes(probes: dict[int, dict[str, list[tuple[float, float]]]]) -> None:
    """provision_client at each size, every way."""
    rows = [
        [
            size,
            mode,
            " / ".join(f"{wall:.3f}" for wall, _ in values),
            f"{statistics.median(wall for wall, _ in values):.3f}",
            f"{statistics.median(cpu for _, cpu in values):.3f}",
        ]
        for size, by_mode in sorted(probes.items())
        for mode, values in by_mode.items()
        if values
    ]
    if rows:
        print()
        print("provision_client with that many clients already in the database, each way:")
        print()
        print_table(["clients", "way", "seconds each", "median (s)", "median backend CPU (s)"], rows)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Time migrate_schemas with nothing to migrate: standard vs multiprocessing executor.",
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[100, 500], help="client tenant counts (default 100 500)"
    )
    parser.add_argument("--repeats", type=int, default=2, help="runs per executor and size (default 2)")
    parser.add_argument(
        "--executors",
        nargs="+",
        choices=EXECUTORS,
        default=["parallel", "standard"],
        help="executors to time (default parallel and standard)",
    )
    parser.add_argument(
        "--verbosity",
        type=int,
        nargs="+",
        default=[0],
        choices=[0, 1],
        help="verbosity levels to time (default 0, as bootstrap_portal runs it; the command defaults to 1)",
    )
    parser.add_argument(
        "--provision-probes",
        type=int,
        default=3,
        help="at each size, time provision_client for the last 2N clients, N each way (default 3)",
    )
    parser.add_argument(
        "--checks",
        nargs="+",
        choices=["run", "skip"],
        default=["run"],
        help="'skip' passes --skip-checks, which django-tenants hands to every schema's migrate; without it "
        "Django's system checks run once per schema (default: run)",
    )
    add_database_arguments(parser, "msp_bench_migrate")
    args = parser.parse_args(argv)

    with bootstrapped_database(args) as (db_url, machine):
        series, probes = run(args, db_url)
        if series:
            report_runs(series)
        report_probes(probes)
        print()
        print_table(["machine", ""], [*machine, ("Load average at end (1/5/15 min)", load_average())])


if __name__ == "__main__":
    main()
