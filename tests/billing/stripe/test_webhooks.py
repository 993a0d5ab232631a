"""POST /api/stripe/webhook: verified, stored once by event id, processed once, correct in
any order; unknown invoices stored and flagged, never applied."""

from __future__ import annotations

import json
import time
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client as HttpClient

from billing.models import (
    BillingProfile,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    StripeEvent,
    StripeEventOutcome,
)
from tests.billing.stripe.conftest import (
    WEBHOOK_SECRET,
    invoice_object,
    ledger_invoice,
    post_event,
    sign,
    stripe_event,
)
from tests.conftest import World

CUSTOMER = "cus_webhooktest"


@pytest.fixture
def hooks(settings: Any) -> HttpClient:
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_KEY = ""  # webhooks need no API key: nothing calls Stripe here
    return HttpClient()


@pytest.fixture
def pushed(world: World) -> Invoice:
    """An issued invoice the gateway has pushed (its Stripe ids stored)."""
    invoice = ledger_invoice(world.a)
    BillingProfile.objects.filter(client=world.a).update(stripe_customer_id=CUSTOMER)
    Invoice.objects.filter(pk=invoice.pk).update(
        stripe_invoice_id="in_pushed1", stripe_hosted_url="https://invoice.stripe.test/i/in_pushed1"
    )
    invoice.refresh_from_db()
    return invoice


def paid_event(invoice: Invoice, **kwargs: Any) -> dict[str, Any]:
    return stripe_event(
        "invoice.paid",
        invoice_object(invoice, status="paid", stripe_id="in_pushed1", customer=CUSTOMER, paid=True),
        **kwargs,
    )


def finalized_event(invoice: Invoice, **kwargs: Any) -> dict[str, Any]:
    return stripe_event(
        "invoice.finalized",
        invoice_object(invoice, status="open", stripe_id="in_pushed1", customer=CUSTOMER),
        **kwargs,
    )


# --- signature -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "t=1,v1=00",
        sign("{}", WEBHOOK_SECRET),  # signed, but over another body
        sign("PAYLOAD", "whsec_someone_else"),
        "garbage",
    ],
)
def test_a_bad_signature_is_400_and_nothing_is_stored(
    hooks: HttpClient, pushed: Invoice, signature: str
) -> None:
    event = paid_event(pushed)
    payload = json.dumps(event)
    if signature == sign("PAYLOAD", "whsec_someone_else"):
        signature = sign(payload, "whsec_someone_else")
    response = hooks.post(
        "/api/stripe/webhook", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert response.status_code == 400
    assert "Traceback" not in response.content.decode()
    assert StripeEvent.objects.count() == 0
    assert not Payment.objects.filter(invoice=pushed).exists()


def test_a_missing_signature_header_is_400(hooks: HttpClient, pushed: Invoice) -> None:
    response = hooks.post(
        "/api/stripe/webhook", data=json.dumps(paid_event(pushed)), content_type="application/json"
    )
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_a_replayed_old_signature_is_refused(hooks: HttpClient, pushed: Invoice) -> None:
    event = paid_event(pushed)
    payload = json.dumps(event)
    stale = sign(payload, timestamp=int(time.time()) - 301)
    response = hooks.post(
        "/api/stripe/webhook", data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=stale
    )
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps([1, 2]),
        json.dumps({"id": "evt_1", "type": "invoice.paid"}),
        json.dumps({"id": "", "type": "invoice.paid", "data": {"object": {}}}),
        json.dumps({"id": "evt_\u0000", "type": "invoice.paid", "data": {"object": {}}}),
        json.dumps({"id": "e" * 300, "type": "invoice.paid", "data": {"object": {}}}),
    ],
)
def test_a_signed_body_that_is_no_event_is_400(hooks: HttpClient, world: World, body: str) -> None:
    response = hooks.post(
        "/api/stripe/webhook", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body)
    )
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_without_a_webhook_secret_the_endpoint_is_off(settings: Any, world: World) -> None:
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = json.dumps(stripe_event("invoice.paid", {"id": "in_x"}))
    response = HttpClient().post(
        "/api/stripe/webhook",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload),
    )
    assert response.status_code == 404
    assert StripeEvent.objects.count() == 0


