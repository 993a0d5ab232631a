"""Monthly recurring revenue kept as running totals (`MrrMonth`, `ClientMrrMonth`).

MRR is the charge lines (kind *charge*: recurring fees, prorated or not — not one-offs,
overage or credits) of issued invoices, by the month their period starts in. An invoice
enters it when it is issued and leaves it only when it is voided (paid, credited and
written-off invoices stay, as before), so those two actions call `add_invoice` /
`remove_invoice` in their transaction: one aggregate of the invoice's lines and two
`INSERT … ON CONFLICT DO UPDATE` statements adding the difference (concurrent issuers add
to the same rows without losing anything). `rebuild` recomputes everything from the lines
(the migration that created the tables, and `manage.py rebuild_mrr` after bulk loads).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from billing.models import ISSUED_STATES, ClientMrrMonth, Invoice, InvoiceLine, LineKind, MrrMonth


def add_invoice(invoice: Invoice) -> None:
    """The invoice was issued: its charge lines join its month (call in the transaction)."""
    _apply(invoice, 1)


def remove_invoice(invoice: Invoice) -> None:
    """The issued invoice was voided: its charge lines leave its month."""
    _apply(invoice, -1)


def _apply(invoice: Invoice, sign: int) -> None:
    if invoice.period_start is None:
        return  # not in MRR (the aggregate has always left such invoices out)
    rows = list(
        InvoiceLine.objects.filter(invoice=invoice, kind=LineKind.CHARGE)
        .values("service_line")
        .annotate(total=Sum("amount"), lines=Count("id"))
        .order_by("service_line")
    )
    if not rows:
        return
    month = invoice.period_start.replace(day=1)
    client_total = sum((r["total"] for r in rows), Decimal(0))
    client_lines = sum(r["lines"] for r in rows)
    with transaction.atomic(), connection.cursor() as cursor:
        if sign > 0:
            # One statement per service line (a handful), not executemany: pghistory's context
            # wrapper (inside requests) supports only single statements.
            for r in rows:
                cursor.execute(
                    _ADD_BY_LINE, [month, r["service_line"], invoice.currency, r["total"], r["lines"]]
                )
            cursor.execute(
                _ADD_BY_CLIENT, [invoice.client_id, month, invoice.currency, client_total, client_lines]
            )
            return
        # Taking away: the rows exist (the invoice was added when issued); an upsert would
        # check the negative proposed row before finding the conflict.
        for r in rows:
            cursor.execute(
                _TAKE_BY_LINE, [r["total"], r["lines"], month, r["service_line"], invoice.currency]
            )
        cursor.execute(
            _TAKE_BY_CLIENT, [client_total, client_lines, invoice.client_id, month, invoice.currency]
        )
    MrrMonth.objects.filter(month=month, currency=invoice.currency, lines=0).delete()
    ClientMrrMonth.objects.filter(
        client_id=invoice.client_id, month=month, currency=invoice.currency, lines=0
    ).delete()


_ADD_BY_LINE = """
INSERT INTO billing_mrrmonth (month, service_line, currency, total, lines) VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (month, service_line, currency) DO UPDATE
SET total = billing_mrrmonth.total + EXCLUDED.total, lines = billing_mrrmonth.lines + EXCLUDED.lines"""
_ADD_BY_CLIENT = """
INSERT INTO billing_clientmrrmonth (client_id, month, currency, total, lines) VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (client_id, month, currency) DO UPDATE
SET total = billing_clientmrrmonth.total + EXCLUDED.total,
    lines = billing_clientmrrmonth.lines + EXCLUDED.lines"""
_TAKE_BY_LINE = """
UPDATE billing_mrrmonth SET total = total - %s, lines = lines - %s
WHERE month = %s AND service_line = %s AND currency = %s"""
_TAKE_BY_CLIENT = """
UPDATE billing_clientmrrmonth SET total = total - %s, lines = lines - %s
WHERE client_id = %s AND month = %s AND currency = %s"""


def live_by_service_line() -> list[tuple[date, str, str, Decimal, int]]:
    """(month, service line, currency, total, lines) aggregated from the invoice lines."""
    return [
        (r["month"], r["service_line"], r["invoice__currency"], r["total"], r["lines"])
        for r in InvoiceLine.objects.filter(
            kind=LineKind.CHARGE, invoice__status__in=ISSUED_STATES, invoice__period_start__isnull=False
        )
        .annotate(month=TruncMonth("invoice__period_start"))
        .values("month", "service_line", "invoice__currency")
        .annotate(total=Sum("amount"), lines=Count("id"))
        .order_by("month", "service_line", "invoice__currency")
    ]


def live_by_client() -> list[tuple[int, date, str, Decimal, int]]:
    """(client id, month, currency, total, lines) aggregated from the invoice lines."""
    return [
        (r["invoice__client_id"], r["month"], r["invoice__currency"], r["total"], r["lines"])
        for r in InvoiceLine.objects.filter(
            kind=LineKind.CHARGE, invoice__status__in=ISSUED_STATES, invoice__period_start__isnull=False
        )
        .annotate(month=TruncMonth("invoice__period_start"))
        .values("invoice__client_id", "month", "invoice__currency")
        .annotate(total=Sum("amount"), lines=Count("id"))
        .order_by("invoice__client_id", "month", "invoice__currency")
    ]


def rebuild() -> tuple[int, int]:
    """Recompute both tables from the invoice lines (locks them while it does)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE billing_mrrmonth, billing_clientmrrmonth IN EXCLUSIVE MODE")
        MrrMonth.objects.all().delete()
        ClientMrrMonth.objects.all().delete()
        by_line = MrrMonth.objects.bulk_create(
            MrrMonth(month=m, service_line=s, currency=c, total=t, lines=n)
            for m, s, c, t, n in live_by_service_line()
        )
        by_client = ClientMrrMonth.objects.bulk_create(
            ClientMrrMonth(client_id=i, month=m, currency=c, total=t, lines=n)
            for i, m, c, t, n in live_by_client()
        )
    return len(by_line), len(by_client)
