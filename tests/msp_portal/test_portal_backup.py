"""Whole-portal backup and restore: pg_dump of every schema plus the media files, restored
into an empty database on the same server by a separate process (as on a fresh machine)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _admin_dsn(database: str) -> str:
    db = django_settings.DATABASES["default"]
    return psycopg.conninfo.make_conninfo(
        dbname=database,
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
    )


def _snapshot(dsn: str) -> dict[str, object]:
    with psycopg.connect(dsn) as conn:
        clients = conn.execute(
            "SELECT slug, schema_name, status FROM tenants_client ORDER BY slug"
        ).fetchall()
        contacts = conn.execute("SELECT count(*) FROM client_alpha.directory_contact").fetchone()
        memberships = conn.execute("SELECT count(*) FROM tenants_membership").fetchone()
    return {"clients": clients, "contacts": contacts, "memberships": memberships}


def test_backup_then_restore_into_an_empty_database(world, tmp_path, settings):
    media = tmp_path / "media"
    (media / "attachments").mkdir(parents=True)
    (media / "attachments" / "a.txt").write_bytes(b"kept")
    settings.MEDIA_ROOT = media
    backup = tmp_path / "backup"
    out = io.StringIO()
    call_command("backup_portal", str(backup), stdout=out)
    assert (backup / "database.dump").stat().st_size > 0 and "1 files" in out.getvalue()
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup_portal", str(backup), stdout=io.StringIO())
    with pytest.raises(CommandError, match="already holds a portal"):
        call_command("restore_portal", str(backup), stdout=io.StringIO())

    scratch = f"msp_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        db = django_settings.DATABASES["default"]
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{scratch}",
            "MEDIA_ROOT": str(tmp_path / "restored-media"),
            "DJANGO_SETTINGS_MODULE": "msp_portal.settings",
            "SECRET_KEY": "restore-test",
        }
        result = subprocess.run(
            [sys.executable, "manage.py", "restore_portal", str(backup)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "restored-media" / "attachments" / "a.txt").read_bytes() == b"kept"
        assert _snapshot(_admin_dsn(scratch)) == _snapshot(_admin_dsn(connection.settings_dict["NAME"]))
    finally:
        with psycopg.connect(_admin_dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