def test_only_post_is_accepted(hooks: HttpClient, world: World) -> None:
    assert hooks.get("/api/stripe/webhook").status_code == 405


# --- storing and applying ------------------------------------------------------------------


def test_invoice_paid_records_one_stripe_payment(hooks: HttpClient, pushed: Invoice) -> None:
    response = post_event(hooks, paid_event(pushed, event_id="evt_paid_1"))
    assert response.status_code == 200
    assert response.json() == {"received": True, "outcome": "applied"}
    pushed.refresh_from_db()
    assert pushed.status == InvoiceStatus.PAID
    assert pushed.amount_paid == pushed.total == Decimal("1368.00")
    payment = Payment.objects.get(invoice=pushed)
    assert (payment.amount, payment.method, payment.stripe_payment_id) == (
        Decimal("1368.00"),
        PaymentMethod.STRIPE,
        "in_pushed1",
    )
    event = StripeEvent.objects.get(event_id="evt_paid_1")
    assert (event.outcome, event.invoice_id, event.client_id, event.deliveries) == (
        StripeEventOutcome.APPLIED,
        pushed.pk,
        pushed.client_id,
        1,
    )


def test_the_same_event_delivered_again_changes_nothing(hooks: HttpClient, pushed: Invoice) -> None:
    event = paid_event(pushed, event_id="evt_paid_twice")
    for _ in range(3):
        assert post_event(hooks, event).status_code == 200
    assert Payment.objects.filter(invoice=pushed).count() == 1
    stored = StripeEvent.objects.get(event_id="evt_paid_twice")
    assert stored.deliveries == 3
    assert stored.outcome == StripeEventOutcome.APPLIED


def test_paid_before_finalized_ends_paid_with_the_pay_link(hooks: HttpClient, pushed: Invoice) -> None:
    Invoice.objects.filter(pk=pushed.pk).update(stripe_hosted_url="")
    post_event(hooks, paid_event(pushed))
    post_event(hooks, finalized_event(pushed))  # late, says "open"
    pushed.refresh_from_db()
    assert pushed.status == InvoiceStatus.PAID
    assert pushed.stripe_hosted_url == "https://invoice.stripe.test/i/in_pushed1"
    assert Payment.objects.filter(invoice=pushed).count() == 1


def test_every_paid_signal_of_one_invoice_is_one_payment(hooks: HttpClient, pushed: Invoice) -> None:
    obj = invoice_object(pushed, status="paid", stripe_id="in_pushed1", customer=CUSTOMER, paid=True)
    post_event(hooks, stripe_event("invoice.payment_succeeded", obj))
    post_event(hooks, stripe_event("invoice.paid", obj))
    intent = {
        "id": "pi_for_in_pushed1",
        "object": "payment_intent",
        "invoice": "in_pushed1",
        "amount_received": obj["amount_paid"],
        "currency": "usd",
        "created": int(time.time()),
    }
    post_event(hooks, stripe_event("payment_intent.succeeded", intent))
    assert Payment.objects.filter(invoice=pushed).count() == 1
    pushed.refresh_from_db()
    assert pushed.amount_paid == pushed.total


def test_an_event_for_an_unknown_invoice_is_stored_flagged_not_applied(
    hooks: HttpClient, pushed: Invoice
) -> None:
    obj = invoice_object(pushed, status="paid", stripe_id="in_somebody_else", customer="cus_other", paid=True)
    obj["metadata"] = {}
    response = post_event(hooks, stripe_event("invoice.paid", obj, event_id="evt_unknown"))
    assert response.status_code == 200
    event = StripeEvent.objects.get(event_id="evt_unknown")
    assert event.outcome == StripeEventOutcome.UNMATCHED
    assert event.invoice_id is None
    assert "in_somebody_else" in event.detail
    assert not Payment.objects.exists()
    pushed.refresh_from_db()
    assert pushed.status == InvoiceStatus.ISSUED


