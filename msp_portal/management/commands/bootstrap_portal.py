"""Bring a database up to date: public schema, the MSP tenant and hosts, the clone
template, then every tenant schema. Idempotent; run on every start."""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from services.catalog.defaults import ensure_default_catalog
from tenants.actions import ensure_msp_tenant
from tenants.periodic import ensure_periodic_tasks
from tenants.provisioning import ensure_template_tenant
from tenants.schema_copy import warm_template_script


class Command(BaseCommand):
    help = "Migrate every schema; ensure the MSP tenant, the clone template and the periodic job schedule."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--executor",
            default="parallel",
            choices=["parallel", "standard", "multiprocessing"],
            help="How migrate_schemas runs tenant migrations: 'parallel' (the default) migrates only the "
            "schemas with something to apply, in TENANT_MIGRATION_WORKERS processes; 'standard' and "
            "'multiprocessing' are django-tenants' executors, which visit every schema.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        self.stdout.write("[1/5] Migrating the public schema…")
        call_command(
            "migrate_schemas", shared=True, interactive=False, verbosity=0, executor=options["executor"]
        )
        self.stdout.write("[2/5] Ensuring the MSP tenant and its hosts…")
        ensure_msp_tenant()
        self.stdout.write("[3/5] Ensuring the template schema for new clients…")
        ensure_template_tenant()
        self.stdout.write("[4/5] Migrating every client schema…")
        # Verbosity 1 shows which schemas had something to apply and each one's progress.
        call_command(
            "migrate_schemas",
            tenant=True,
            interactive=False,
            verbosity=min(1, options["verbosity"]),
            executor=options["executor"],
            stdout=self.stdout,
        )
        # The template may have moved on: have the script new clients are copied from ready.
        warm_template_script()
        self.stdout.write("[5/5] Ensuring the periodic job schedule and the default SLA catalog…")
        ensure_periodic_tasks()
        ensure_default_catalog()
        self.stdout.write(
            self.style.SUCCESS(f"Portal database ready in {time.perf_counter() - started:.1f}s.")
        )
