"""Stripe webhooks: `POST /api/stripe/webhook`.

1. The signature is verified with `stripe.Webhook.construct_event` and the endpoint's
   secret (STRIPE_WEBHOOK_SECRET). A bad or missing signature, a stale timestamp or a body
   that is not an event is answered 400 and nothing is stored.
2. The event is stored by its id (unique). A second delivery of the same id (Stripe's
   retries, a replay from the dashboard, two deliveries at once) finds the row, waits for
   the first delivery's transaction and does nothing more.
3. It is processed once, in the transaction that stored it, with the ledger's invoice locked
   (`select_for_update`). Processing compares the Stripe object with the ledger instead of
   trusting the order of events: an `invoice.finalized` that arrives after `invoice.paid`
   only fills in the hosted invoice URL; `invoice.paid`, `invoice.payment_succeeded` and
   `payment_intent.succeeded` of one invoice record one payment (its Stripe id is the
   invoice's, unique in the ledger). What the ledger must decide itself — a void or a
   write-off made at Stripe, a refund, a payment on an invoice the ledger has closed — is
   stored as `review` and listed by the reconciliation, never applied silently.
4. An event for an invoice the ledger does not know is stored as `unmatched` and not
   applied; once the gateway stores that Stripe id (the push may still be running), such
   events are processed again.

A processing failure rolls back the processing only: the event stays stored as `failed`
and the answer is 500, so Stripe delivers it again and it is processed then.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.timezone import now
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import actions
from billing.actions import record_payment
from billing.models import (
    BillingProfile,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    Refund,
    RefundMethod,
    RefundStatus,
    StripeEvent,
    StripeEventOutcome,
)
from billing.money import quantum
from billing.stripe_gateway import from_minor_units
from core.errors import ActionError

logger = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 512 * 1024
PAID_EVENTS = {"invoice.paid", "invoice.payment_succeeded"}
INVOICE_EVENTS = {
    "invoice.created",
    "invoice.finalized",
    "invoice.updated",
    "invoice.sent",
    "invoice.paid",
    "invoice.payment_succeeded",
    "invoice.payment_failed",
    "invoice.payment_action_required",
    "invoice.voided",
    "invoice.marked_uncollectible",
}
PAYABLE_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.UNCOLLECTIBLE)


class InvalidEvent(ValueError):
    """The verified body is not a Stripe event we can store."""


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """Verify, store once, process once (module docstring)."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        return JsonResponse({"error": "Stripe webhooks are not configured."}, status=404)
    if len(request.body) > MAX_PAYLOAD_BYTES:
        return JsonResponse({"error": "Payload too large."}, status=413)
    try:
        payload = request.body.decode("utf-8")
        # The shape first: stripe's event builder fails with AttributeError on a body that
        # is valid JSON but no object. Both refusals are the same 400.
        event = parse_event(payload)
        stripe.Webhook.construct_event(
            payload,
            request.headers.get("Stripe-Signature"),
            secret,
            tolerance=settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
        )
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError):
        logger.warning("stripe webhook refused", extra={"reason": "signature or payload"})
        return JsonResponse({"error": "Invalid signature or payload."}, status=400)
    row = receive_event(event)
    status = 500 if row.outcome == StripeEventOutcome.FAILED else 200
    return JsonResponse({"received": True, "outcome": row.outcome}, status=status)


def parse_event(payload: str) -> dict[str, Any]:
    """The event as a plain dict, with the fields storage relies on checked."""
    event = json.loads(payload)
    if not isinstance(event, dict):
        raise InvalidEvent("not an object")
    event_id, event_type = event.get("id"), event.get("type")
    data = event.get("data")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 255 or "\x00" in event_id:
        raise InvalidEvent("id")
    if not isinstance(event_type, str) or not 0 < len(event_type) <= 100:
        raise InvalidEvent("type")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise InvalidEvent("data.object")
    return event


def _text(value: Any, limit: int = 255) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _invoice_id_of(event_type: str, obj: dict[str, Any]) -> str:
    if event_type.startswith("invoice."):
        return _text(obj.get("id"))
    return _text(obj.get("invoice"))


