"""The gateway against a real Stripe-compatible server (localstripe on loopback): customers,
pushed invoices, idempotency keys on every call, retries that do nothing twice, offline mode."""

from __future__ import annotations

import json
from typing import Any

import pytest
import stripe

from billing import stripe_gateway
from billing.models import BillingProfile, Invoice, InvoiceStatus, Payment, StripeEvent
from core.models import OutboxMessage
from tests.billing.stripe.conftest import LocalStripe, ledger_invoice, post_event
from tests.conftest import World


def posts(localstripe: LocalStripe) -> list[tuple[str, str | None]]:
    return [(r["path"], r["idempotency_key"]) for r in localstripe.requests() if r["method"] == "POST"]


def test_offline_nothing_calls_stripe_and_nothing_is_queued(
    settings: Any, world: World, localstripe: LocalStripe
) -> None:
    settings.STRIPE_API_KEY = ""
    settings.STRIPE_API_BASE = localstripe.base
    localstripe.clear_requests()
    invoice = ledger_invoice(world.a)
    assert stripe_gateway.stripe_enabled() is False
    assert stripe_gateway.enqueue_push(invoice) is None
    assert stripe_gateway.push_invoice(invoice.pk).outcome == "offline"
    assert stripe_gateway.sync_invoice_state(invoice.pk) == "offline"
    assert not OutboxMessage.objects.filter(task__startswith="billing.stripe").exists()
    assert localstripe.requests() == []
    with pytest.raises(stripe_gateway.StripeNotConfigured):
        stripe_gateway.stripe_client()


def test_issuing_queues_one_push_through_the_outbox(stripe_settings: LocalStripe, world: World) -> None:
    invoice = ledger_invoice(world.a)
    first = stripe_gateway.enqueue_push(invoice)
    again = stripe_gateway.enqueue_push(invoice)
    assert first is not None and again is None
    message = OutboxMessage.objects.get(pk=first)
    assert (message.task, message.args, message.schema_name) == (
        "billing.stripe_push_invoice",
        [invoice.pk],
        "public",
    )
    # Nothing was sent to Stripe inside the transaction.
    assert stripe_settings.requests() == []


def test_push_creates_customer_and_finalized_invoice_with_every_line(
    stripe_settings: LocalStripe, world: World
) -> None:
    invoice = ledger_invoice(world.a)
    result = stripe_gateway.push_invoice(invoice.pk)
    assert result.outcome == "pushed"
    invoice.refresh_from_db()
    profile = BillingProfile.objects.get(client=world.a)
    assert profile.stripe_customer_id.startswith("cus_")
    assert invoice.stripe_invoice_id == result.stripe_invoice_id
    assert invoice.stripe_hosted_url == f"{stripe_settings.base}/hosted/invoices/{invoice.stripe_invoice_id}"

    remote = stripe_settings.client().v1.invoices.retrieve(invoice.stripe_invoice_id)
    assert (remote.status, remote.total, remote.currency, remote.customer) == (
        "open",
        136800,  # 1200.00 − 60.00 SLA credit + 20 % tax on 1140.00
        "usd",
        profile.stripe_customer_id,
    )
    assert remote.collection_method == "send_invoice"
    assert stripe_gateway.metadata_of(remote)["portal_invoice_id"] == str(invoice.pk)
    lines = stripe_settings.client().v1.invoices.line_items.list(invoice.stripe_invoice_id).data
    assert [(line.description, line.amount) for line in lines] == [
        ("Managed seats", 120000),
        ("SLA credit", -6000),
        ("Tax 20 %", 22800),
    ]


def test_every_stripe_call_carries_a_key_derived_from_our_ids(
    stripe_settings: LocalStripe, world: World
) -> None:
    invoice = ledger_invoice(world.a)
    stripe_gateway.push_invoice(invoice.pk)
    line_ids = list(invoice.lines.order_by("position").values_list("pk", flat=True))
    stripe_id = Invoice.objects.get(pk=invoice.pk).stripe_invoice_id
    assert posts(stripe_settings) == [
        ("/v1/customers", f"client-{world.a.pk}-customer-v1"),
        ("/v1/invoices", f"invoice-{invoice.pk}-create-v1"),
        ("/v1/invoiceitems", f"invoice-{invoice.pk}-line-{line_ids[0]}-v1"),
        ("/v1/invoiceitems", f"invoice-{invoice.pk}-line-{line_ids[1]}-v1"),
        ("/v1/invoiceitems", f"invoice-{invoice.pk}-tax-v1"),
        (f"/v1/invoices/{stripe_id}/finalize", f"invoice-{invoice.pk}-finalize-v1"),
    ]
    # GETs carry none (Stripe ignores them there); every POST carries ours.
    assert all(key for _, key in posts(stripe_settings))


