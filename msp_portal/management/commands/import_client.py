"""Put a client exported by `export_client` back into this portal:

    python manage.py import_client /backups/alpha.zip

The client must not be in the portal (delete it first); ids are kept. See README, "Operations".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.errors import ActionError
from msp_portal.client_archive import import_client


class Command(BaseCommand):
    help = "Restore one client from an export_client archive (schema, public rows, files)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["archive"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            with path.open("rb") as handle:
                client = import_client(handle, progress=self.stdout.write)
        except ActionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Client {client.slug} restored (status {client.status})."))