def receive_event(event: dict[str, Any]) -> StripeEvent:
    """Store the event (once per id) and process it once, in one transaction."""
    obj = event["data"]["object"]
    created = event.get("created")
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = StripeEvent.objects.create(
                    event_id=event["id"],
                    event_type=event["type"],
                    stripe_object_id=_text(obj.get("id")),
                    stripe_invoice_id=_invoice_id_of(event["type"], obj),
                    livemode=bool(event.get("livemode")),
                    stripe_created_at=datetime.fromtimestamp(created, UTC)
                    if isinstance(created, int)
                    else None,
                    payload=event,
                )
        except IntegrityError:
            # Delivered before: wait for that delivery's transaction, then look at its result.
            row = StripeEvent.objects.select_for_update().get(event_id=event["id"])
            StripeEvent.objects.filter(pk=row.pk).update(deliveries=F("deliveries") + 1)
            if row.outcome != StripeEventOutcome.FAILED:
                return row
        _process(row)
        if row.invoice_id is not None and row.stripe_invoice_id:
            # Events that came before this invoice was known (its id was adopted just now
            # from our metadata) are applied now, in this transaction.
            reprocess_unmatched_events(row.stripe_invoice_id)
    return row


def _process(row: StripeEvent) -> None:
    """Apply one stored event (the caller holds its row); a failure marks it `failed`."""
    try:
        with transaction.atomic():
            outcome, detail, invoice = apply_event(row.event_type, row.payload["data"]["object"])
    except Exception:
        logger.exception("stripe event processing failed", extra={"stripe_event_id": row.event_id})
        outcome, detail, invoice = (
            StripeEventOutcome.FAILED,
            "Processing failed; Stripe will deliver it again.",
            None,
        )
    row.outcome = outcome
    row.detail = detail[:300]
    row.processed_at = None if outcome == StripeEventOutcome.FAILED else now()
    fields = ["outcome", "detail", "processed_at"]
    if invoice is not None:
        row.invoice_id, row.client_id = invoice.pk, invoice.client_id
        fields += ["invoice", "client"]
    row.save(update_fields=fields)