def test_metadata_naming_our_invoice_with_another_customer_is_not_applied(
    hooks: HttpClient, world: World
) -> None:
    invoice = ledger_invoice(world.a)
    BillingProfile.objects.filter(client=world.a).update(stripe_customer_id=CUSTOMER)
    obj = invoice_object(invoice, status="paid", stripe_id="in_forged", customer="cus_not_alpha", paid=True)
    post_event(hooks, stripe_event("invoice.paid", obj, event_id="evt_forged"))
    assert StripeEvent.objects.get(event_id="evt_forged").outcome == StripeEventOutcome.UNMATCHED
    invoice.refresh_from_db()
    assert (invoice.status, invoice.stripe_invoice_id) == (InvoiceStatus.ISSUED, "")


def test_an_event_before_the_push_stored_the_stripe_id_is_matched_by_our_metadata(
    hooks: HttpClient, world: World
) -> None:
    invoice = ledger_invoice(world.a)
    BillingProfile.objects.filter(client=world.a).update(stripe_customer_id=CUSTOMER)
    obj = invoice_object(invoice, status="paid", stripe_id="in_early", customer=CUSTOMER, paid=True)
    post_event(hooks, stripe_event("invoice.paid", obj))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.stripe_invoice_id) == (InvoiceStatus.PAID, "in_early")


def test_unmatched_events_are_applied_once_the_stripe_id_is_known(hooks: HttpClient, pushed: Invoice) -> None:
    from billing.webhooks import reprocess_unmatched_events

    intent = {
        "id": "pi_early",
        "object": "payment_intent",
        "invoice": "in_later",
        "amount_received": 136800,
        "currency": "usd",
    }
    post_event(hooks, stripe_event("payment_intent.succeeded", intent, event_id="evt_pi_early"))
    assert StripeEvent.objects.get(event_id="evt_pi_early").outcome == StripeEventOutcome.UNMATCHED
    Invoice.objects.filter(pk=pushed.pk).update(stripe_invoice_id="in_later")
    assert reprocess_unmatched_events("in_later") == 1
    assert reprocess_unmatched_events("in_later") == 0
    pushed.refresh_from_db()
    assert pushed.status == InvoiceStatus.PAID
    assert StripeEvent.objects.get(event_id="evt_pi_early").outcome == StripeEventOutcome.APPLIED


@pytest.mark.parametrize(
    ("event_type", "stripe_status"),
    [("invoice.voided", "void"), ("invoice.marked_uncollectible", "uncollectible")],
)
def test_a_void_or_write_off_made_at_stripe_is_flagged_for_review_not_applied(
    hooks: HttpClient, pushed: Invoice, event_type: str, stripe_status: str
) -> None:
    obj = invoice_object(pushed, status=stripe_status, stripe_id="in_pushed1", customer=CUSTOMER)
    post_event(hooks, stripe_event(event_type, obj, event_id="evt_closing"))
    event = StripeEvent.objects.get(event_id="evt_closing")
    assert event.outcome == StripeEventOutcome.REVIEW
    pushed.refresh_from_db()
    assert pushed.status == InvoiceStatus.ISSUED


def test_a_void_echoing_the_ledger_changes_nothing(hooks: HttpClient, pushed: Invoice) -> None:
    Invoice.objects.filter(pk=pushed.pk).update(status=InvoiceStatus.VOID)
    obj = invoice_object(pushed, status="void", stripe_id="in_pushed1", customer=CUSTOMER)
    post_event(hooks, stripe_event("invoice.voided", obj, event_id="evt_void_echo"))
    assert StripeEvent.objects.get(event_id="evt_void_echo").outcome == StripeEventOutcome.NO_CHANGE


def test_a_stripe_payment_after_a_manual_one_records_only_the_balance_and_flags_it(
    hooks: HttpClient, pushed: Invoice
) -> None:
    Payment.objects.create(
        invoice=pushed, client_id=pushed.client_id, amount=Decimal("1000.00"), received_on=date(2026, 12, 2)
    )
    Invoice.objects.filter(pk=pushed.pk).update(
        amount_paid=Decimal("1000.00"), status=InvoiceStatus.PARTIALLY_PAID
    )
    post_event(hooks, paid_event(pushed, event_id="evt_over"))
    pushed.refresh_from_db()
    assert pushed.status == InvoiceStatus.PAID
    assert pushed.amount_paid == pushed.total
    assert Payment.objects.get(stripe_payment_id="in_pushed1").amount == Decimal("368.00")
    event = StripeEvent.objects.get(event_id="evt_over")
    assert event.outcome == StripeEventOutcome.REVIEW
    assert "1000.00 more than was due" in event.detail


