"""Restore a whole-portal backup made by `backup_portal` into an EMPTY database and media
directory (a fresh machine, or after dropping and recreating the database):

    createdb msp_portal
    python manage.py restore_portal /backups/2026-12-03

Refuses a database that already has the portal's tables, and a media directory with files,
so a restore can't mix two portals. See README, "Operations".
"""

from __future__ import annotations

import subprocess
import tarfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from msp_portal.pg_tools import connection_env, pg_program


class Command(BaseCommand):
    help = "Restore a backup_portal directory into an empty database and media directory."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", help="A directory written by backup_portal.")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["directory"])
        dump = source / "database.dump"
        media_archive = source / "media.tar.gz"
        if not dump.is_file() or not media_archive.is_file():
            raise CommandError(f"{source} has no database.dump and media.tar.gz (made by backup_portal).")
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('public.tenants_client') IS NOT NULL")
            if cursor.fetchone()[0]:
                raise CommandError(
                    f"Database {connection.settings_dict['NAME']} already holds a portal; "
                    "restore into a new, empty database."
                )
        media = Path(settings.MEDIA_ROOT)
        if media.is_dir() and any(path.is_file() for path in media.rglob("*")):
            raise CommandError(f"The media directory {media} already has files; empty it first.")
        started = time.perf_counter()
        pg_restore = pg_program("pg_restore")
        pg_args, env = connection_env()
        connection.close()
        self.stdout.write(f"Restoring the database with {pg_restore} …")
        result = subprocess.run(  # noqa: S603 (the program found by pg_program, arguments from settings)
            [pg_restore, *pg_args, "--no-owner", "--exit-on-error", "--single-transaction", str(dump)],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed (nothing was restored): {result.stderr.strip()}")
        media.mkdir(parents=True, exist_ok=True)
        with tarfile.open(media_archive, "r:gz") as archive:
            archive.extractall(media, filter="data")
            count = sum(1 for member in archive.getmembers() if member.isfile())
        self.stdout.write(f"  media: {count} files")
        self.stdout.write(
            self.style.SUCCESS(f"Portal restored from {source} in {time.perf_counter() - started:.1f} s.")
        )
