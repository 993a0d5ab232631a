"""`migrate_schemas` (tenants.migrate): only schemas with something to apply are migrated,
up-to-date ones are skipped after one query, and a failure names the schema and fails the
command."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from tenants import migrate
from tenants.migrate import ParallelSkippingExecutor, expected_migrations, schemas_to_migrate

TEMPLATE = settings.TENANT_BASE_SCHEMA
# A shared app's migration: in a client schema it only records itself, so re-applying it is harmless.
SHARED_MIGRATION = ("sessions", "0001_initial")


def _forget(schema: str, app: str, name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s', [app, name])


def _recorded(schema: str, app: str, name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT 1 FROM "{schema}".django_migrations WHERE app = %s AND name = %s', [app, name]
        )
        return cursor.fetchone() is not None


@pytest.fixture
def visited(monkeypatch):
    """The schemas Django's migrate actually ran in."""
    schemas: list[str] = []
    real = migrate.run_migrations

    def spy(args, options, codename, schema_name, **kwargs):
        schemas.append(schema_name)
        return real(args, options, codename, schema_name, **kwargs)

    monkeypatch.setattr(migrate, "run_migrations", spy)
    return schemas


def test_every_schema_is_up_to_date_after_bootstrap(world):
    schemas = ["public", TEMPLATE, world.a.schema_name, world.b.schema_name]
    assert schemas_to_migrate(schemas) == []
    assert SHARED_MIGRATION in expected_migrations()


def test_only_the_schema_with_a_pending_migration_is_migrated(world, visited, capsys):
    _forget(world.a.schema_name, *SHARED_MIGRATION)
    assert schemas_to_migrate([TEMPLATE, world.a.schema_name, world.b.schema_name]) == [world.a.schema_name]

    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=1)

    assert visited == [world.a.schema_name]
    assert _recorded(world.a.schema_name, *SHARED_MIGRATION)
    out = capsys.readouterr().out
    assert "1 to migrate" in out and f"[1/1] {world.a.schema_name}: migrated" in out


def test_nothing_to_migrate_visits_no_schema(world, visited, capsys):
    call_command("migrate_schemas", interactive=False, verbosity=1)
    assert visited == []
    assert "0 to migrate" in capsys.readouterr().out


def test_a_schema_without_a_migration_table_is_migrated(world):
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA client_bare")
    assert schemas_to_migrate([world.a.schema_name, "client_bare"]) == ["client_bare"]


def test_a_failed_schema_is_named_and_fails_the_command(world, monkeypatch, capsys):
    _forget(world.a.schema_name, *SHARED_MIGRATION)
    _forget(world.b.schema_name, *SHARED_MIGRATION)

    def broken(args, options, codename, schema_name, **kwargs):
        raise RuntimeError("lock timeout")

    monkeypatch.setattr(migrate, "run_migrations", broken)
    with pytest.raises(CommandError) as excinfo:
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=1)

    first = sorted([world.a.schema_name, world.b.schema_name], key=[s for s in schemas_order()].index)[0]
    assert f"failed: {first}" in str(excinfo.value) and "lock timeout" in str(excinfo.value)
    # It stopped there: the next schema was not started.
    assert "1 schema(s) failed" in str(excinfo.value)
    assert "FAILED" in capsys.readouterr().err


def schemas_order() -> list[str]:
    from tenants.models import Client

    return list(Client.objects.exclude(schema_name="public").values_list("schema_name", flat=True))


def test_other_options_visit_every_schema_the_ordinary_way(world, monkeypatch):
    from django_tenants.migration_executors import standard

    visited: list[str] = []
    monkeypatch.setattr(
        standard, "run_migrations", lambda args, options, codename, schema, **kw: visited.append(schema)
    )
    call_command("migrate_schemas", tenant=True, interactive=False, verbosity=0, fake=True)
    assert set(visited) >= {TEMPLATE, world.a.schema_name, world.b.schema_name}


def test_django_tenants_executors_can_still_be_chosen(world):
    from django_tenants.migration_executors.standard import StandardExecutor

    assert migrate.get_executor("standard") is StandardExecutor
    assert migrate.get_executor(None) is ParallelSkippingExecutor
