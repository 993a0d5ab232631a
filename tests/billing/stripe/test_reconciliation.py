"""Nightly reconciliation against localstripe: every difference listed, nothing fixed; the
report through GraphQL (MSP admins), with a constant number of queries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.timezone import now

from billing import stripe_gateway
from billing.models import (
    DifferenceKind,
    Invoice,
    InvoiceStatus,
    Payment,
    ReconciliationStatus,
    StripeDifference,
    StripeEvent,
    StripeEventOutcome,
    StripeReconciliation,
)
from billing.reconciliation import run_reconciliation
from core.models import OutboxMessage
from tests.billing.stripe.conftest import LocalStripe, ledger_invoice
from tests.conftest import World


def kinds_for(report: StripeReconciliation, invoice: Invoice) -> set[str]:
    return set(report.differences.filter(invoice=invoice).values_list("kind", flat=True))


def test_offline_there_is_no_reconciliation(settings: Any, world: World) -> None:
    settings.STRIPE_API_KEY = ""
    assert run_reconciliation() is None
    assert not StripeReconciliation.objects.exists()


def test_every_difference_is_listed_and_nothing_is_changed(
    stripe_settings: LocalStripe, world: World
) -> None:
    in_step, voided_here, paid_there, never_pushed = (ledger_invoice(world.a) for _ in range(4))
    for invoice in (in_step, voided_here, paid_there):
        stripe_gateway.push_invoice(invoice.pk)
    for invoice in (in_step, voided_here, paid_there):
        invoice.refresh_from_db()
    Invoice.objects.filter(pk=never_pushed.pk).update(issued_at=now() - timedelta(hours=2))
    Invoice.objects.filter(pk=voided_here.pk).update(status=InvoiceStatus.VOID)  # Stripe not told
    dashboard = stripe_settings.client()
    dashboard.v1.invoices.pay(paid_there.stripe_invoice_id, {"paid_out_of_band": True})  # ledger not told
    # An invoice made in Stripe's dashboard, unknown to the ledger.
    stranger = dashboard.v1.invoices.create(
        {
            "customer": dashboard.v1.customers.create({"name": "Walk-in"}).id,
            "pending_invoice_items_behavior": "exclude",
            "collection_method": "send_invoice",
            "days_until_due": 7,
        }
    )
    dashboard.v1.invoice_items.create(
        {"customer": str(stranger.customer), "invoice": stranger.id, "amount": 500, "currency": "usd"}
    )
    dashboard.v1.invoices.finalize_invoice(stranger.id)
    StripeEvent.objects.create(
        event_id="evt_orphan",
        event_type="invoice.paid",
        stripe_invoice_id="in_orphan",
        payload={},
        outcome=StripeEventOutcome.UNMATCHED,
        detail="No invoice of ours has Stripe id in_orphan.",
    )
    before = list(Invoice.objects.order_by("pk").values_list("pk", "status", "amount_paid"))

    report = run_reconciliation()

    assert report is not None and report.status == ReconciliationStatus.COMPLETED
    assert kinds_for(report, in_step) == set()
    assert kinds_for(report, voided_here) == {DifferenceKind.STATUS}
    assert kinds_for(report, paid_there) == {DifferenceKind.STATUS, DifferenceKind.AMOUNT_PAID}
    assert kinds_for(report, never_pushed) == {DifferenceKind.MISSING_AT_STRIPE}
    assert report.differences.filter(
        kind=DifferenceKind.MISSING_IN_LEDGER, stripe_invoice_id=stranger.id
    ).exists()
    assert report.differences.filter(
        kind=DifferenceKind.UNMATCHED_EVENT, stripe_event_id="evt_orphan"
    ).exists()
    paid_row = report.differences.get(invoice=paid_there, kind=DifferenceKind.AMOUNT_PAID)
    assert (paid_row.ledger_value, paid_row.stripe_value) == ("0.0000", "1368.00")
    assert report.difference_count == report.differences.count()
    assert report.invoices_checked >= 4
    # Nothing was fixed silently.
    assert list(Invoice.objects.order_by("pk").values_list("pk", "status", "amount_paid")) == before
    assert not Payment.objects.exists()


def test_a_stripe_outage_fails_the_report_without_exception_text(
    settings: Any, stripe_settings: LocalStripe, world: World
) -> None:
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # discard port: connection refused
    report = run_reconciliation()
    assert report is not None
    assert report.status == ReconciliationStatus.FAILED
    assert "Traceback" not in report.error and "127.0.0.1" not in report.error
    assert not StripeDifference.objects.filter(reconciliation=report).exists()


def test_admin_reads_reports_in_constant_queries(
    stripe_settings: LocalStripe, world: World, gql: Any, django_assert_num_queries: Any
) -> None:
    query = "{ stripeOverview(reports: 10) { enabled webhookConfigured eventsNeedingAttention reconciliations { status differenceCount differences { kind invoiceNumber clientName detail } } } }"
    graphql = gql(world.admin)

    def fill(n: int) -> None:
        for _ in range(n):
            report = StripeReconciliation.objects.create(status=ReconciliationStatus.COMPLETED)
            invoice = ledger_invoice(world.a if _ % 2 else world.b)
            for kind in (DifferenceKind.STATUS, DifferenceKind.TOTAL):
                StripeDifference.objects.create(
                    reconciliation=report, kind=kind, invoice=invoice, client=invoice.client, detail="x"
                )

    fill(1)
    graphql.data(query)  # warm the session
    with django_assert_num_queries(6) as small:
        graphql.data(query)
    fill(4)
    with django_assert_num_queries(6):
        data = graphql.data(query)
    assert len(data["stripeOverview"]["reconciliations"]) == 5
    assert small  # the count above is the count of this query


def test_run_now_queues_one_report_and_refuses_a_second_while_running(
    stripe_settings: LocalStripe, world: World, gql: Any
) -> None:
    mutation = "mutation { runStripeReconciliation { reconciliation { id status } errors { code message } } }"
    first = gql(world.admin).data(mutation)["runStripeReconciliation"]
    assert first["errors"] == [] and first["reconciliation"]["status"] == "RUNNING"
    assert OutboxMessage.objects.filter(task="billing.stripe_reconcile").count() == 1
    second = gql(world.admin).data(mutation)["runStripeReconciliation"]
    assert [e["code"] for e in second["errors"]] == ["ALREADY_RUNNING"]
    assert StripeReconciliation.objects.count() == 1


def test_run_now_with_stripe_off_is_a_typed_error(settings: Any, world: World, gql: Any) -> None:
    settings.STRIPE_API_KEY = ""
    payload = gql(world.admin).data("mutation { runStripeReconciliation { errors { code } } }")
    assert payload["runStripeReconciliation"]["errors"] == [{"code": "STRIPE_OFF"}]
    assert not StripeReconciliation.objects.exists()
