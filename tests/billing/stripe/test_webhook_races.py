"""Webhook races on real connections (committed data, cleaned up afterwards): the same event
twice at once, and two signals of one payment at once, make one payment; 20 deliveries of
one event at once through the endpoint make one payment and count 20 deliveries."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient

from billing.models import BillingProfile, Invoice, InvoiceLine, Payment, StripeEvent
from billing.webhooks import receive_event
from tenants.models import Client
from tests.billing.stripe.conftest import WEBHOOK_SECRET, invoice_object, ledger_invoice, sign, stripe_event
from tests.concurrency import first_holds_while_second_waits
from tests.conftest import World

CUSTOMER = "cus_race"


@pytest.fixture
def committed_invoice(world_state: World, django_db_blocker: Any) -> Iterator[Invoice]:
    """An issued, pushed invoice of a committed client (no schema: billing is public data)."""
    with django_db_blocker.unblock():
        client = Client.objects.create(
            name="Race Stripe", slug="race-stripe", schema_name="race_stripe", kind="client"
        )
        invoice = ledger_invoice(client, number=900_000 + client.pk)
        BillingProfile.objects.filter(client=client).update(stripe_customer_id=CUSTOMER)
        Invoice.objects.filter(pk=invoice.pk).update(stripe_invoice_id="in_race")
        invoice.refresh_from_db()
        try:
            yield invoice
        finally:
            StripeEvent.objects.filter(stripe_invoice_id="in_race").delete()
            Payment.objects.filter(client=client).delete()
            InvoiceLine.objects.filter(invoice__client=client).delete()
            Invoice.objects.filter(client=client).delete()
            BillingProfile.objects.filter(client=client).delete()
            Client.objects.filter(pk=client.pk).delete()


def _paid(invoice: Invoice, event_id: str) -> dict[str, Any]:
    obj = invoice_object(invoice, status="paid", stripe_id="in_race", customer=CUSTOMER, paid=True)
    return stripe_event("invoice.paid", obj, event_id=event_id)


def test_the_same_event_twice_at_once_is_processed_once(
    committed_invoice: Invoice, django_db_blocker: Any
) -> None:
    event = _paid(committed_invoice, "evt_race_same")
    with django_db_blocker.unblock():
        first, second = first_holds_while_second_waits(
            lambda: receive_event(event), lambda: receive_event(event), "public"
        )
        assert first.pk == second.pk
        stored = StripeEvent.objects.get(event_id="evt_race_same")
        assert stored.deliveries == 2
        assert Payment.objects.filter(invoice=committed_invoice).count() == 1
        committed_invoice.refresh_from_db()
        assert committed_invoice.status == "paid"


def test_two_signals_of_one_payment_at_once_record_it_once(
    committed_invoice: Invoice, django_db_blocker: Any
) -> None:
    paid = _paid(committed_invoice, "evt_race_paid")
    intent = stripe_event(
        "payment_intent.succeeded",
        {"id": "pi_race", "object": "payment_intent", "invoice": "in_race", "amount_received": 136800},
        event_id="evt_race_pi",
    )
    with django_db_blocker.unblock():
        first_holds_while_second_waits(lambda: receive_event(paid), lambda: receive_event(intent), "public")
        assert Payment.objects.filter(invoice=committed_invoice).count() == 1
        assert set(
            StripeEvent.objects.filter(stripe_invoice_id="in_race").values_list("outcome", flat=True)
        ) == {
            "applied",
            "no_change",
        }


def test_twenty_deliveries_at_once_through_the_endpoint(
    committed_invoice: Invoice, django_db_blocker: Any, settings: Any
) -> None:
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    payload = json.dumps(_paid(committed_invoice, "evt_race_twenty"))
    barrier = threading.Barrier(20)
    answers: list[int] = []
    lock = threading.Lock()

    def deliver() -> None:
        http = HttpClient()
        barrier.wait()
        try:
            response = http.post(
                "/api/stripe/webhook",
                data=payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign(payload),
            )
            with lock:
                answers.append(response.status_code)
        finally:
            connection.close()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=deliver) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert answers == [200] * 20
        assert StripeEvent.objects.get(event_id="evt_race_twenty").deliveries == 20
        assert Payment.objects.filter(invoice=committed_invoice).count() == 1
