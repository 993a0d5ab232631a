"""GraphQL of the Stripe gateway: the reconciliation reports (MSP admins) and running one now."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import graphene
from django.conf import settings
from django.db import connection
from django.db.models import Prefetch
from django.utils.timezone import now

from billing.access import ensure_billing_admin
from billing.models import (
    DifferenceKind,
    ReconciliationStatus,
    StripeDifference,
    StripeEvent,
    StripeEventOutcome,
    StripeReconciliation,
)
from billing.reconciliation import start_reconciliation
from billing.stripe_gateway import stripe_enabled
from core.errors import ActionError
from core.graphql.errors import error_type, guard_query
from core.graphql.mutations import BaseMutation
from core.tasks import enqueue_on_commit

StripeError = error_type("StripeError", ["STRIPE_OFF", "ALREADY_RUNNING"], "Why a Stripe action failed.")
StripeDifferenceKindEnum = graphene.Enum.from_enum(DifferenceKind, name="StripeDifferenceKind")  # type: ignore[arg-type]
StripeReconciliationStatusEnum = graphene.Enum.from_enum(  # type: ignore[arg-type]
    ReconciliationStatus, name="StripeReconciliationStatus"
)

MAX_REPORTS = 10
MAX_DIFFERENCES = 200
# A report still RUNNING after this long had its worker die; a new one may start.
RUNNING_STALE_AFTER = timedelta(minutes=30)
RECONCILE_LOCK = 5_712_100_001  # advisory lock key: "start a Stripe reconciliation"


class StripeDifferenceType(graphene.ObjectType):
    """One difference between Stripe and the ledger."""

    class Meta:
        name = "StripeDifference"

    id = graphene.ID(required=True)
    kind = StripeDifferenceKindEnum(required=True)
    invoice_number = graphene.String(description="The ledger invoice, when there is one.")
    client_name = graphene.String()
    client_slug = graphene.String()
    stripe_invoice_id = graphene.String(required=True)
    stripe_event_id = graphene.String(required=True)
    ledger_value = graphene.String(required=True)
    stripe_value = graphene.String(required=True)
    detail = graphene.String(required=True)

    @staticmethod
    def from_row(row: StripeDifference) -> StripeDifferenceType:
        invoice, client = row.invoice, row.client
        return StripeDifferenceType(
            id=str(row.pk),
            kind=row.kind,
            invoice_number=(invoice.number_display or f"Draft {invoice.pk}") if invoice else None,
            client_name=client.name if client else None,
            client_slug=client.slug if client else None,
            stripe_invoice_id=row.stripe_invoice_id,
            stripe_event_id=row.stripe_event_id,
            ledger_value=row.ledger_value,
            stripe_value=row.stripe_value,
            detail=row.detail,
        )


class StripeReconciliationType(graphene.ObjectType):
    """One comparison of Stripe with the ledger (it changes nothing)."""

    class Meta:
        name = "StripeReconciliation"

    id = graphene.ID(required=True)
    status = StripeReconciliationStatusEnum(required=True)
    started_at = graphene.DateTime(required=True)
    finished_at = graphene.DateTime()
    invoices_checked = graphene.Int(required=True)
    stripe_invoices_seen = graphene.Int(required=True)
    difference_count = graphene.Int(required=True)
    error = graphene.String(required=True)
    differences = graphene.List(
        graphene.NonNull(StripeDifferenceType),
        required=True,
        description=f"The first {MAX_DIFFERENCES} differences (differenceCount says how many in all).",
    )

    @staticmethod
    def from_row(row: StripeReconciliation) -> StripeReconciliationType:
        differences = getattr(row, "listed_differences", None)
        if differences is None:
            differences = list(row.differences.select_related("invoice", "client")[:MAX_DIFFERENCES])
        return StripeReconciliationType(
            id=str(row.pk),
            status=row.status,
            started_at=row.started_at,
            finished_at=row.finished_at,
            invoices_checked=row.invoices_checked,
            stripe_invoices_seen=row.stripe_invoices_seen,
            difference_count=row.difference_count,
            error=row.error,
            differences=[StripeDifferenceType.from_row(d) for d in differences[:MAX_DIFFERENCES]],
        )


class StripeOverviewType(graphene.ObjectType):
    """Whether Stripe is on, what waits for a person, and the latest reconciliations."""

    class Meta:
        name = "StripeOverview"

    enabled = graphene.Boolean(required=True, description="A Stripe API key is configured.")
    webhook_configured = graphene.Boolean(required=True)
    webhook_path = graphene.String(required=True, description="Where Stripe sends events, on the MSP host.")
    events_needing_attention = graphene.Int(
        required=True, description="Webhooks stored but not applied (unknown invoice, or to review)."
    )
    reconciliations = graphene.List(graphene.NonNull(StripeReconciliationType), required=True)


def _reports(limit: int) -> list[StripeReconciliation]:
    return list(
        StripeReconciliation.objects.order_by("-started_at", "-id").prefetch_related(
            Prefetch(
                "differences",
                queryset=StripeDifference.objects.select_related("invoice", "client").order_by("id"),
                to_attr="listed_differences",
            )
        )[:limit]
    )


class StripeQuery(graphene.ObjectType):
    stripe_overview = graphene.Field(
        StripeOverviewType,
        required=True,
        reports=graphene.Int(description=f"How many recent reconciliations (1..{MAX_REPORTS}, default 3)."),
        description="MSP admins: the Stripe gateway's state and reconciliation reports.",
    )

    def resolve_stripe_overview(root: Any, info: Any, reports: int | None = None) -> StripeOverviewType:
        def body() -> StripeOverviewType:
            ensure_billing_admin(info.context.user)
            limit = 3 if reports is None else max(1, min(MAX_REPORTS, reports))
            return StripeOverviewType(
                enabled=stripe_enabled(),
                webhook_configured=bool(settings.STRIPE_WEBHOOK_SECRET),
                webhook_path="/api/stripe/webhook",
                events_needing_attention=StripeEvent.objects.filter(
                    outcome__in=(
                        StripeEventOutcome.UNMATCHED,
                        StripeEventOutcome.REVIEW,
                        StripeEventOutcome.FAILED,
                    )
                ).count(),
                reconciliations=[StripeReconciliationType.from_row(r) for r in _reports(limit)],
            )

        return guard_query(body)


class RunStripeReconciliation(BaseMutation):
    """MSP admins: compare Stripe with the ledger now (in the background; it changes nothing)."""

    class Meta:
        error_type = StripeError

    reconciliation = graphene.Field(StripeReconciliationType)

    @classmethod
    def perform(cls, info: Any) -> Any:
        user = ensure_billing_admin(info.context.user)
        if not stripe_enabled():
            raise ActionError.single(
                "STRIPE_OFF", "Stripe is not configured (STRIPE_API_KEY); nothing to compare."
            )
        with connection.cursor() as cursor:  # two admins at once: one report
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECONCILE_LOCK])
        running = StripeReconciliation.objects.filter(
            status=ReconciliationStatus.RUNNING, started_at__gte=now() - RUNNING_STALE_AFTER
        ).exists()
        if running:
            raise ActionError.single(
                "ALREADY_RUNNING", "A reconciliation is running; its report appears here."
            )
        report = start_reconciliation(requested_by_id=user.pk)
        enqueue_on_commit("billing.stripe_reconcile", report.pk, dedupe_key=f"stripe-reconcile-{report.pk}")
        return cls.success(reconciliation=StripeReconciliationType.from_row(report))


class StripeMutation(graphene.ObjectType):
    run_stripe_reconciliation = RunStripeReconciliation.Field(required=True)
