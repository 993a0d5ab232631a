"""Recompute the MRR running totals from the invoice lines (after a bulk load or a restore)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from billing import mrr


class Command(BaseCommand):
    help = "Recompute the MRR running totals (MrrMonth, ClientMrrMonth) from the issued invoices' lines."

    def handle(self, *args: Any, **options: Any) -> None:
        by_line, by_client = mrr.rebuild()
        self.stdout.write(f"{by_line} month × service line rows, {by_client} client × month rows.")
