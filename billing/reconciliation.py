"""Nightly reconciliation: every difference between Stripe and the ledger, in a stored report.

It reads every invoice of the Stripe account and every ledger invoice that Stripe should
know, compares status, total, amount paid and currency, and lists what is on one side only
and the webhooks that were not applied (`unmatched`, `review`). It changes nothing: the
ledger is the source of truth and a person decides what to correct (docs/billing.md).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.timezone import now

from billing.models import (
    DifferenceKind,
    Invoice,
    InvoiceStatus,
    ReconciliationStatus,
    StripeDifference,
    StripeEvent,
    StripeEventOutcome,
    StripeReconciliation,
)
from billing.stripe_gateway import metadata_of, stripe_client, stripe_enabled, to_minor_units

logger = logging.getLogger(__name__)

# Stripe statuses that agree with each ledger status.
EXPECTED_STRIPE_STATUS: dict[str, set[str]] = {
    InvoiceStatus.ISSUED: {"open"},
    InvoiceStatus.PARTIALLY_PAID: {"open"},
    InvoiceStatus.PAID: {"paid"},
    InvoiceStatus.VOID: {"void"},
    InvoiceStatus.UNCOLLECTIBLE: {"uncollectible"},
    InvoiceStatus.CREDITED: {"void", "paid"},
}
# An invoice issued this recently may still be on its way to Stripe (the push task).
PUSH_GRACE = timedelta(minutes=30)
# Webhooks not applied are listed while they are this recent.
EVENT_WINDOW = timedelta(days=35)


def start_reconciliation(*, requested_by_id: int | None = None) -> StripeReconciliation:
    """A new report row, RUNNING, for `run_reconciliation` to fill."""
    return StripeReconciliation.objects.create(requested_by_id=requested_by_id)


def run_reconciliation(report_id: int | None = None) -> StripeReconciliation | None:
    """Compare Stripe with the ledger and store the differences. None when Stripe is off."""
    if not stripe_enabled():
        return None
    report = (
        StripeReconciliation.objects.get(pk=report_id) if report_id is not None else start_reconciliation()
    )
    if report.status != ReconciliationStatus.RUNNING:
        return report
    try:
        remote = _stripe_invoices()
        differences, checked = _compare(remote)
    except Exception:
        logger.exception("stripe reconciliation failed", extra={"reconciliation_id": report.pk})
        StripeReconciliation.objects.filter(pk=report.pk).update(
            status=ReconciliationStatus.FAILED,
            finished_at=now(),
            error="Stripe could not be read completely; the next run tries again.",
        )
        report.refresh_from_db()
        return report
    with transaction.atomic():
        for difference in differences:
            difference.reconciliation = report
        StripeDifference.objects.bulk_create(differences)
        report.status = ReconciliationStatus.COMPLETED
        report.finished_at = now()
        report.invoices_checked = checked
        report.stripe_invoices_seen = len(remote)
        report.difference_count = len(differences)
        report.save()
    return report


def _stripe_invoices() -> dict[str, Any]:
    client = stripe_client()
    return {invoice.id: invoice for invoice in client.v1.invoices.list({"limit": 100}).auto_paging_iter()}


def _compare(remote: dict[str, Any]) -> tuple[list[StripeDifference], int]:
    differences: list[StripeDifference] = []
    cutoff = now() - PUSH_GRACE
    ledger = list(
        Invoice.objects.exclude(status=InvoiceStatus.DRAFT)
        .filter(
            ~Q(stripe_invoice_id="")
            | Q(status__in=(InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID), issued_at__lt=cutoff)
        )
        .only(
            "id",
            "client_id",
            "status",
            "currency",
            "total",
            "amount_paid",
            "amount_refunded",
            "number_display",
            "stripe_invoice_id",
            "issued_at",
        )
        .order_by("id")
    )
    known: set[str] = set()
    for invoice in ledger:
        label = invoice.number_display or f"invoice {invoice.pk}"
        base = {
            "invoice_id": invoice.pk,
            "client_id": invoice.client_id,
            "stripe_invoice_id": invoice.stripe_invoice_id,
        }
        if not invoice.stripe_invoice_id:
            differences.append(
                StripeDifference(
                    kind=DifferenceKind.MISSING_AT_STRIPE,
                    ledger_value=invoice.get_status_display(),
                    detail=f"{label} is open in the ledger but was never pushed to Stripe.",
                    **base,
                )
            )
            continue
        known.add(invoice.stripe_invoice_id)
        theirs = remote.get(invoice.stripe_invoice_id)
        if theirs is None:
            differences.append(
                StripeDifference(
                    kind=DifferenceKind.MISSING_AT_STRIPE,
                    ledger_value=invoice.get_status_display(),
                    detail=f"{label}: Stripe has no invoice {invoice.stripe_invoice_id}.",
                    **base,
                )
            )
            continue
        currency = str(theirs.currency or "").upper()
        if currency != invoice.currency:
            differences.append(
                StripeDifference(
                    kind=DifferenceKind.CURRENCY,
                    ledger_value=invoice.currency,
                    stripe_value=currency,
                    detail=f"{label}: currencies differ.",
                    **base,
                )
            )
            continue
        if theirs.status not in EXPECTED_STRIPE_STATUS.get(invoice.status, set()):
            differences.append(
                StripeDifference(
                    kind=DifferenceKind.STATUS,
                    ledger_value=invoice.status,
                    stripe_value=str(theirs.status),
                    detail=(
                        f"{label} is {invoice.get_status_display().lower()} in the ledger, "
                        f"{theirs.status} at Stripe."
                    ),
                    **base,
                )
            )
        ours_total = to_minor_units(invoice.total, invoice.currency)
        if theirs.total != ours_total:
            differences.append(
                StripeDifference(
                    kind=DifferenceKind.TOTAL,
                    ledger_value=str(invoice.total),
                    stripe_value=_amount(theirs.total, invoice.currency),
                    detail=f"{label}: totals differ.",
                    **base,
                )
            )
        # Stripe's amount_paid stays what was paid when money is refunded; the ledger's is
        # net of refunds, so refunds are added back before comparing.
        gross_paid = invoice.amount_paid + invoice.amount_refunded
        ours_paid = to_minor_units(gross_paid, invoice.currency)
        if theirs.amount_paid != ours_paid:
            differences.append(
                StripeDifference(
                    kind=DifferenceKind.AMOUNT_PAID,
                    ledger_value=str(gross_paid),
                    stripe_value=_amount(theirs.amount_paid, invoice.currency),
                    detail=f"{label}: amounts paid differ.",
                    **base,
                )
            )
    for stripe_id, theirs in sorted(remote.items()):
        if stripe_id in known or theirs.status == "draft":
            continue
        portal_id = metadata_of(theirs).get("portal_invoice_id", "")
        differences.append(
            StripeDifference(
                kind=DifferenceKind.MISSING_IN_LEDGER,
                stripe_invoice_id=stripe_id,
                stripe_value=f"{theirs.status} {_amount(theirs.total, str(theirs.currency).upper())}",
                detail=(
                    f"Stripe invoice {stripe_id} names portal invoice {portal_id}, which does not know it."
                    if portal_id
                    else f"Stripe invoice {stripe_id} is not one of the portal's invoices."
                )[:300],
            )
        )
    events = StripeEvent.objects.filter(
        outcome__in=(StripeEventOutcome.UNMATCHED, StripeEventOutcome.REVIEW),
        received_at__gte=now() - EVENT_WINDOW,
    ).order_by("received_at", "id")
    for event in events:
        differences.append(
            StripeDifference(
                kind=DifferenceKind.UNMATCHED_EVENT
                if event.outcome == StripeEventOutcome.UNMATCHED
                else DifferenceKind.EVENT_NEEDS_REVIEW,
                invoice_id=event.invoice_id,
                client_id=event.client_id,
                stripe_invoice_id=event.stripe_invoice_id,
                stripe_event_id=event.event_id,
                stripe_value=event.event_type,
                detail=(event.detail or event.get_outcome_display())[:300],
            )
        )
    return differences, len(ledger)


def _amount(minor: Any, currency: str) -> str:
    from billing.stripe_gateway import from_minor_units

    try:
        return f"{from_minor_units(int(minor), currency)}"
    except (TypeError, ValueError, KeyError):
        return str(minor)