def test_a_second_invoice_reuses_the_customer(stripe_settings: LocalStripe, world: World) -> None:
    first = ledger_invoice(world.a)
    second = ledger_invoice(world.a)
    stripe_gateway.push_invoice(first.pk)
    stripe_gateway.push_invoice(second.pk)
    customers = [path for path, _ in posts(stripe_settings) if path == "/v1/customers"]
    assert len(customers) == 1


def test_pushing_again_does_nothing(stripe_settings: LocalStripe, world: World) -> None:
    invoice = ledger_invoice(world.a)
    stripe_gateway.push_invoice(invoice.pk)
    stripe_settings.clear_requests()
    assert stripe_gateway.push_invoice(invoice.pk).outcome == "already_pushed"
    assert stripe_settings.requests() == []


def test_drafts_are_never_pushed(stripe_settings: LocalStripe, world: World) -> None:
    invoice = ledger_invoice(world.a)
    Invoice.objects.filter(pk=invoice.pk).update(status=InvoiceStatus.DRAFT, number=None)
    assert stripe_gateway.push_invoice(invoice.pk).outcome == "not_issued"
    assert stripe_settings.requests() == []


def test_a_crash_after_stripe_answered_creates_nothing_twice(
    stripe_settings: LocalStripe, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker dies after Stripe created the invoice but before we stored its id, then
    again after the lines were added but before finalizing: the retries replay the same
    keys (Stripe answers the first result) and read back the lines already there."""
    invoice = ledger_invoice(world.a)
    original_store = stripe_gateway._store_stripe_invoice_id

    def crash_before_storing(*args: Any) -> str:
        raise ConnectionError("worker lost its database connection")

    monkeypatch.setattr(stripe_gateway, "_store_stripe_invoice_id", crash_before_storing)
    with pytest.raises(ConnectionError):
        stripe_gateway.push_invoice(invoice.pk)
    monkeypatch.setattr(stripe_gateway, "_store_stripe_invoice_id", original_store)

    client = stripe_gateway.stripe_client()
    original_finalize = client.v1.invoices.finalize_invoice
    calls = {"finalize": 0}

    def flaky_finalize(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls["finalize"] += 1
        if calls["finalize"] == 1:
            raise stripe.APIConnectionError("connection reset")
        return original_finalize(*args, **kwargs)

    monkeypatch.setattr(stripe.InvoiceService, "finalize_invoice", flaky_finalize)
    with pytest.raises(stripe.APIConnectionError):
        stripe_gateway.push_invoice(invoice.pk)
    assert stripe_gateway.push_invoice(invoice.pk).outcome == "pushed"

    invoice.refresh_from_db()
    customer = BillingProfile.objects.get(client=world.a).stripe_customer_id
    # The customer is the session's (its key replays across tests); look at this invoice's.
    at_stripe = [
        i
        for i in stripe_settings.client().v1.invoices.list({"customer": customer, "limit": 100}).data
        if stripe_gateway.metadata_of(i).get("portal_invoice_id") == str(invoice.pk)
    ]
    assert [i.id for i in at_stripe] == [invoice.stripe_invoice_id]
    assert at_stripe[0].total == 136800
    assert len(stripe_settings.client().v1.invoices.line_items.list(invoice.stripe_invoice_id).data) == 3
    creates = [key for path, key in posts(stripe_settings) if path == "/v1/invoices"]
    assert creates == [f"invoice-{invoice.pk}-create-v1"] * 2  # the retry replayed the same key


def test_charge_automatically_collects_once_and_the_webhook_records_it_once(
    stripe_settings: LocalStripe, world: World, client: Any, settings: Any
) -> None:
    """A client paying by card: Stripe charges the saved card; retried pay calls (same key)
    and the paid events delivered twice still make one charge and one payment."""
    from tests.billing.stripe.conftest import WEBHOOK_SECRET

    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    invoice = ledger_invoice(world.a, collection_method="charge_automatically")
    stripe_gateway.push_invoice(invoice.pk)
    invoice.refresh_from_db()
    customer = BillingProfile.objects.get(client=world.a).stripe_customer_id
    dashboard = stripe_settings.client()
    card = dashboard.v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    dashboard.v1.payment_methods.attach(card.id, {"customer": customer})
    dashboard.v1.customers.update(customer, {"invoice_settings": {"default_payment_method": card.id}})
    remote = dashboard.v1.invoices.retrieve(invoice.stripe_invoice_id)
    assert (remote.collection_method, remote.auto_advance) == ("charge_automatically", True)
    for _ in range(2):  # Stripe's automatic attempt, and a retry of it with the same key
        dashboard.v1.invoices.pay(invoice.stripe_invoice_id, options={"idempotency_key": "auto-attempt-1"})
    assert len(dashboard.v1.charges.list({"customer": customer}).data) == 1

    events = [
        e.to_dict()
        for e in dashboard.v1.events.list({"limit": 100}).data
        if e.type in ("invoice.paid", "invoice.payment_succeeded", "payment_intent.succeeded")
    ]
    assert {e["type"] for e in events} == {
        "invoice.paid",
        "invoice.payment_succeeded",
        "payment_intent.succeeded",
    }
    for event in events + events:
        event = json.loads(json.dumps(event))
        assert post_event(client, event).status_code == 200
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.PAID
    assert list(Payment.objects.filter(invoice=invoice).values_list("amount", "reference")) == [
        (
            invoice.total,
            dashboard.v1.invoices.retrieve(invoice.stripe_invoice_id).to_dict()["payment_intent"],
        )
    ]
    assert StripeEvent.objects.filter(deliveries=2).count() == len(events)


def test_ledger_void_and_manual_settlement_follow_at_stripe(
    stripe_settings: LocalStripe, world: World
) -> None:
    voided, settled = ledger_invoice(world.a), ledger_invoice(world.a)
    for invoice in (voided, settled):
        stripe_gateway.push_invoice(invoice.pk)
    Invoice.objects.filter(pk=voided.pk).update(status=InvoiceStatus.VOID)
    Invoice.objects.filter(pk=settled.pk).update(status=InvoiceStatus.PAID, amount_paid=settled.total)
    assert stripe_gateway.sync_invoice_state(voided.pk) == "voided"
    assert stripe_gateway.sync_invoice_state(settled.pk) == "paid_out_of_band"
    assert stripe_gateway.sync_invoice_state(voided.pk) == "in_step"
    assert stripe_gateway.sync_invoice_state(settled.pk) == "in_step"
    dashboard = stripe_settings.client()
    voided.refresh_from_db()
    settled.refresh_from_db()
    assert dashboard.v1.invoices.retrieve(voided.stripe_invoice_id).status == "void"
    assert dashboard.v1.invoices.retrieve(settled.stripe_invoice_id).status == "paid"
    keys = {key for _, key in posts(stripe_settings)}
    assert f"invoice-{voided.pk}-void-v1" in keys
    assert f"invoice-{settled.pk}-paid-out-of-band-v1" in keys


def test_a_draft_that_does_not_add_up_is_not_finalized(stripe_settings: LocalStripe, world: World) -> None:
    invoice = ledger_invoice(world.a)
    Invoice.objects.filter(pk=invoice.pk).update(total=invoice.total + 1)  # ledger says more
    with pytest.raises(stripe_gateway.StripeLedgerMismatch):
        stripe_gateway.push_invoice(invoice.pk)
    invoice.refresh_from_db()
    assert invoice.stripe_hosted_url == ""
    assert stripe_settings.client().v1.invoices.retrieve(invoice.stripe_invoice_id).status == "draft"


def test_zero_decimal_and_three_decimal_currencies(stripe_settings: LocalStripe, world: World) -> None:
    from decimal import Decimal

    assert stripe_gateway.to_minor_units(Decimal("1234"), "JPY") == 1234
    assert stripe_gateway.to_minor_units(Decimal("1.234"), "KWD") == 1234
    assert stripe_gateway.to_minor_units(Decimal("12.3400"), "USD") == 1234
    assert stripe_gateway.from_minor_units(1234, "jpy") == Decimal(1234)
    with pytest.raises(ValueError):
        stripe_gateway.to_minor_units(Decimal("0.001"), "USD")


def test_the_push_task_retries_stripe_outages_and_stops_on_refusals(
    stripe_settings: LocalStripe, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Transient answers (no connection, rate limit, 5xx) are retried with the project's
    backoff; a refusal fails at once. The retries reuse the keys, so nothing is doubled."""
    from billing.stripe_tasks import push_invoice_task

    invoice = ledger_invoice(world.a)
    real_push = stripe_gateway.push_invoice
    attempts: list[int] = []

    def flaky(invoice_id: int) -> Any:
        attempts.append(invoice_id)
        if len(attempts) < 3:
            raise (
                stripe.RateLimitError("slow down")
                if len(attempts) == 1
                else stripe.APIConnectionError("reset")
            )
        return real_push(invoice_id)

    monkeypatch.setattr(stripe_gateway, "push_invoice", flaky)
    result = push_invoice_task.apply(args=[invoice.pk])
    assert result.successful() and result.result["outcome"] == "pushed"
    assert len(attempts) == 3

    attempts.clear()

    def refused(invoice_id: int) -> Any:
        attempts.append(invoice_id)
        raise stripe.InvalidRequestError("No such customer", param="customer")

    monkeypatch.setattr(stripe_gateway, "push_invoice", refused)
    failed = push_invoice_task.apply(args=[invoice.pk])
    assert failed.failed() and len(attempts) == 1
    creates = [key for path, key in posts(stripe_settings) if path == "/v1/invoices"]
    assert creates == [f"invoice-{invoice.pk}-create-v1"]
