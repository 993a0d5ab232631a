"""The Stripe gateway: pushes issued invoices to Stripe and keeps Stripe in step with the ledger.

The portal's ledger is the source of truth; Stripe only collects the money. Every call here
runs in a Celery task enqueued through the outbox after the issuing transaction committed
(never inside it), and every call carries an idempotency key derived from our ids
(`client-<id>-customer-v1`, `invoice-<id>-create-v1`, `invoice-<id>-line-<line id>-v1`,
`invoice-<id>-tax-v1`, `invoice-<id>-finalize-v1`, `invoice-<id>-void-v1`,
`invoice-<id>-paid-out-of-band-v1`, `invoice-<id>-uncollectible-v1`,
`refund-<id>-create-v1`): a retried task, a task delivered twice or two workers at once
send the same keys, and Stripe answers the first
call's result again instead of doing it twice. Each step also stores what it created
(`stripe_customer_id`, `stripe_invoice_id`, `stripe_hosted_url`) as soon as Stripe answered,
and reads back what Stripe already has before adding lines, so a retry after the 24 hours
Stripe keeps keys for still creates nothing twice.

With no `STRIPE_API_KEY` nothing here is called: `stripe_enabled()` is False, the issue
action enqueues nothing and invoices are paid by hand (docs/billing.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils.timezone import now

from billing.models import BillingProfile, CollectionMethod, Invoice, InvoiceStatus, Refund, RefundStatus
from billing.money import minor_unit

logger = logging.getLogger(__name__)

KEY_VERSION = "v1"


class StripeNotConfigured(RuntimeError):
    """A Stripe call was asked for while no STRIPE_API_KEY is set."""


class StripeLedgerMismatch(RuntimeError):
    """Stripe's draft does not add up to the ledger's invoice: it is not finalized."""


def stripe_enabled() -> bool:
    """True when a Stripe API key is configured (else billing works offline)."""
    return bool(getattr(settings, "STRIPE_API_KEY", ""))


def stripe_client() -> stripe.StripeClient:
    """A client for the configured account and API base (localstripe in tests).

    Stripe's own network retries are left on (it sends the same idempotency key with
    them); our task retries on top of that (`core.tasks`: backoff with jitter)."""
    if not stripe_enabled():
        raise StripeNotConfigured("STRIPE_API_KEY is not set.")
    base = settings.STRIPE_API_BASE or None
    return stripe.StripeClient(
        settings.STRIPE_API_KEY,
        base_addresses={"api": base} if base else None,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT_SECONDS),
        max_network_retries=2,
    )


def idempotency_key(kind: str, object_id: int, step: str, *extra: object) -> str:
    """`<kind>-<id>-<step>[-<extra>...]-v1`: the same call for the same ids always sends the
    same key. Bump KEY_VERSION only when a call's parameters change for good."""
    parts = [kind, str(object_id), step, *(str(part) for part in extra), KEY_VERSION]
    return "-".join(parts)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Decimal amount (already rounded to the minor unit) → Stripe's integer amount."""
    scaled = amount.scaleb(minor_unit(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} is not rounded to the currency's minor unit.")
    return int(scaled)


def from_minor_units(amount: int, currency: str) -> Decimal:
    """Stripe's integer amount → Decimal in the currency's unit."""
    return Decimal(amount).scaleb(-minor_unit(currency.upper()))


def metadata_of(stripe_object: Any) -> dict[str, Any]:
    """A Stripe object's metadata as a plain dict (empty when it has none)."""
    try:
        metadata = stripe_object["metadata"]
    except (KeyError, TypeError):
        return {}
    if hasattr(metadata, "to_dict"):
        return dict(metadata.to_dict())
    return dict(metadata or {})


# --- customers --------------------------------------------------------------------------


def ensure_customer(client: stripe.StripeClient, profile: BillingProfile) -> str:
    """The client's Stripe customer, created the first time it is needed; its id is stored."""
    if profile.stripe_customer_id:
        return profile.stripe_customer_id
    company = profile.client
    params: dict[str, Any] = {
        "name": (profile.legal_name or company.name)[:250],
        "metadata": {"portal_client_id": str(company.pk), "portal_client_slug": company.slug},
    }
    if profile.billing_email:
        params["email"] = profile.billing_email
    customer = client.v1.customers.create(
        params,  # type: ignore[arg-type]
        {"idempotency_key": idempotency_key("client", company.pk, "customer")},
    )
    with transaction.atomic():
        locked = BillingProfile.objects.select_for_update().get(pk=profile.pk)
        if not locked.stripe_customer_id:
            locked.stripe_customer_id = customer.id
            locked.save(update_fields=["stripe_customer_id"])
        profile.stripe_customer_id = locked.stripe_customer_id
    return profile.stripe_customer_id


# --- pushing an issued invoice ----------------------------------------------------------


@dataclass(frozen=True)
class PushResult:
    invoice_id: int
    outcome: str  # "pushed", "already_pushed", "offline", "not_issued"
    stripe_invoice_id: str = ""
    hosted_url: str = ""


def _lines_for_stripe(invoice: Invoice) -> list[tuple[str, str, int]]:
    """(our key, description, amount in minor units) for every line, tax as one more line,
    so that Stripe's total is the ledger's total to the minor unit."""
    currency = invoice.currency
    lines: list[tuple[str, str, int]] = []
    for line in invoice.lines.all().order_by("position", "id"):
        lines.append((f"line-{line.pk}", line.description[:500], to_minor_units(line.amount, currency)))
    if invoice.tax_amount:
        profile = getattr(invoice.client, "billing_profile", None)
        label = (profile.tax_label if profile and profile.tax_label else "Tax") or "Tax"
        lines.append(
            (
                "tax",
                f"{label} {invoice.tax_rate.normalize():f} %",
                to_minor_units(invoice.tax_amount, currency),
            )
        )
    return lines


def _days_until_due(invoice: Invoice, today: date) -> int:
    if invoice.due_on is None:
        return 30
    return max(1, (invoice.due_on - today).days)


def push_invoice(invoice_id: int, *, today: date | None = None) -> PushResult:
    """Create, fill and finalize the Stripe invoice of an issued ledger invoice.

    Steps, each stored or checked before the next, each with its own idempotency key:
    customer → draft invoice (`pending_invoice_items_behavior=exclude`, our ids in metadata)
    → one invoice item per ledger line not yet on the draft (+ tax) → check the draft's
    total equals the ledger's → finalize (charge automatically or send invoice, per
    client) → store the hosted invoice URL (the client portal's "Pay")."""
    if not stripe_enabled():
        return PushResult(invoice_id, "offline")
    invoice = Invoice.objects.select_related("client", "client__billing_profile").get(pk=invoice_id)
    if invoice.status == InvoiceStatus.DRAFT:
        return PushResult(invoice_id, "not_issued")
    if invoice.stripe_invoice_id and invoice.stripe_hosted_url:
        return PushResult(invoice_id, "already_pushed", invoice.stripe_invoice_id, invoice.stripe_hosted_url)
    client = stripe_client()
    profile = BillingProfile.objects.select_related("client").get(client_id=invoice.client_id)
    customer_id = ensure_customer(client, profile)
    currency = invoice.currency.lower()
    today = today or now().date()
    charge = invoice.collection_method == CollectionMethod.CHARGE_AUTOMATICALLY

    stripe_invoice_id = invoice.stripe_invoice_id
    if not stripe_invoice_id:
        params: dict[str, Any] = {
            "customer": customer_id,
            "currency": currency,
            "collection_method": invoice.collection_method,
            "auto_advance": False,
            "pending_invoice_items_behavior": "exclude",
            "description": f"{invoice.number_display} ({invoice.period_start} – {invoice.period_end})"
            if invoice.period_start
            else invoice.number_display,
            "metadata": {
                "portal_invoice_id": str(invoice.pk),
                "portal_invoice_number": invoice.number_display,
                "portal_client_id": str(invoice.client_id),
            },
        }
        if not charge:
            params["days_until_due"] = _days_until_due(invoice, today)
        created = client.v1.invoices.create(
            params,  # type: ignore[arg-type]
            {"idempotency_key": idempotency_key("invoice", invoice.pk, "create")},
        )
        stripe_invoice_id = _store_stripe_invoice_id(invoice.pk, created.id)

    remote = client.v1.invoices.retrieve(stripe_invoice_id)
    if remote.status == "draft":
        present = {
            metadata_of(item).get("portal_line")
            for item in client.v1.invoices.line_items.list(
                stripe_invoice_id, {"limit": 100}
            ).auto_paging_iter()
        }
        for key, description, amount in _lines_for_stripe(invoice):
            if key in present:
                continue
            client.v1.invoice_items.create(
                {
                    "customer": customer_id,
                    "invoice": stripe_invoice_id,
                    "amount": amount,
                    "currency": currency,
                    "description": description,
                    "metadata": {"portal_invoice_id": str(invoice.pk), "portal_line": key},
                },
                {"idempotency_key": idempotency_key("invoice", invoice.pk, key)},
            )
        remote = client.v1.invoices.retrieve(stripe_invoice_id)
        expected = to_minor_units(invoice.total, invoice.currency)
        if remote.total != expected:
            raise StripeLedgerMismatch(
                f"Stripe draft {stripe_invoice_id} totals {remote.total}, "
                f"the ledger's invoice {invoice.pk} {expected}."
            )
        remote = client.v1.invoices.finalize_invoice(
            stripe_invoice_id,
            {"auto_advance": charge},
            {"idempotency_key": idempotency_key("invoice", invoice.pk, "finalize")},
        )
    hosted_url = remote.hosted_invoice_url or ""
    _store_hosted_url(invoice.pk, stripe_invoice_id, hosted_url)
    # Events that arrived before we knew the Stripe id were stored unmatched: apply them now.
    from billing.webhooks import reprocess_unmatched_events

    reprocess_unmatched_events(stripe_invoice_id)
    return PushResult(invoice_id, "pushed", stripe_invoice_id, hosted_url)


def _store_stripe_invoice_id(invoice_id: int, stripe_invoice_id: str) -> str:
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        if not invoice.stripe_invoice_id:
            invoice.stripe_invoice_id = stripe_invoice_id
            invoice.save(update_fields=["stripe_invoice_id"])
        return invoice.stripe_invoice_id


def _store_hosted_url(invoice_id: int, stripe_invoice_id: str, hosted_url: str) -> None:
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice_id)
        changed = []
        if not invoice.stripe_invoice_id:
            invoice.stripe_invoice_id = stripe_invoice_id
            changed.append("stripe_invoice_id")
        if hosted_url and invoice.stripe_hosted_url != hosted_url:
            invoice.stripe_hosted_url = hosted_url
            changed.append("stripe_hosted_url")
        if changed:
            invoice.save(update_fields=changed)