def test_a_refund_is_flagged_for_a_credit_note(hooks: HttpClient, pushed: Invoice) -> None:
    charge = {
        "id": "ch_1",
        "object": "charge",
        "invoice": "in_pushed1",
        "amount_refunded": 5000,
        "currency": "usd",
    }
    post_event(hooks, stripe_event("charge.refunded", charge, event_id="evt_refund"))
    event = StripeEvent.objects.get(event_id="evt_refund")
    assert event.outcome == StripeEventOutcome.REVIEW
    assert "50.00 USD refunded" in event.detail


def test_events_billing_does_not_use_are_stored_and_ignored(hooks: HttpClient, world: World) -> None:
    post_event(
        hooks, stripe_event("customer.created", {"id": "cus_1", "object": "customer"}, event_id="evt_cus")
    )
    assert StripeEvent.objects.get(event_id="evt_cus").outcome == StripeEventOutcome.IGNORED


def test_a_processing_failure_keeps_the_event_and_asks_stripe_to_deliver_again(
    hooks: HttpClient, pushed: Invoice, monkeypatch: pytest.MonkeyPatch
) -> None:
    from billing import webhooks

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database said something secret")

    monkeypatch.setattr(webhooks, "_record_stripe_payment", broken)
    event = paid_event(pushed, event_id="evt_retry")
    response = post_event(hooks, event)
    assert response.status_code == 500
    assert "secret" not in response.content.decode()
    stored = StripeEvent.objects.get(event_id="evt_retry")
    assert (stored.outcome, stored.processed_at) == (StripeEventOutcome.FAILED, None)
    assert not Payment.objects.exists()
    monkeypatch.undo()
    assert post_event(hooks, event).status_code == 200
    stored.refresh_from_db()
    assert (stored.outcome, stored.deliveries) == (StripeEventOutcome.APPLIED, 2)
    assert Payment.objects.filter(invoice=pushed).count() == 1


def test_a_currency_mismatch_is_flagged(hooks: HttpClient, pushed: Invoice) -> None:
    obj = invoice_object(pushed, status="paid", stripe_id="in_pushed1", customer=CUSTOMER, paid=True)
    obj["currency"] = "eur"
    post_event(hooks, stripe_event("invoice.paid", obj, event_id="evt_eur"))
    assert StripeEvent.objects.get(event_id="evt_eur").outcome == StripeEventOutcome.REVIEW
    assert not Payment.objects.exists()


def test_a_payment_before_any_invoice_event_is_applied_once_the_invoice_is_recognised(
    hooks: HttpClient, world: World
) -> None:
    """payment_intent.succeeded names only the Stripe invoice id; the push has not stored it.
    The later invoice.finalized is matched by our metadata and brings the payment in."""
    invoice = ledger_invoice(world.a)
    BillingProfile.objects.filter(client=world.a).update(stripe_customer_id=CUSTOMER)
    intent = {"id": "pi_first", "object": "payment_intent", "invoice": "in_first", "amount_received": 136800}
    post_event(hooks, stripe_event("payment_intent.succeeded", intent, event_id="evt_pi_first"))
    assert StripeEvent.objects.get(event_id="evt_pi_first").outcome == StripeEventOutcome.UNMATCHED
    finalized = invoice_object(invoice, status="open", stripe_id="in_first", customer=CUSTOMER)
    post_event(hooks, stripe_event("invoice.finalized", finalized, event_id="evt_fin_later"))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.stripe_invoice_id) == (InvoiceStatus.PAID, "in_first")
    assert StripeEvent.objects.get(event_id="evt_pi_first").outcome == StripeEventOutcome.APPLIED
    assert Payment.objects.filter(invoice=invoice).count() == 1
