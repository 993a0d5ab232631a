"""The localstripe server the Stripe tests rely on: it runs on loopback and behaves like
Stripe where the gateway depends on it (idempotency keys, finalize, hosted invoice page)."""

from __future__ import annotations

import pytest
import stripe

from tests.billing.stripe.conftest import LocalStripe


def test_localstripe_replays_an_idempotent_request_and_records_its_key(localstripe: LocalStripe) -> None:
    localstripe.clear_requests()
    client = localstripe.client()
    first = client.v1.customers.create({"name": "Acme"}, {"idempotency_key": "fixture-customer-1"})
    again = client.v1.customers.create({"name": "Acme"}, {"idempotency_key": "fixture-customer-1"})
    assert first.id == again.id
    assert localstripe.base.startswith("http://127.0.0.1:")
    keys = [(r["method"], r["path"], r["idempotency_key"]) for r in localstripe.requests()]
    assert keys == [("POST", "/v1/customers", "fixture-customer-1")] * 2


def test_localstripe_refuses_a_key_reused_with_other_parameters(localstripe: LocalStripe) -> None:
    client = localstripe.client()
    client.v1.customers.create({"name": "One"}, {"idempotency_key": "fixture-customer-2"})
    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.create({"name": "Two"}, {"idempotency_key": "fixture-customer-2"})


def test_finalized_invoice_has_a_hosted_page(localstripe: LocalStripe) -> None:
    client = localstripe.client()
    customer = client.v1.customers.create({"name": "Hosted"})
    client.v1.invoice_items.create({"customer": customer.id, "amount": 1000, "currency": "usd"})
    invoice = client.v1.invoices.create(
        {"customer": customer.id, "collection_method": "send_invoice", "days_until_due": 14}
    )
    assert invoice.status == "draft" and invoice.hosted_invoice_url is None
    invoice = client.v1.invoices.finalize_invoice(invoice.id)
    assert invoice.status == "open"
    assert invoice.hosted_invoice_url == f"{localstripe.base}/hosted/invoices/{invoice.id}"
    paid = client.v1.invoices.pay(invoice.id, {"paid_out_of_band": True})
    assert (paid.status, paid.amount_paid) == ("paid", 1000)


def test_items_added_to_an_empty_draft_like_stripe(localstripe: LocalStripe) -> None:
    client = localstripe.client()
    customer = client.v1.customers.create({"name": "Items"})
    client.v1.invoice_items.create({"customer": customer.id, "amount": 999, "currency": "usd"})  # pending
    invoice = client.v1.invoices.create(
        {
            "customer": customer.id,
            "currency": "gbp",
            "pending_invoice_items_behavior": "exclude",
            "collection_method": "charge_automatically",
        }
    )
    assert invoice.total == 0
    client.v1.invoice_items.create(
        {"customer": customer.id, "invoice": invoice.id, "amount": 1500, "currency": "gbp"}
    )
    client.v1.invoice_items.create(
        {"customer": customer.id, "invoice": invoice.id, "amount": -200, "currency": "gbp"}
    )
    invoice = client.v1.invoices.retrieve(invoice.id)
    assert (invoice.total, invoice.currency, len(invoice.lines.data)) == (1300, "gbp", 2)