# --- ledger changes that Stripe must follow --------------------------------------------


def sync_invoice_state(invoice_id: int) -> str:
    """Bring the Stripe invoice in line with a ledger change made in the portal: voided or
    credited in full → void at Stripe; paid by hand → paid out of band; written off →
    uncollectible. Stripe
    states that already agree are left alone. Returns what was done."""
    if not stripe_enabled():
        return "offline"
    invoice = Invoice.objects.get(pk=invoice_id)
    if not invoice.stripe_invoice_id:
        return "not_pushed"
    client = stripe_client()
    remote = client.v1.invoices.retrieve(invoice.stripe_invoice_id)
    status = remote.status
    # Credited in full with nothing paid: nothing is owed, so Stripe's invoice is voided.
    if invoice.status in (InvoiceStatus.VOID, InvoiceStatus.CREDITED) and status in (
        "draft",
        "open",
        "uncollectible",
    ):
        if status == "draft":
            client.v1.invoices.delete(invoice.stripe_invoice_id)
            return "deleted_draft"
        client.v1.invoices.void_invoice(
            invoice.stripe_invoice_id,
            options={"idempotency_key": idempotency_key("invoice", invoice.pk, "void")},
        )
        return "voided"
    if invoice.status == InvoiceStatus.PAID and status in ("open", "uncollectible"):
        client.v1.invoices.pay(
            invoice.stripe_invoice_id,
            {"paid_out_of_band": True},
            {"idempotency_key": idempotency_key("invoice", invoice.pk, "paid-out-of-band")},
        )
        return "paid_out_of_band"
    if invoice.status == InvoiceStatus.UNCOLLECTIBLE and status == "open":
        client.v1.invoices.mark_uncollectible(
            invoice.stripe_invoice_id,
            options={"idempotency_key": idempotency_key("invoice", invoice.pk, "uncollectible")},
        )
        return "marked_uncollectible"
    return "in_step"


