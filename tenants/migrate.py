"""`migrate_schemas` that visits only the schemas with something to apply.

django-tenants runs Django's `migrate` in every schema, one after another: about 75 ms of
Python each (loader, signals, a fresh connection) even when nothing is pending — 150 s for
1,000 clients (docs/performance.md). This executor (the project's default, wired through
django-tenants' `GET_EXECUTOR_FUNCTION` setting) first asks PostgreSQL, in one query per
250 schemas (a `UNION ALL` over their `django_migrations` tables), which schemas lack any of
the migrations the code has; only those are migrated — in parallel, in up to
`TENANT_MULTIPROCESSING_MAX_PROCESSES` forked workers — with one progress line per schema.
A failed schema is reported by name, the schemas not yet started are left alone, and the
command exits non-zero.

Options that are about something else than bringing schemas up to date (`app_label`,
`migration_name`, `--fake`, `--fake-initial`, `--plan`, `--prune`, `--run-syncdb`, `--check`)
run django-tenants' standard executor over every schema, as before.
`--executor=standard` / `--executor=multiprocessing` still choose django-tenants' own.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
import traceback
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django_tenants.migration_executors import get_executor as django_tenants_executor
from django_tenants.migration_executors.base import MigrationExecutor, run_migrations

CODENAME = "parallel"
CHUNK = 250
# Options under which every schema is visited the ordinary way.
_VISIT_EVERY_SCHEMA = (
    "app_label",
    "migration_name",
    "fake",
    "fake_initial",
    "plan",
    "prune",
    "run_syncdb",
    "check_unapplied",
)


def get_executor(codename: str | None = None) -> type[MigrationExecutor]:
    """`GET_EXECUTOR_FUNCTION`: this module's executor unless another one is named."""
    if codename in (None, "", CODENAME):
        return ParallelSkippingExecutor
    return django_tenants_executor(codename)  # type: ignore[no-any-return]


def expected_migrations() -> set[tuple[str, str]]:
    """Every migration the code has (a squashed one in place of those it replaces)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return set(loader.graph.nodes)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def schemas_to_migrate(schemas: Sequence[str], database: str = "default") -> list[str]:
    """The schemas (in the given order) that lack any migration the code has, or have no
    migration table at all."""
    expected = sorted(f"{app}.{name}" for app, name in expected_migrations())
    connection = connections[database]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_class c"
            " ON c.relnamespace = n.oid AND c.relname = 'django_migrations' AND c.relkind = 'r'"
            " WHERE n.nspname = ANY(%s)",
            [list(schemas)],
        )
        with_table = {row[0] for row in cursor.fetchall()}
        complete: set[str] = set()
        candidates = [s for s in schemas if s in with_table]
        for start in range(0, len(candidates), CHUNK):
            branches = " UNION ALL ".join(
                f"SELECT {_literal(s)}, count(DISTINCT m.app || '.' || m.name)"  # noqa: S608
                f" FROM {_ident(s)}.django_migrations m JOIN expected e ON e.k = m.app || '.' || m.name"
                for s in candidates[start : start + CHUNK]
            )
            cursor.execute(
                f"WITH expected AS MATERIALIZED (SELECT unnest(%s::text[]) AS k) {branches}", [expected]
            )
            complete.update(schema for schema, count in cursor.fetchall() if count == len(expected))
    return [s for s in schemas if s not in complete]


def _migrate_one(
    args: Sequence[Any], options: dict[str, Any], schema: str, in_worker: bool = False
) -> tuple[str, float, str | None]:
    """Migrate one schema (in a worker or in this process): (schema, seconds, error or None)."""
    started = time.perf_counter()
    try:
        run_migrations(args, options, CODENAME, schema, allow_atomic=not in_worker)
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt):
            raise
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        if int(options.get("verbosity", 1)) >= 2:
            detail = traceback.format_exc()
        return schema, time.perf_counter() - started, detail
    return schema, time.perf_counter() - started, None


class ParallelSkippingExecutor(MigrationExecutor):
    codename = CODENAME

    def _say(self, message: str) -> None:
        if int(self.options.get("verbosity", 1)) >= 1:
            sys.stdout.write(message + "\n")
            sys.stdout.flush()

    def _workers(self) -> int:
        return max(1, int(getattr(settings, "TENANT_MULTIPROCESSING_MAX_PROCESSES", 2)))

    def run_migrations(self, tenants: Iterable[str] | None = None) -> None:
        schemas = list(tenants or [])
        if any(self.options.get(option) for option in _VISIT_EVERY_SCHEMA):
            django_tenants_executor("standard")(self.args, self.options).run_migrations(tenants=schemas)
            return
        started = time.perf_counter()
        database = self.options.get("database") or self.TENANT_DB_ALIAS
        pending = schemas_to_migrate(schemas, database)
        self._say(
            f"Checked {len(schemas)} schema(s) in {time.perf_counter() - started:.2f} s: "
            f"{len(pending)} to migrate, {len(schemas) - len(pending)} up to date."
        )
        if not pending:
            return
        failures: list[tuple[str, str]] = []
        # The public schema first, on its own: client schemas may depend on it.
        if self.PUBLIC_SCHEMA_NAME in pending:
            pending.remove(self.PUBLIC_SCHEMA_NAME)
            self._record(_migrate_one(self.args, self.options, self.PUBLIC_SCHEMA_NAME), 0, 0, failures)
        if pending and not failures:
            workers = min(self._workers(), len(pending))
            if workers > 1 and not connections[database].in_atomic_block:
                self._run_parallel(pending, workers, failures)
            else:
                for index, schema in enumerate(pending, start=1):
                    self._record(_migrate_one(self.args, self.options, schema), index, len(pending), failures)
                    if failures:
                        break
        if failures:
            names = ", ".join(schema for schema, _ in failures)
            details = "\n".join(f"  {schema}: {error}" for schema, error in failures)
            raise CommandError(
                f"Migrating {len(failures)} schema(s) failed: {names}. The other schemas not yet "
                f"started were left as they were; fix the cause and run migrate_schemas again.\n{details}"
            )
        self._say(f"Done in {time.perf_counter() - started:.1f} s.")

    def run_multi_type_migrations(self, tenants: Any) -> None:
        raise NotImplementedError("Multi-type tenants are not used in this project.")

    def _record(
        self, result: tuple[str, float, str | None], index: int, total: int, failures: list[tuple[str, str]]
    ) -> None:
        schema, seconds, error = result
        position = f"[{index}/{total}] " if total else ""
        if error is None:
            self._say(f"{position}{schema}: migrated in {seconds:.1f} s")
        else:
            sys.stderr.write(f"{position}{schema}: FAILED after {seconds:.1f} s: {error}\n")
            failures.append((schema, error))

    def _run_parallel(self, pending: list[str], workers: int, failures: list[tuple[str, str]]) -> None:
        """Forked workers (they inherit Django's loaded state); stop handing out schemas at the first
        failure and let the ones under way finish."""
        for alias in connections:
            connections[alias].close()
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures: list[Future[tuple[str, float, str | None]]] = [
                pool.submit(_migrate_one, self.args, self.options, schema, True) for schema in pending
            ]
            done = 0
            for future in as_completed(futures):
                if future.cancelled():
                    continue
                done += 1
                self._record(future.result(), done, len(pending), failures)
                if failures:
                    for other in futures:
                        other.cancel()
