"""Refunds of paid invoices: the ledger (credit note + money back, balance unchanged), typed
errors with nothing written, the refund created at Stripe through the gateway (the stripe
library with an injected HTTP client that records every call), and `charge.refunded`
webhooks applied once however often and in whatever order they arrive."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import stripe
from django.test import Client as HttpClient

from billing import actions, stripe_gateway
from billing.models import (
    BillingProfile,
    CreditNote,
    Invoice,
    InvoiceStatus,
    MrrMonth,
    Refund,
    RefundStatus,
    StripeEvent,
    StripeEventOutcome,
)
from core.errors import ActionError
from core.models import OutboxMessage
from tests.billing.stripe.conftest import WEBHOOK_SECRET, ledger_invoice, post_event, stripe_event
from tests.conftest import World

CUSTOMER = "cus_refunds"


class RecordingStripe(stripe.HTTPClient):
    """Stripe's HTTP layer replaced: answers like Stripe for the calls the gateway makes and
    keeps (method, path, form, idempotency key) of each."""

    name = "recording"

    def __init__(self, invoice_object: dict[str, Any]) -> None:
        super().__init__()
        self.invoice_object = invoice_object
        self.calls: list[tuple[str, str, dict[str, list[str]], str | None]] = []
        self.refunds: dict[str, dict[str, Any]] = {}

    def request(
        self, method: str, url: str, headers: Any, post_data: Any = None, *, _usage: Any = None
    ) -> Any:
        path = urlparse(url).path
        form = parse_qs(post_data or "")
        key = (headers or {}).get("Idempotency-Key")
        self.calls.append((method, path, form, key))
        if method == "get" and path.startswith("/v1/invoices/"):
            return json.dumps(self.invoice_object), 200, {}
        if method == "post" and path == "/v1/refunds":
            if key in self.refunds:  # Stripe answers a known key with the first result
                return json.dumps(self.refunds[key]), 200, {}
            refund = {
                "id": f"re_{len(self.refunds) + 1}",
                "object": "refund",
                "amount": int(form["amount"][0]),
                "status": "succeeded",
                "payment_intent": form.get("payment_intent", [None])[0],
                "metadata": {"portal_refund": form["metadata[portal_refund]"][0]},
            }
            self.refunds[key or refund["id"]] = refund
            return json.dumps(refund), 200, {}
        return json.dumps({"error": {"message": f"unexpected {method} {path}"}}), 404, {}

    def close(self) -> None:
        pass


def paid_invoice(world: World, *, through_stripe: bool) -> Invoice:
    """Issued 1,140.00 + 20 % tax = 1,368.00, paid in full."""
    invoice = ledger_invoice(world.a)
    if through_stripe:
        BillingProfile.objects.filter(client=world.a).update(stripe_customer_id=CUSTOMER)
        Invoice.objects.filter(pk=invoice.pk).update(stripe_invoice_id="in_refund1")
        invoice.refresh_from_db()
        actions.record_payment(
            invoice, actor=None, amount=invoice.total, method="stripe", stripe_payment_id="in_refund1"
        )
    else:
        actions.record_payment(invoice, actor=world.admin, amount=invoice.total)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID and invoice.total == Decimal("1368.00")
    return invoice


def test_a_refund_is_a_credit_note_and_money_back_and_the_balance_stays(world: World) -> None:
    invoice = paid_invoice(world, through_stripe=False)
    mrr_before = list(MrrMonth.objects.values_list("month", "total"))
    refund = actions.refund_invoice(invoice, actor=world.admin, amount="120.00", reason="Outage in March")
    invoice.refresh_from_db()
    assert (invoice.amount_paid, invoice.amount_credited, invoice.amount_refunded) == (
        Decimal("1248.00"),
        Decimal("120.00"),
        Decimal("120.00"),
    )
    assert invoice.balance == 0 and invoice.status == InvoiceStatus.PAID
    note = refund.credit_note
    assert note.number_display.startswith("CN-") and note.total == Decimal("120.00")
    assert (note.amount, note.tax_amount) == (Decimal("100.00"), Decimal("20.00"))  # 20 % split out once
    assert refund.status == RefundStatus.RECORDED and refund.method == "bank_transfer"
    # Everything else back: the invoice ends credited in full, nothing paid, nothing open.
    actions.refund_invoice(invoice, actor=world.admin, amount="1248.00", reason="Contract cancelled")
    invoice.refresh_from_db()
    assert (invoice.amount_paid, invoice.amount_credited, invoice.status) == (
        Decimal(0),
        Decimal("1368.00"),
        InvoiceStatus.CREDITED,
    )
    assert list(MrrMonth.objects.values_list("month", "total")) == mrr_before
    assert not OutboxMessage.objects.filter(
        task="billing.stripe_refund"
    ).exists()  # by hand: nothing to Stripe


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"amount": "abc"}, "INVALID", "amount"),
        ({"amount": "-5"}, "NEGATIVE", "amount"),
        ({"amount": "0"}, "INVALID", "amount"),
        ({"amount": "1.005"}, "INVALID", "amount"),
        ({"amount": "1368.01"}, "REFUND_TOO_LARGE", "amount"),
        ({"reason": " "}, "REQUIRED", "reason"),
        ({"method": "barter"}, "INVALID", "method"),
        ({"method": "stripe"}, "NOT_PAID_THROUGH_STRIPE", "method"),
    ],
)
def test_bad_refunds_are_refused_with_typed_errors_and_write_nothing(
    world: World, fields: dict[str, str], code: str, field: str
) -> None:
    invoice = paid_invoice(world, through_stripe=False)
    notes = CreditNote.objects.count()
    args: dict[str, Any] = {"amount": "10.00", "reason": "Goodwill", **fields}
    with pytest.raises(ActionError) as refused:
        actions.refund_invoice(invoice, actor=world.admin, **args)
    error = refused.value.errors[0]
    if code == "NEGATIVE":
        assert error.code in ("NEGATIVE", "INVALID") and error.field == field
    else:
        assert (error.code, error.field) == (code, field)
    invoice.refresh_from_db()
    assert invoice.amount_paid == invoice.total and invoice.amount_refunded == 0
    assert CreditNote.objects.count() == notes and not Refund.objects.exists()


def test_an_unpaid_invoice_has_nothing_to_refund(world: World) -> None:
    invoice = ledger_invoice(world.a)
    with pytest.raises(ActionError) as refused:
        actions.refund_invoice(invoice, actor=world.admin, amount="1.00", reason="x")
    assert refused.value.errors[0].code == "INVALID_STATE" and not Refund.objects.exists()


def test_a_stripe_refund_is_created_at_stripe_once_after_the_commit(
    world: World, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.STRIPE_API_KEY = "sk_test_refunds"
    invoice = paid_invoice(world, through_stripe=True)
    fake = RecordingStripe({"id": "in_refund1", "object": "invoice", "payment_intent": "pi_refund1"})
    monkeypatch.setattr(
        stripe_gateway,
        "stripe_client",
        lambda: stripe.StripeClient("sk_test_refunds", http_client=fake, max_network_retries=0),
    )
    refund = actions.refund_invoice(
        invoice, actor=world.admin, amount="68.40", reason="Late", method="stripe"
    )
    assert refund.status == RefundStatus.PENDING and refund.stripe_refund_id == ""
    queued = OutboxMessage.objects.get(task="billing.stripe_refund")
    assert queued.args == [refund.pk] and fake.calls == []  # nothing sent inside the transaction
    assert stripe_gateway.push_refund(refund.pk) == "refunded"
    refund.refresh_from_db()
    assert (refund.stripe_refund_id, refund.status) == ("re_1", RefundStatus.SUCCEEDED)
    posted = [call for call in fake.calls if call[0] == "post"]
    assert len(posted) == 1
    _method, path, form, key = posted[0]
    assert path == "/v1/refunds" and key == f"refund-{refund.pk}-create-v1"
    assert form["amount"] == ["6840"] and form["payment_intent"] == ["pi_refund1"]  # minor units
    assert form["metadata[portal_refund]"] == [str(refund.pk)]
    # A redelivered task sends nothing again.
    assert stripe_gateway.push_refund(refund.pk) == "already_sent"
    assert len([call for call in fake.calls if call[0] == "post"]) == 1


@pytest.fixture
def hooks(settings: Any) -> HttpClient:
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_KEY = ""
    return HttpClient()


def refunded_charge(refunds: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "ch_refund1",
        "object": "charge",
        "invoice": "in_refund1",
        "currency": "usd",
        "amount_refunded": sum(r["amount"] for r in refunds),
        "refunds": {"object": "list", "data": refunds},
    }


def test_charge_refunded_records_a_dashboard_refund_once_and_confirms_ours(
    world: World, hooks: HttpClient
) -> None:
    invoice = paid_invoice(world, through_stripe=True)
    ours = actions.refund_invoice(invoice, actor=world.admin, amount="100.00", reason="Ours", method="stripe")
    made_at_stripe = {"id": "re_dash", "amount": 5000, "status": "succeeded", "metadata": {}}
    confirmed = {
        "id": "re_ours",
        "amount": 10000,
        "status": "succeeded",
        "metadata": {"portal_refund": str(ours.pk)},
    }
    event = stripe_event("charge.refunded", refunded_charge([confirmed, made_at_stripe]), event_id="evt_r1")
    for _ in range(3):  # delivered three times
        assert post_event(hooks, event).status_code == 200
    # A second event of the same refunds (another id) changes nothing either.
    later = stripe_event("charge.refunded", refunded_charge([made_at_stripe, confirmed]), event_id="evt_r2")
    assert post_event(hooks, later).status_code == 200
    assert StripeEvent.objects.get(event_id="evt_r1").outcome == StripeEventOutcome.APPLIED
    assert StripeEvent.objects.get(event_id="evt_r2").outcome == StripeEventOutcome.NO_CHANGE
    ours.refresh_from_db()
    assert (ours.stripe_refund_id, ours.status) == ("re_ours", RefundStatus.SUCCEEDED)
    dashboard = Refund.objects.get(stripe_refund_id="re_dash")
    assert dashboard.amount == Decimal("50.00") and dashboard.status == RefundStatus.SUCCEEDED
    invoice.refresh_from_db()
    assert invoice.amount_refunded == Decimal("150.00") and Refund.objects.count() == 2
    assert invoice.amount_paid == Decimal("1218.00") and invoice.balance == 0


def test_a_refund_the_ledger_cannot_take_is_left_for_review(world: World, hooks: HttpClient) -> None:
    invoice = paid_invoice(world, through_stripe=True)
    too_much = {"id": "re_big", "amount": 999_999, "status": "succeeded", "metadata": {}}
    post_event(hooks, stripe_event("charge.refunded", refunded_charge([too_much]), event_id="evt_big"))
    event = StripeEvent.objects.get(event_id="evt_big")
    assert event.outcome == StripeEventOutcome.REVIEW and "re_big" in event.detail
    invoice.refresh_from_db()
    assert invoice.amount_refunded == 0 and not Refund.objects.exists()