def push_refund(refund_id: int) -> str:
    """Create at Stripe a refund recorded in the ledger (`method` stripe): on the payment of
    the Stripe invoice, for the refund's amount in minor units, with our refund and invoice
    ids in the metadata and the key `refund-<id>-create-v1`; Stripe's refund id is stored at
    once. A refund already sent (id stored) is left alone. Returns what was done."""
    if not stripe_enabled():
        return "offline"
    refund = Refund.objects.select_related("invoice").get(pk=refund_id)
    if refund.stripe_refund_id:
        return "already_sent"
    invoice = refund.invoice
    client = stripe_client()
    remote: dict[str, Any] = client.v1.invoices.retrieve(invoice.stripe_invoice_id).to_dict()
    target: dict[str, str] = {}
    payment_intent = remote.get("payment_intent")
    charge = remote.get("charge")
    if not payment_intent and not charge:  # newer API versions list the invoice's payments
        for entry in (remote.get("payments") or {}).get("data") or []:
            paid_with = entry.get("payment") or {}
            payment_intent = paid_with.get("payment_intent") or payment_intent
            charge = paid_with.get("charge") or charge
    if payment_intent:
        target["payment_intent"] = payment_intent if isinstance(payment_intent, str) else payment_intent["id"]
    elif charge:
        target["charge"] = charge if isinstance(charge, str) else charge["id"]
    else:
        raise StripeLedgerMismatch(f"Stripe invoice {invoice.stripe_invoice_id} has no payment to refund.")
    params: Any = {
        **target,
        "amount": to_minor_units(refund.amount, invoice.currency),
        "reason": "requested_by_customer",
        "metadata": {"portal_refund": str(refund.pk), "portal_invoice": str(invoice.pk)},
    }
    created = client.v1.refunds.create(
        params, {"idempotency_key": idempotency_key("refund", refund.pk, "create")}
    )
    status = RefundStatus.SUCCEEDED if created.status == "succeeded" else RefundStatus.PENDING
    if created.status in ("failed", "canceled"):
        status = RefundStatus.FAILED
    Refund.objects.filter(pk=refund.pk, stripe_refund_id="").update(
        stripe_refund_id=created.id, status=status
    )
    return "refunded"