def reprocess_unmatched_events(stripe_invoice_id: str) -> int:
    """Process again the events stored as unmatched for this Stripe invoice (its id is now
    in the ledger). Returns how many were applied or otherwise settled."""
    settled = 0
    ids = list(
        StripeEvent.objects.filter(
            stripe_invoice_id=stripe_invoice_id, outcome=StripeEventOutcome.UNMATCHED
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            row = StripeEvent.objects.select_for_update().get(pk=pk)
            if row.outcome != StripeEventOutcome.UNMATCHED:
                continue
            _process(row)
            settled += row.outcome != StripeEventOutcome.UNMATCHED
    return settled


# --- applying one event to the ledger ---------------------------------------------------


@dataclass
class _Found:
    invoice: Invoice | None
    why_not: str = ""


def _find_invoice(stripe_invoice_id: str, obj: dict[str, Any], by_metadata: bool) -> _Found:
    """The ledger invoice of a Stripe invoice, locked. By its stored Stripe id; for invoice
    events also by our id in the metadata when the push has not stored the Stripe id yet
    (then only if the Stripe customer is the client's)."""
    if not stripe_invoice_id:
        return _Found(None, "The event names no invoice.")
    invoice = Invoice.objects.select_for_update().filter(stripe_invoice_id=stripe_invoice_id).first()
    if invoice is not None or not by_metadata:
        return _Found(invoice, "" if invoice else f"No invoice of ours has Stripe id {stripe_invoice_id}.")
    raw_metadata = obj.get("metadata")
    metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
    portal_id = str(metadata.get("portal_invoice_id") or "")
    if not portal_id.isdigit() or len(portal_id) > 18:
        return _Found(None, f"No invoice of ours has Stripe id {stripe_invoice_id}.")
    invoice = Invoice.objects.select_for_update().filter(pk=int(portal_id), stripe_invoice_id="").first()
    customer = _text(obj.get("customer"))
    if (
        invoice is None
        or not customer
        or not BillingProfile.objects.filter(
            client_id=invoice.client_id, stripe_customer_id=customer
        ).exists()
    ):
        return _Found(None, f"No invoice of ours matches Stripe invoice {stripe_invoice_id}.")
    invoice.stripe_invoice_id = stripe_invoice_id
    invoice.save(update_fields=["stripe_invoice_id"])
    return _Found(invoice)


def apply_event(event_type: str, obj: dict[str, Any]) -> tuple[str, str, Invoice | None]:
    """(outcome, detail, invoice) of one event, applied by comparing with the ledger."""
    if event_type in INVOICE_EVENTS:
        found = _find_invoice(_text(obj.get("id")), obj, by_metadata=True)
    elif event_type in ("payment_intent.succeeded", "charge.refunded"):
        if not obj.get("invoice"):
            return StripeEventOutcome.IGNORED, "Not the payment of an invoice.", None
        found = _find_invoice(_text(obj.get("invoice")), obj, by_metadata=False)
    else:
        return StripeEventOutcome.IGNORED, f"Billing does not use {event_type[:60]} events.", None
    invoice = found.invoice
    if invoice is None:
        return StripeEventOutcome.UNMATCHED, found.why_not, None
    currency = _text(obj.get("currency")).upper()
    if currency and currency != invoice.currency:
        return (
            StripeEventOutcome.REVIEW,
            f"Stripe's currency {currency} is not the invoice's {invoice.currency}.",
            invoice,
        )

    changed = False
    hosted = _text(obj.get("hosted_invoice_url"), 500)
    if event_type.startswith("invoice.") and hosted and not invoice.stripe_hosted_url:
        invoice.stripe_hosted_url = hosted
        invoice.save(update_fields=["stripe_hosted_url"])
        changed = True

    if event_type in PAID_EVENTS or (event_type.startswith("invoice.") and obj.get("status") == "paid"):
        amount = obj.get("amount_paid")
        reference = _text(obj.get("payment_intent")) or _text(obj.get("charge")) or invoice.stripe_invoice_id
        paid_at = (obj.get("status_transitions") or {}).get("paid_at")
        return _record_stripe_payment(invoice, amount, reference, paid_at, changed)
    if event_type == "payment_intent.succeeded":
        return _record_stripe_payment(
            invoice, obj.get("amount_received"), _text(obj.get("id")), obj.get("created"), changed
        )
    if event_type == "charge.refunded":
        return _apply_refunds(invoice, obj, changed)
    if event_type == "invoice.voided":
        return _compare_closing(invoice, InvoiceStatus.VOID, "voided", changed)
    if event_type == "invoice.marked_uncollectible":
        return _compare_closing(invoice, InvoiceStatus.UNCOLLECTIBLE, "marked uncollectible", changed)
    if event_type == "invoice.payment_failed":
        attempts = obj.get("attempt_count")
        return (
            StripeEventOutcome.APPLIED if changed else StripeEventOutcome.NO_CHANGE,
            f"A payment attempt failed at Stripe (attempt {attempts if isinstance(attempts, int) else '?'}).",
            invoice,
        )
    return (
        StripeEventOutcome.APPLIED if changed else StripeEventOutcome.NO_CHANGE,
        "Hosted invoice page stored." if changed else "The ledger already agrees.",
        invoice,
    )


def _apply_refunds(invoice: Invoice, charge: dict[str, Any], changed: bool) -> tuple[str, str, Invoice]:
    """`charge.refunded`: each refund on the charge is matched with the ledger — one the
    portal asked for (our id in its metadata, or its Stripe id stored) is confirmed; one made
    in Stripe's dashboard is recorded as a refund (credit note + money back) keyed by its
    Stripe id, so replays and the several events of one refund record it once. A refund the
    ledger can't take (more than was paid) is left for review. Without the refunds list,
    the total refunded is compared with the ledger's Stripe refunds."""
    refunds = (charge.get("refunds") or {}).get("data") if isinstance(charge.get("refunds"), dict) else None
    if not isinstance(refunds, list):
        theirs = from_minor_units(int(charge.get("amount_refunded") or 0), invoice.currency)
        ours = sum(
            (r.amount for r in Refund.objects.filter(invoice=invoice, method=RefundMethod.STRIPE)), Decimal(0)
        )
        if theirs == ours:
            return StripeEventOutcome.NO_CHANGE, "The ledger has these refunds.", invoice
        return (
            StripeEventOutcome.REVIEW,
            f"{theirs} {invoice.currency} refunded at Stripe, {ours} in the ledger: check the refunds.",
            invoice,
        )
    recorded, confirmed, problems = 0, 0, []
    for item in refunds:
        if not isinstance(item, dict) or item.get("status") in ("failed", "canceled"):
            continue
        stripe_id = _text(item.get("id"), 64)
        ours_id = str((item.get("metadata") or {}).get("portal_refund") or "")
        known = Refund.objects.filter(stripe_refund_id=stripe_id).first() if stripe_id else None
        if known is None and ours_id.isdigit():
            known = Refund.objects.filter(pk=int(ours_id), invoice=invoice).first()
        if known is not None:
            if known.status != RefundStatus.SUCCEEDED or not known.stripe_refund_id:
                known.status = RefundStatus.SUCCEEDED
                known.stripe_refund_id = known.stripe_refund_id or stripe_id
                known.save(update_fields=["status", "stripe_refund_id"])
                confirmed += 1
            continue
        amount = from_minor_units(int(item.get("amount") or 0), invoice.currency)
        try:
            actions.refund_invoice(
                invoice,
                actor=None,
                amount=amount,
                reason="Refunded at Stripe",
                method=RefundMethod.STRIPE,
                reference=stripe_id,
                stripe_refund_id=stripe_id,
            )
            recorded += 1
        except ActionError as error:
            problems.append(f"{amount} {invoice.currency} ({stripe_id}): {error.errors[0].message}")
        invoice.refresh_from_db()
    if problems:
        return StripeEventOutcome.REVIEW, "Refund not recorded: " + "; ".join(problems)[:400], invoice
    if recorded or confirmed:
        return (
            StripeEventOutcome.APPLIED,
            f"{recorded} refund(s) made at Stripe recorded, {confirmed} confirmed.",
            invoice,
        )
    return (
        StripeEventOutcome.APPLIED if changed else StripeEventOutcome.NO_CHANGE,
        "The ledger already has these refunds.",
        invoice,
    )


def _compare_closing(invoice: Invoice, expected: str, verb: str, changed: bool) -> tuple[str, str, Invoice]:
    if invoice.status == expected:
        return (
            StripeEventOutcome.APPLIED if changed else StripeEventOutcome.NO_CHANGE,
            "The ledger already agrees.",
            invoice,
        )
    return (
        StripeEventOutcome.REVIEW,
        f"{verb.capitalize()} at Stripe while the ledger has it {invoice.get_status_display().lower()}: "
        "change it in the portal or at Stripe.",
        invoice,
    )


def _record_stripe_payment(
    invoice: Invoice, amount_minor: Any, reference: str, paid_at: Any, changed: bool
) -> tuple[str, str, Invoice]:
    """One payment per Stripe invoice (`stripe_payment_id` = the Stripe invoice id, unique),
    never more than the ledger's balance."""
    if amount_minor == 0 and invoice.balance <= 0:
        return StripeEventOutcome.NO_CHANGE, "Nothing was due.", invoice
    if not isinstance(amount_minor, int) or amount_minor <= 0:
        return StripeEventOutcome.REVIEW, "Stripe reports a paid invoice without an amount paid.", invoice
    if Payment.objects.filter(stripe_payment_id=invoice.stripe_invoice_id).exists():
        return (
            (StripeEventOutcome.APPLIED if changed else StripeEventOutcome.NO_CHANGE),
            "Payment already recorded.",
            invoice,
        )
    amount = from_minor_units(amount_minor, invoice.currency)
    if invoice.status not in PAYABLE_STATUSES:
        return (
            StripeEventOutcome.REVIEW,
            f"Paid {amount} {invoice.currency} at Stripe while the ledger has it "
            f"{invoice.get_status_display().lower()}: refund it at Stripe or correct the ledger.",
            invoice,
        )
    balance = invoice.balance
    recorded = min(amount, balance)
    received_on = datetime.fromtimestamp(paid_at, UTC).date() if isinstance(paid_at, int) else now().date()
    # The ledger's one way to take money in (billing.actions): balance, status and history.
    record_payment(
        invoice,
        actor=None,
        amount=recorded,
        method=PaymentMethod.STRIPE,
        reference=reference[:120],
        received_on=received_on,
        stripe_payment_id=invoice.stripe_invoice_id,
    )
    invoice.refresh_from_db()
    if amount > balance:
        return (
            StripeEventOutcome.REVIEW,
            f"Stripe collected {amount} {invoice.currency}, "
            f"{(amount - balance).quantize(quantum(invoice.currency))} more than was due: "
            "refund the difference.",
            invoice,
        )
    return (
        StripeEventOutcome.APPLIED,
        f"Payment of {recorded.quantize(quantum(invoice.currency))} {invoice.currency} recorded.",
        invoice,
    )
