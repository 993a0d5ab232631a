"""Fixtures of the Stripe tests: a real localstripe server on loopback, the stripe client
pointed at it, and helpers to sign webhook events with the test secret."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import stripe

WEBHOOK_SECRET = "whsec_test_portal_secret"
API_KEY = "sk_test_portal"
SERVER = Path(__file__).with_name("localstripe_server.py")


@dataclass
class LocalStripe:
    """A localstripe process started for this test session."""

    base: str

    def requests(self) -> list[dict[str, Any]]:
        """Every API request the server has seen (method, path, idempotency key, body)."""
        with urllib.request.urlopen(f"{self.base}/_test/requests", timeout=5) as response:
            return json.load(response)  # type: ignore[no-any-return]

    def clear_requests(self) -> None:
        request = urllib.request.Request(f"{self.base}/_test/requests", method="DELETE")
        urllib.request.urlopen(request, timeout=5).close()

    def client(self) -> stripe.StripeClient:
        """A stripe client of our own (not the portal's) to act as Stripe's dashboard would."""
        return stripe.StripeClient(API_KEY, base_addresses={"api": self.base}, max_network_retries=0)


@pytest.fixture(scope="session")
def localstripe() -> Iterator[LocalStripe]:
    """localstripe on 127.0.0.1 and a port the kernel picked; stopped at the end."""
    process = subprocess.Popen(
        [sys.executable, str(SERVER)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("LOCALSTRIPE_PORT="):
            rest = process.stdout.read() if process.poll() is not None else ""
            raise RuntimeError(f"localstripe did not start: {line}\n{rest}")
        base = f"http://127.0.0.1:{line.split('=', 1)[1]}"
        # The port is bound before the line is printed; wait until the app answers.
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/_test/requests", timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield LocalStripe(base=base)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def stripe_settings(settings: Any, localstripe: LocalStripe) -> LocalStripe:
    """The portal configured for Stripe, talking to localstripe."""
    settings.STRIPE_API_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe.base
    localstripe.clear_requests()
    return localstripe


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A `Stripe-Signature` header for `payload`, as Stripe computes it."""
    stamp = int(time.time()) if timestamp is None else timestamp
    signature = stripe.WebhookSignature._compute_signature(f"{stamp}.{payload}", secret)
    return f"t={stamp},v1={signature}"


# --- ledger rows for the tests (billing's actions build them in the product) ------------


def ledger_invoice(
    client: Any,
    *,
    lines: tuple[tuple[str, str, str], ...] = (
        ("Managed seats", "charge", "1200.00"),
        ("SLA credit", "sla_credit", "-60.00"),
    ),
    tax_rate: str = "20",
    currency: str = "USD",
    collection_method: str = "send_invoice",
    status: str = "issued",
    number: int | None = None,
) -> Any:
    """An issued invoice of `client` whose lines, credits and tax add up (half-up per line)."""
    from datetime import date, timedelta
    from decimal import Decimal

    from django.utils.timezone import now

    from billing.models import BillingProfile, Invoice, InvoiceLine
    from billing.money import round_money

    profile, _ = BillingProfile.objects.get_or_create(
        client=client,
        defaults={
            "currency": currency,
            "tax_rate": Decimal(tax_rate),
            "billing_email": f"billing@{client.slug}.test",
        },
    )
    BillingProfile.objects.filter(pk=profile.pk).update(collection_method=collection_method)
    charges = sum((Decimal(amount) for _, kind, amount in lines if kind != "sla_credit"), Decimal(0))
    credits = sum((Decimal(amount) for _, kind, amount in lines if kind == "sla_credit"), Decimal(0))
    tax = round_money((charges + credits) * Decimal(tax_rate) / 100, currency)
    number = (
        number
        if number is not None
        else (Invoice.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    )
    draft = status == "draft"
    invoice = Invoice.objects.create(
        client=client,
        number=None if draft else number,
        number_display="" if draft else f"INV-{number:05d}",
        status=status,
        currency=currency,
        period_start=date(2026, 11, 1),
        period_end=date(2026, 12, 1),
        issued_on=date(2026, 12, 1),
        due_on=date.today() + timedelta(days=30),
        subtotal=charges,
        credit_total=credits,
        tax_rate=Decimal(tax_rate),
        tax_amount=tax,
        total=charges + credits + tax,
        collection_method=collection_method,
        issued_at=None if draft else now(),
    )
    for position, (description, kind, amount) in enumerate(lines):
        InvoiceLine.objects.create(
            invoice=invoice,
            kind=kind,
            description=description,
            quantity=Decimal(1),
            unit_price=Decimal(amount),
            amount=Decimal(amount),
            position=position,
        )
    return invoice


def stripe_event(
    event_type: str,
    obj: dict[str, Any],
    *,
    event_id: str | None = None,
    created: int | None = None,
) -> dict[str, Any]:
    """An event as Stripe sends it (the fields billing reads, and a few it doesn't)."""
    import secrets

    return {
        "id": event_id or f"evt_{secrets.token_hex(8)}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created or int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        "data": {"object": obj},
    }


def invoice_object(
    invoice: Any, *, status: str, stripe_id: str, customer: str, paid: bool = False
) -> dict[str, Any]:
    """A Stripe invoice object matching a ledger invoice (amounts in minor units)."""
    from billing.stripe_gateway import to_minor_units

    total = to_minor_units(invoice.total, invoice.currency)
    return {
        "id": stripe_id,
        "object": "invoice",
        "customer": customer,
        "currency": invoice.currency.lower(),
        "status": status,
        "total": total,
        "amount_due": total,
        "amount_paid": total if paid else 0,
        "amount_remaining": 0 if paid else total,
        "hosted_invoice_url": None if status == "draft" else f"https://invoice.stripe.test/i/{stripe_id}",
        "payment_intent": f"pi_for_{stripe_id}" if paid else None,
        "metadata": {"portal_invoice_id": str(invoice.pk)},
        "status_transitions": {
            "paid_at": int(time.time()) if paid else None,
            "finalized_at": int(time.time()),
        },
    }


def post_event(
    http: Any, event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, signature: str | None = None
) -> Any:
    """POST the event, signed, to the real endpoint through Django's test client."""
    payload = json.dumps(event)
    return http.post(
        "/api/stripe/webhook",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature if signature is not None else sign(payload, secret),
    )
