"""Provision a client from the command line, with a progress display.

    python manage.py create_client --name "Acme Dental" --slug acme-dental \
        --industry healthcare --tier standard \
        --it-lead-email lead@acme.example --it-lead-name "Ana Lead"

Idempotent: when a client with that slug and name already exists, it says so and
changes nothing.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.errors import ActionError
from tenants.actions import portal_url
from tenants.models import Client, ClientTier, Industry, MspRole, User
from tenants.provisioning import provision_client


class Command(BaseCommand):
    help = "Provision a client: its schema (cloned from the template), portal domain and IT lead invitation."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="Portal address: <slug>.<CLIENT_DOMAIN_SUFFIX>")
        parser.add_argument("--industry", default=Industry.OTHER, choices=Industry.values)
        parser.add_argument("--tier", default=ClientTier.STANDARD, choices=ClientTier.values)
        parser.add_argument("--timezone", default="UTC")
        parser.add_argument("--it-lead-email", required=True)
        parser.add_argument("--it-lead-name", required=True)
        parser.add_argument("--account-manager", help="Email of the account manager (MSP staff).")
        parser.add_argument(
            "--require-2fa", action="store_true", help="Client users must use two factors too."
        )
        parser.add_argument("--acting-user", help="Email of the MSP admin recorded as provisioning it.")

    def handle(self, *args: Any, **options: Any) -> None:
        existing = Client.objects.filter(slug=options["slug"]).first()
        if existing is not None:
            if existing.name == options["name"]:
                self.stdout.write(
                    f"Client '{existing.slug}' already exists at {portal_url(existing)}; nothing to do."
                )
                return
            raise CommandError(f"The slug '{existing.slug}' already belongs to '{existing.name}'.")
        manager_id = None
        if options["account_manager"]:
            manager = User.objects.filter(email__iexact=options["account_manager"], msp_role__gt="").first()
            if manager is None:
                raise CommandError(f"No MSP staff member with email {options['account_manager']}.")
            manager_id = manager.pk
        acting_user = None
        if options["acting_user"]:
            acting_user = User.objects.filter(
                email__iexact=options["acting_user"], msp_role=MspRole.ADMIN
            ).first()
            if acting_user is None:
                raise CommandError(f"No MSP admin with email {options['acting_user']}.")

        started = time.perf_counter()
        interactive = sys.stdout.isatty()

        def progress(step: int, total: int, message: str) -> None:
            width = 24
            filled = int(width * step / total)
            line = f"[{'#' * filled}{'.' * (width - filled)}] {step}/{total} {message}…"
            if interactive:
                self.stdout.write("\r\033[K" + line, ending="")
                self.stdout.flush()
            else:
                self.stdout.write(line)

        try:
            client = provision_client(
                {
                    "name": options["name"],
                    "slug": options["slug"],
                    "industry": options["industry"],
                    "tier": options["tier"],
                    "timezone": options["timezone"],
                    "it_lead_email": options["it_lead_email"],
                    "it_lead_name": options["it_lead_name"],
                    "account_manager_id": manager_id,
                    "require_two_factor": options["require_2fa"],
                },
                acting_user=acting_user,
                progress=progress,
            )
        except ActionError as exc:
            if interactive:
                self.stdout.write("")
            raise CommandError(
                "\n".join(f"{e.field or 'input'}: {e.message} [{e.code}]" for e in exc.errors)
            ) from None
        if interactive:
            self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"Provisioned '{client.name}' in {time.perf_counter() - started:.2f}s: {portal_url(client)} "
                f"(invitation sent to {options['it_lead_email']})"
            )
        )
