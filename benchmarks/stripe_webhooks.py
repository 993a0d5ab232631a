"""Stripe webhooks under duplicates, concurrency and every arrival order.

1. **Duplicates at once**: one `invoice.paid` event delivered `--deliveries` times (default
   100), `--concurrency` at a time (default 20): real signed POSTs to /api/stripe/webhook
   through Django's test client, one thread and one database connection each, released
   together by a barrier per wave. Exactly one payment must be recorded, every delivery
   answered 200 and counted on the one stored event.
2. **Shuffled streams**: `--orders` (default 1,000) fresh invoices, each receiving the
   events a real card payment produces (created, finalized, a failed attempt,
   payment_intent.succeeded, payment_succeeded, paid, charge.succeeded, plus two replays of
   random ones) in its own random order. Half of the invoices have their Stripe id stored
   (the push finished first); for the other half the events find the invoice through our
   metadata (the push is still running). Every order must end in the same ledger: paid,
   amount paid = total, one Stripe payment, the Pay link stored, each event stored once.

The world is the test suite's (`tests.conftest.build_world`), built in a throwaway database
(`msp_bench_stripe_webhooks` by default) that the script creates and drops. Run from the
repository root:

    .venv/bin/python -m benchmarks.stripe_webhooks
    .venv/bin/python -m benchmarks.stripe_webhooks --orders 200 --deliveries 50 --concurrency 10

Exits non-zero when any rule is broken (and prints what it found).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from benchmarks.provisioning import (
    add_database_arguments,
    bootstrapped_database,
    load_average,
    percentile,
    print_table,
)
from benchmarks.queue_latency import EXTRA_ENVIRONMENT

SECRET = "whsec_benchmark"
CUSTOMER = "cus_benchmark"


def _post(http: Any, event: dict[str, Any]) -> tuple[int, float]:
    from tests.billing.stripe.conftest import sign

    payload = json.dumps(event)
    started = time.perf_counter()
    response = http.post(
        "/api/stripe/webhook",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload, SECRET),
    )
    return response.status_code, time.perf_counter() - started


def _pushed_invoice(world: Any, stripe_id: str, *, store_id: bool) -> Any:
    from billing.models import Invoice
    from tests.billing.stripe.conftest import ledger_invoice

    invoice = ledger_invoice(world.a)
    if store_id:
        Invoice.objects.filter(pk=invoice.pk).update(stripe_invoice_id=stripe_id)
    invoice.refresh_from_db()
    return invoice


def duplicates(world: Any, deliveries: int, concurrency: int) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client as HttpClient

    from billing.models import Payment, StripeEvent
    from tests.billing.stripe.conftest import invoice_object, stripe_event

    invoice = _pushed_invoice(world, "in_bench_duplicates", store_id=True)
    event = stripe_event(
        "invoice.paid",
        invoice_object(invoice, status="paid", stripe_id="in_bench_duplicates", customer=CUSTOMER, paid=True),
        event_id="evt_bench_duplicates",
    )
    results: list[tuple[int, float]] = []
    lock = threading.Lock()

    def deliver(barrier: threading.Barrier) -> None:
        http = HttpClient()
        barrier.wait()
        try:
            outcome = _post(http, event)
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    started = time.perf_counter()
    remaining = deliveries
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        while remaining:
            wave = min(concurrency, remaining)
            barrier = threading.Barrier(wave)
            list(pool.map(deliver, [barrier] * wave))
            remaining -= wave
    wall = time.perf_counter() - started
    stored = StripeEvent.objects.get(event_id="evt_bench_duplicates")
    invoice.refresh_from_db()
    payments = Payment.objects.filter(invoice=invoice).count()
    problems = []
    if payments != 1:
        problems.append(f"{payments} payments recorded")
    if stored.deliveries != deliveries:
        problems.append(f"{stored.deliveries} deliveries counted of {deliveries}")
    statuses = Counter(status for status, _ in results)
    if set(statuses) != {200}:
        problems.append(f"answers {dict(statuses)}")
    if invoice.amount_paid != invoice.total or invoice.status != "paid":
        problems.append(f"ledger ends {invoice.status} with {invoice.amount_paid} paid")
    seconds = [s for _, s in results]
    return {
        "deliveries": deliveries,
        "concurrency": concurrency,
        "answers": ", ".join(f"{code}×{n}" for code, n in sorted(statuses.items())),
        "payments": payments,
        "counted": stored.deliveries,
        "wall": wall,
        "p50": statistics.median(seconds) * 1000,
        "p95": percentile(seconds, 0.95) * 1000,
        "problems": problems,
    }


def stream_for(invoice: Any, stripe_id: str, rng: random.Random) -> list[dict[str, Any]]:
    """The events of one card payment, shuffled, with two replays."""
    from tests.billing.stripe.conftest import invoice_object, stripe_event

    def inv(status: str, paid: bool = False) -> dict[str, Any]:
        obj = invoice_object(invoice, status=status, stripe_id=stripe_id, customer=CUSTOMER, paid=paid)
        if status == "draft":
            obj["hosted_invoice_url"] = None
        return obj

    failed = inv("open")
    failed["attempt_count"] = 1
    intent = {
        "id": f"pi_for_{stripe_id}",
        "object": "payment_intent",
        "invoice": stripe_id,
        "amount_received": inv("paid", True)["amount_paid"],
        "currency": invoice.currency.lower(),
        "status": "succeeded",
    }
    charge = {"id": f"ch_{stripe_id}", "object": "charge", "invoice": stripe_id, "paid": True}
    events = [
        stripe_event("invoice.created", inv("draft"), event_id=f"evt_{stripe_id}_created"),
        stripe_event("invoice.finalized", inv("open"), event_id=f"evt_{stripe_id}_finalized"),
        stripe_event("invoice.payment_failed", failed, event_id=f"evt_{stripe_id}_failed"),
        stripe_event("payment_intent.succeeded", intent, event_id=f"evt_{stripe_id}_pi"),
        stripe_event("invoice.payment_succeeded", inv("paid", True), event_id=f"evt_{stripe_id}_succeeded"),
        stripe_event("invoice.paid", inv("paid", True), event_id=f"evt_{stripe_id}_paid"),
        stripe_event("charge.succeeded", charge, event_id=f"evt_{stripe_id}_charge"),
    ]
    events += [rng.choice(events) for _ in range(2)]  # Stripe's retries / a replay
    rng.shuffle(events)
    return events


def shuffled_orders(world: Any, orders: int, seed: int) -> dict[str, Any]:
    from django.test import Client as HttpClient

    from billing.models import BillingProfile, Payment, StripeEvent, StripeEventOutcome

    BillingProfile.objects.filter(client=world.a).update(stripe_customer_id=CUSTOMER)
    rng = random.Random(seed)
    http = HttpClient()
    ledgers: Counter[tuple[Any, ...]] = Counter()
    seconds: list[float] = []
    problems: list[str] = []
    delivered = 0
    started = time.perf_counter()
    for number in range(orders):
        stripe_id = f"in_bench_{number:05d}"
        invoice = _pushed_invoice(world, stripe_id, store_id=number % 2 == 0)
        events = stream_for(invoice, stripe_id, rng)
        for event in events:
            status, took = _post(http, event)
            seconds.append(took)
            delivered += 1
            if status != 200:
                problems.append(f"order {number}: {event['type']} answered {status}")
        invoice.refresh_from_db()
        payments = list(
            Payment.objects.filter(invoice=invoice).values_list("amount", "method", "stripe_payment_id")
        )
        stored = StripeEvent.objects.filter(stripe_invoice_id=stripe_id).count()
        bad = StripeEvent.objects.filter(
            stripe_invoice_id=stripe_id,
            outcome__in=(StripeEventOutcome.FAILED, StripeEventOutcome.UNMATCHED, StripeEventOutcome.REVIEW),
        ).count()
        ledger = (
            invoice.status,
            invoice.amount_paid == invoice.total,
            len(payments),
            payments[0][1:] == ("stripe", stripe_id) if payments else False,
            invoice.stripe_invoice_id == stripe_id,
            invoice.stripe_hosted_url == f"https://invoice.stripe.test/i/{stripe_id}",
            stored,
            bad,
        )
        ledgers[ledger] += 1
        if (number + 1) % 100 == 0:
            print(
                f"  {number + 1} orders, {delivered} deliveries, {len(ledgers)} distinct final ledger(s)",
                flush=True,
            )
    wall = time.perf_counter() - started
    expected = ("paid", True, 1, True, True, True, 7, 0)
    if set(ledgers) != {expected}:
        problems.append(f"final ledgers: {dict(ledgers)} (expected only {expected})")
    return {
        "orders": orders,
        "deliveries": delivered,
        "distinct": len(ledgers),
        "expected": ledgers[expected],
        "wall": wall,
        "rate": delivered / wall,
        "p50": statistics.median(seconds) * 1000,
        "p95": percentile(seconds, 0.95) * 1000,
        "problems": problems[:20],
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Stripe webhooks: duplicates at once and shuffled streams.")
    parser.add_argument("--deliveries", type=int, default=100, help="deliveries of one event (default 100)")
    parser.add_argument("--concurrency", type=int, default=20, help="simultaneous deliveries (default 20)")
    parser.add_argument("--orders", type=int, default=1000, help="shuffled event streams (default 1000)")
    parser.add_argument("--seed", type=int, default=10, help="random seed of the shuffles (default 10)")
    add_database_arguments(parser, "msp_bench_stripe_webhooks")
    args = parser.parse_args(argv)
    environment = {**EXTRA_ENVIRONMENT, "STRIPE_WEBHOOK_SECRET": SECRET, "STRIPE_API_KEY": ""}
    with bootstrapped_database(args, environment) as (_db_url, machine):
        from tests.conftest import build_world

        print("Building the test suite's world (MSP, two clients, staff)…", flush=True)
        world = build_world()
        print(f"Duplicates: one event × {args.deliveries}, {args.concurrency} at once…", flush=True)
        dup = duplicates(world, args.deliveries, args.concurrency)
        print(f"Shuffled streams: {args.orders} orders…", flush=True)
        shuffled = shuffled_orders(world, args.orders, args.seed)

    print("\n## Stripe webhooks\n")
    print_table(["", ""], [*machine, ("Load average at end (1/5/15 min)", load_average())])
    print()
    print_table(
        [
            "deliveries",
            "at once",
            "answers",
            "payments",
            "deliveries counted",
            "wall (s)",
            "p50 (ms)",
            "p95 (ms)",
        ],
        [
            (
                dup["deliveries"],
                dup["concurrency"],
                dup["answers"],
                dup["payments"],
                dup["counted"],
                f"{dup['wall']:.2f}",
                f"{dup['p50']:.1f}",
                f"{dup['p95']:.1f}",
            )
        ],
    )
    print()
    print_table(
        [
            "orders",
            "deliveries",
            "distinct final ledgers",
            "orders ending as expected",
            "wall (s)",
            "deliveries/s",
            "p50 (ms)",
            "p95 (ms)",
        ],
        [
            (
                shuffled["orders"],
                shuffled["deliveries"],
                shuffled["distinct"],
                shuffled["expected"],
                f"{shuffled['wall']:.1f}",
                f"{shuffled['rate']:.0f}",
                f"{shuffled['p50']:.1f}",
                f"{shuffled['p95']:.1f}",
            )
        ],
    )
    problems = dup["problems"] + shuffled["problems"]
    if problems:
        print("\nBROKEN:\n" + "\n".join(problems))
        sys.exit(1)


if __name__ == "__main__":
    main()