# --- what billing's actions call inside their transactions ------------------------------


def enqueue_refund(refund: Refund) -> int | None:
    """From the transaction that records a Stripe refund: create it at Stripe after the
    commit (outbox; once per refund). Nothing when Stripe is not configured."""
    if not stripe_enabled():
        return None
    from core.tasks import enqueue_on_commit

    return enqueue_on_commit("billing.stripe_refund", refund.pk, dedupe_key=f"stripe-refund-{refund.pk}")


def enqueue_push(invoice: Invoice) -> int | None:
    """From the transaction that issues `invoice`: push it to Stripe after the commit
    (outbox; once per invoice). Nothing when Stripe is not configured."""
    if not stripe_enabled():
        return None
    from core.tasks import enqueue_on_commit

    return enqueue_on_commit(
        "billing.stripe_push_invoice", invoice.pk, dedupe_key=f"stripe-push-invoice-{invoice.pk}"
    )


def enqueue_sync(invoice: Invoice) -> int | None:
    """From the transaction that voids, settles or writes off a pushed invoice: make the
    Stripe invoice follow after the commit (once per invoice and resulting status)."""
    if not stripe_enabled() or not invoice.stripe_invoice_id:
        return None
    from core.tasks import enqueue_on_commit

    return enqueue_on_commit(
        "billing.stripe_sync_invoice",
        invoice.pk,
        dedupe_key=f"stripe-sync-invoice-{invoice.pk}-{invoice.status}",
    )
