"""`manage.py run_billing --date 2026-12-01`: draft the billing run of a day, with progress.

Invoices are in arrears: the run on a client's billing day drafts the period that ended
that day. Drafting happens here, one client after another (a failed client is reported
and the others go on); `--queue` hands the items to the workers instead. Running it again
for the same day adds nothing: every (client, period) is drafted once.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from billing.models import RunItem, RunItemStatus, RunTrigger
from billing.runs import draft_item_safely, start_run
from tenants.models import Client


class Command(BaseCommand):
    help = "Draft the billing run of a day (clients whose billing day it is), with progress."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--date", "--period", dest="run_on", help="Run date, YYYY-MM-DD (default: today)."
        )
        parser.add_argument(
            "--client", action="append", default=[], help="Only this client slug (repeatable)."
        )
        parser.add_argument("--queue", action="store_true", help="Queue drafting for the workers instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.utils import timezone

        try:
            run_on = date.fromisoformat(options["run_on"]) if options["run_on"] else timezone.localdate()
        except ValueError:
            raise CommandError("--date must look like 2026-12-01.") from None
        client_ids = None
        if options["client"]:
            found = dict(
                Client.objects.clients().filter(slug__in=options["client"]).values_list("slug", "pk")
            )
            missing = sorted(set(options["client"]) - set(found))
            if missing:
                raise CommandError(f"No such client: {', '.join(missing)}")
            client_ids = list(found.values())
        run = start_run(run_on, trigger=RunTrigger.COMMAND, client_ids=client_ids, enqueue=options["queue"])
        item_ids = list(RunItem.objects.filter(run=run).order_by("pk").values_list("pk", flat=True))
        self.stdout.write(f"Billing run {run.pk} for {run_on}: {len(item_ids)} client period(s) to draft.")
        if options["queue"] or not item_ids:
            return
        failed = 0
        for done, item_id in enumerate(item_ids, start=1):
            item = draft_item_safely(item_id)
            if item is None:
                failed += 1
            if sys.stdout.isatty() or done == len(item_ids) or done % 50 == 0:
                self.stdout.write(f"  {done}/{len(item_ids)} drafted ({failed} failed)")
        counts = {
            status: RunItem.objects.filter(run=run, status=status).count()
            for status in (RunItemStatus.DRAFT, RunItemStatus.NOTHING_TO_BILL, RunItemStatus.FAILED)
        }
        drafts, nothing, failures = (counts[s] for s in counts)
        self.stdout.write(
            f"Done: {drafts} draft(s) to review, {nothing} with nothing to bill, {failures} failed."
        )
