"""Back up the whole portal: every schema of the database (pg_dump, custom format) and the
uploaded files.

    python manage.py backup_portal /backups/2026-12-03

writes `database.dump` and `media.tar.gz` into that (new or empty) directory. Restore with
`restore_portal`. See README, "Operations".
"""

from __future__ import annotations

import subprocess
import tarfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from msp_portal.pg_tools import connection_env, pg_program


class Command(BaseCommand):
    help = "Back up the whole portal database (all schemas) and the media files into a directory."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("directory", help="Where to write database.dump and media.tar.gz (new or empty).")

    def handle(self, *args: Any, **options: Any) -> None:
        target = Path(options["directory"])
        if target.exists() and any(target.iterdir()):
            raise CommandError(f"{target} is not empty; choose a new directory for each backup.")
        target.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        pg_dump = pg_program("pg_dump")
        pg_args, env = connection_env()
        dump = target / "database.dump"
        self.stdout.write(f"Dumping the database with {pg_dump} …")
        result = subprocess.run(  # noqa: S603 (the program found by pg_program, arguments from settings)
            [pg_dump, *pg_args, "--format=custom", "--no-owner", "--file", str(dump)],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            dump.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
        self.stdout.write(f"  database.dump: {dump.stat().st_size:,} bytes")
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(target / "media.tar.gz", "w:gz") as archive:
            count = 0
            if media.is_dir():
                for path in sorted(media.rglob("*")):
                    if path.is_file():
                        archive.add(path, arcname=str(path.relative_to(media)))
                        count += 1
        self.stdout.write(f"  media.tar.gz: {count} files")
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {target} in {time.perf_counter() - started:.1f} s.")
        )
