"""Celery tasks of the Stripe gateway: thin wrappers around `billing.stripe_gateway` and
`billing.reconciliation`. All are system tasks (billing lives in the public schema), sent
through the outbox after the transaction that decided them committed.

Retries: besides the project's transient errors, Stripe's "try again" answers (no
connection, rate limited, a 5xx) are retried with the same backoff. The gateway's steps are
idempotent (stored ids + idempotency keys), so a retry never pushes or charges twice.
Stripe's refusals (bad request, authentication, card errors) and a draft that does not add
up to the ledger fail at once and are logged.
"""

from __future__ import annotations

import stripe
from celery import shared_task

from billing import reconciliation, stripe_gateway
from core.tasks import TRANSIENT_ERRORS, SystemTask

STRIPE_TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    *TRANSIENT_ERRORS,
    stripe.APIConnectionError,
    stripe.RateLimitError,
    stripe.APIError,
)


class StripeTask(SystemTask):
    """A system task that also retries Stripe's transient errors."""

    abstract = True
    autoretry_for = STRIPE_TRANSIENT_ERRORS


@shared_task(name="billing.stripe_push_invoice", base=StripeTask)
def push_invoice_task(invoice_id: int) -> dict[str, object]:
    """Create and finalize the Stripe invoice of an issued invoice (enqueued at issue)."""
    result = stripe_gateway.push_invoice(invoice_id)
    return {"invoice": invoice_id, "outcome": result.outcome, "stripe_invoice": result.stripe_invoice_id}


@shared_task(name="billing.stripe_sync_invoice", base=StripeTask)
def sync_invoice_task(invoice_id: int) -> dict[str, object]:
    """Make Stripe follow a ledger change (void, paid by hand, written off)."""
    return {"invoice": invoice_id, "outcome": stripe_gateway.sync_invoice_state(invoice_id)}


@shared_task(name="billing.stripe_refund", base=StripeTask)
def refund_task(refund_id: int) -> dict[str, object]:
    """Create at Stripe a refund recorded in the ledger (enqueued by refund_invoice)."""
    return {"refund": refund_id, "outcome": stripe_gateway.push_refund(refund_id)}


@shared_task(name="billing.stripe_reconcile", base=StripeTask)
def reconcile_task(report_id: int | None = None) -> dict[str, object]:
    """Beat, nightly (and on an admin's request): compare Stripe with the ledger."""
    report = reconciliation.run_reconciliation(report_id)
    if report is None:
        return {"outcome": "offline"}
    return {"reconciliation": report.pk, "status": report.status, "differences": report.difference_count}
