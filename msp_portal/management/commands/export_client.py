"""Export one client — its schema and its rows in the public schema — as a zip archive:

    python manage.py export_client alpha /backups/alpha.zip

See msp_portal/client_archive.py for what is in it, README "Operations" for the procedure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.errors import ActionError
from msp_portal.client_archive import export_client
from tenants.models import Client


class Command(BaseCommand):
    help = "Export one client (schema rows, public rows, people named, attachments) as a zip archive."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slug")
        parser.add_argument("output", help="The .zip file to write (must not exist).")

    def handle(self, *args: Any, **options: Any) -> None:
        client = Client.objects.clients().filter(slug=options["slug"]).first()
        if client is None:
            raise CommandError(f"No client '{options['slug']}'.")
        output = Path(options["output"])
        if output.exists():
            raise CommandError(f"{output} exists; choose a new file name.")
        partial = output.with_name(output.name + ".partial")
        try:
            with partial.open("wb") as handle:
                summary = export_client(client, handle, progress=self.stdout.write)
        except ActionError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(str(exc)) from exc
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.rename(output)
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {summary.rows} rows and {summary.files} files of {client.slug} to {output}."
            )
        )
