"""GraphQL types of billing. Money is a decimal string at the currency's minor unit (never a
float); every amount travels with its currency."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import graphene
from django.urls import reverse

from billing.models import (
    BillingProfile,
    BillingRun,
    BlockHourPeriod,
    CollectionMethod,
    Contract,
    ContractLine,
    CreditNote,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PaymentMethod,
    PricingModel,
    RefundMethod,
    RunItem,
    RunItemStatus,
    ServiceLine,
    UsageKind,
    UsageSnapshot,
)
from billing.money import MINOR_UNITS
from core.graphql.errors import error_type
from core.graphql.types import enum_from_choices

BillingError = error_type(
    "BillingError",
    [
        "NEGATIVE",
        "UNKNOWN_CURRENCY",
        "CURRENCY_LOCKED",
        "OVERLAPPING_CONTRACT",
        "ALREADY_INVOICED",
        "INVALID_STATE",
        "NOT_APPROVED",
        "LATER_PERIOD_DRAFTED",
        "OVERPAYMENT",
        "CREDIT_TOO_LARGE",
        "REFUND_TOO_LARGE",
        "NOT_PAID_THROUGH_STRIPE",
        "CLIENT_READ_ONLY",
    ],
    "Why a billing change failed.",
)

PricingModelEnum = enum_from_choices("PricingModel", PricingModel, "How a contract line is priced.")
BillingServiceLineEnum = enum_from_choices(
    "BillingServiceLine", ServiceLine, "What a line is for (MRR, SLA credits)."
)
CollectionMethodEnum = enum_from_choices("CollectionMethod", CollectionMethod, "How invoices are collected.")
InvoiceStatusEnum = enum_from_choices("InvoiceStatus", InvoiceStatus, "Where an invoice is in its life.")
RunItemStatusEnum = enum_from_choices(
    "RunItemStatus", RunItemStatus, "Where a client's period is in the run."
)
UsageKindEnum = enum_from_choices("UsageKind", UsageKind, "What a usage snapshot counts.")
PaymentMethodEnum = enum_from_choices("PaymentMethod", PaymentMethod, "How money was received.")
RefundMethodEnum = enum_from_choices("RefundMethod", RefundMethod, "How paid money was given back.")


def money(amount: Decimal | None, currency: str) -> str | None:
    """`Decimal('12.5000')` in USD → "12.50"; JPY → "13"."""
    if amount is None:
        return None
    places = MINOR_UNITS.get(currency, 2)
    return f"{amount:.{places}f}"


def number(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


class SlaTierType(graphene.ObjectType):
    class Meta:
        name = "SlaCreditTier"

    below = graphene.String(required=True, description="Met % strictly below this…")
    percent = graphene.String(required=True, description="…credits this % of the support lines.")


class SlaTierInput(graphene.InputObjectType):
    below = graphene.String(required=True)
    percent = graphene.String(required=True)


class BillingViewer(graphene.ObjectType):
    user_id = graphene.ID(required=True)
    full_name = graphene.String(required=True)
    email = graphene.String(required=True)
    role = graphene.String(required=True)
    sees_billing = graphene.Boolean(required=True, description="IT leads always; members when granted.")


class BillingProfileType(graphene.ObjectType):
    class Meta:
        name = "BillingProfile"

    client_slug = graphene.String(required=True)
    client_name = graphene.String(required=True)
    currency = graphene.String(required=True)
    billing_day = graphene.Int(required=True)
    payment_terms_days = graphene.Int(required=True)
    tax_rate = graphene.String(required=True)
    tax_label = graphene.String(required=True)
    legal_name = graphene.String(required=True)
    address = graphene.String(required=True)
    tax_id = graphene.String(required=True)
    billing_contact_name = graphene.String(required=True)
    billing_email = graphene.String(required=True)
    billing_contact_id = graphene.ID()
    collection_method = CollectionMethodEnum(required=True)
    has_stripe_customer = graphene.Boolean(required=True)
    viewers = graphene.List(graphene.NonNull(BillingViewer), required=True)

    @staticmethod
    def from_row(profile: BillingProfile, viewers: list[BillingViewer]) -> BillingProfileType:
        return BillingProfileType(
            client_slug=profile.client.slug,
            client_name=profile.client.name,
            currency=profile.currency,
            billing_day=profile.billing_day,
            payment_terms_days=profile.payment_terms_days,
            tax_rate=number(profile.tax_rate),
            tax_label=profile.tax_label,
            legal_name=profile.legal_name,
            address=profile.address,
            tax_id=profile.tax_id,
            billing_contact_name=profile.billing_contact_name,
            billing_email=profile.billing_email,
            billing_contact_id=profile.billing_contact_id,
            collection_method=profile.collection_method,
            has_stripe_customer=bool(profile.stripe_customer_id),
            viewers=viewers,
        )


class ContractLineType(graphene.ObjectType):
    class Meta:
        name = "ContractLine"

    id = graphene.ID(required=True)
    pricing_model = PricingModelEnum(required=True)
    service_line = BillingServiceLineEnum(required=True)
    description = graphene.String(required=True)
    quantity = graphene.String(required=True)
    unit_price = graphene.String(required=True)
    included_hours = graphene.String(required=True)
    overage_rate = graphene.String(required=True)
    rollover_periods = graphene.Int(required=True)
    starts_on = graphene.Date(required=True)
    ends_on = graphene.Date()
    replaces_id = graphene.ID()

    @staticmethod
    def from_row(line: ContractLine) -> ContractLineType:
        return ContractLineType(
            id=line.pk,
            pricing_model=line.pricing_model,
            service_line=line.service_line,
            description=line.description,
            quantity=number(line.quantity),
            unit_price=number(line.unit_price),
            included_hours=number(Decimal(line.included_minutes) / 60),
            overage_rate=number(line.overage_rate),
            rollover_periods=line.rollover_periods,
            starts_on=line.starts_on,
            ends_on=line.ends_on,
            replaces_id=line.replaces_id,
        )


class ContractType(graphene.ObjectType):
    class Meta:
        name = "Contract"

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    starts_on = graphene.Date(required=True)
    ends_on = graphene.Date()
    sla_credits_enabled = graphene.Boolean(required=True)
    sla_credit_tiers = graphene.List(graphene.NonNull(SlaTierType), required=True)
    sla_credit_cap_percent = graphene.String(required=True)
    sla_minimum_outcomes = graphene.Int(required=True)
    time_rounding_minutes = graphene.Int(required=True)
    notes = graphene.String(required=True)
    lines = graphene.List(graphene.NonNull(ContractLineType), required=True)

    @staticmethod
    def from_row(contract: Contract) -> ContractType:
        return ContractType(
            id=contract.pk,
            name=contract.name,
            starts_on=contract.starts_on,
            ends_on=contract.ends_on,
            sla_credits_enabled=contract.sla_credits_enabled,
            sla_credit_tiers=[
                SlaTierType(below=t["below"], percent=t["percent"]) for t in contract.sla_credit_tiers
            ],
            sla_credit_cap_percent=number(contract.sla_credit_cap_percent),
            sla_minimum_outcomes=contract.sla_minimum_outcomes,
            time_rounding_minutes=contract.time_rounding_minutes,
            notes=contract.notes,
            lines=[ContractLineType.from_row(line) for line in contract.lines.all()],  # type: ignore[attr-defined]
        )


class InvoiceLineType(graphene.ObjectType):
    class Meta:
        name = "InvoiceLine"

    kind = graphene.String(required=True)
    service_line = BillingServiceLineEnum(required=True)
    description = graphene.String(required=True)
    quantity = graphene.String(required=True)
    unit = graphene.String(required=True)
    unit_price = graphene.String(required=True)
    prorated_days = graphene.String(description="e.g. 10/31 when prorated by days.")
    service_start = graphene.Date()
    service_end = graphene.Date(description="Exclusive.")
    amount = graphene.String(required=True)

    @staticmethod
    def from_row(line: InvoiceLine, currency: str) -> InvoiceLineType:
        prorated = None
        if line.factor_denominator not in (1, 60):
            prorated = f"{line.factor_numerator}/{line.factor_denominator}"
        return InvoiceLineType(
            kind=line.kind,
            service_line=line.service_line,
            description=line.description,
            quantity=number(line.quantity),
            unit=line.unit,
            unit_price=number(line.unit_price),
            prorated_days=prorated,
            service_start=line.service_start,
            service_end=line.service_end,
            amount=money(line.amount, currency),
        )


class CreditNoteType(graphene.ObjectType):
    class Meta:
        name = "CreditNote"

    id = graphene.ID(required=True)
    number = graphene.String(required=True)
    reason = graphene.String(required=True)
    amount = graphene.String(required=True)
    tax_amount = graphene.String(required=True)
    total = graphene.String(required=True)
    issued_on = graphene.Date(required=True)

    @staticmethod
    def from_row(note: CreditNote, currency: str) -> CreditNoteType:
        return CreditNoteType(
            id=note.pk,
            number=note.number_display,
            reason=note.reason,
            amount=money(note.amount, currency),
            tax_amount=money(note.tax_amount, currency),
            total=money(note.total, currency),
            issued_on=note.issued_on,
        )


class PaymentType(graphene.ObjectType):
    class Meta:
        name = "Payment"

    id = graphene.ID(required=True)
    amount = graphene.String(required=True)
    method = PaymentMethodEnum(required=True)
    reference = graphene.String(required=True)
    received_on = graphene.Date(required=True)

    @staticmethod
    def from_row(payment: Payment, currency: str) -> PaymentType:
        return PaymentType(
            id=payment.pk,
            amount=money(payment.amount, currency),
            method=payment.method,
            reference=payment.reference,
            received_on=payment.received_on,
        )


class InvoiceType(graphene.ObjectType):
    """An invoice. Lines, credit notes and payments are read only on the detail (`invoice`)."""

    class Meta:
        name = "Invoice"

    id = graphene.ID(required=True)
    number = graphene.String(description="Null while a draft.")
    status = InvoiceStatusEnum(required=True)
    client_slug = graphene.String(required=True)
    client_name = graphene.String(required=True)
    currency = graphene.String(required=True)
    period_start = graphene.Date()
    period_end = graphene.Date(description="Exclusive.")
    issued_on = graphene.Date()
    due_on = graphene.Date()
    subtotal = graphene.String(required=True)
    credit_total = graphene.String(required=True)
    tax_rate = graphene.String(required=True)
    tax_amount = graphene.String(required=True)
    total = graphene.String(required=True)
    amount_paid = graphene.String(required=True)
    amount_credited = graphene.String(required=True)
    balance = graphene.String(required=True)
    is_overdue = graphene.Boolean(required=True)
    pdf_url = graphene.String(required=True, description="Download (authorised like ticket attachments).")
    pay_url = graphene.String(description="Stripe's hosted invoice page, when online payment is offered.")
    emailed_at = graphene.DateTime()
    void_reason = graphene.String(required=True)
    lines = graphene.List(graphene.NonNull(InvoiceLineType), required=True)
    credit_notes = graphene.List(graphene.NonNull(CreditNoteType), required=True)
    payments = graphene.List(graphene.NonNull(PaymentType), required=True)

    @staticmethod
    def from_row(invoice: Invoice, *, today: Any, detail: bool = False) -> InvoiceType:
        c = invoice.currency
        open_states = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID)
        return InvoiceType(
            id=invoice.pk,
            number=invoice.number_display or None,
            status=invoice.status,
            client_slug=invoice.client.slug,
            client_name=invoice.client.name,
            currency=c,
            period_start=invoice.period_start,
            period_end=invoice.period_end,
            issued_on=invoice.issued_on,
            due_on=invoice.due_on,
            subtotal=money(invoice.subtotal, c),
            credit_total=money(invoice.credit_total, c),
            tax_rate=number(invoice.tax_rate),
            tax_amount=money(invoice.tax_amount, c),
            total=money(invoice.total, c),
            amount_paid=money(invoice.amount_paid, c),
            amount_credited=money(invoice.amount_credited, c),
            balance=money(invoice.balance, c),
            is_overdue=bool(invoice.status in open_states and invoice.due_on and invoice.due_on < today),
            pdf_url=reverse("invoice-pdf", args=[invoice.client.slug, invoice.pk]),
            pay_url=(invoice.stripe_hosted_url or None) if invoice.status in open_states else None,
            emailed_at=invoice.emailed_at,
            void_reason=invoice.void_reason,
            lines=[InvoiceLineType.from_row(line, c) for line in invoice.lines.all()] if detail else [],  # type: ignore[attr-defined]
            credit_notes=[CreditNoteType.from_row(n, c) for n in invoice.credit_notes.all()]
            if detail
            else [],  # type: ignore[attr-defined]
            payments=[PaymentType.from_row(p, c) for p in invoice.payments.all()] if detail else [],  # type: ignore[attr-defined]
        )


class UsageSnapshotType(graphene.ObjectType):
    class Meta:
        name = "UsageSnapshot"

    id = graphene.ID(required=True)
    kind = UsageKindEnum(required=True)
    line_description = graphene.String(required=True)
    live_count = graphene.String(description="Null: nothing to count from (no device inventory yet).")
    contracted = graphene.String(required=True)
    previous = graphene.String(description="Billed last period.")
    billed = graphene.String(required=True)
    drift = graphene.String(description="Live count minus contracted.")
    adjusted = graphene.Boolean(required=True)
    adjustment_reason = graphene.String(required=True)
    adjusted_by = graphene.String()

    @staticmethod
    def from_row(snap: UsageSnapshot) -> UsageSnapshotType:
        return UsageSnapshotType(
            id=snap.pk,
            kind=snap.kind,
            line_description=snap.contract_line.description,
            live_count=number(snap.live_count),
            contracted=number(snap.contracted),
            previous=number(snap.previous),
            billed=number(snap.billed),
            drift=number(snap.drift),
            adjusted=snap.adjusted,
            adjustment_reason=snap.adjustment_reason,
            adjusted_by=snap.adjusted_by.full_name if snap.adjusted_by else None,
        )


class RunItemType(graphene.ObjectType):
    class Meta:
        name = "RunItem"

    id = graphene.ID(required=True)
    client_slug = graphene.String(required=True)
    client_name = graphene.String(required=True)
    period_start = graphene.Date(required=True)
    period_end = graphene.Date(required=True)
    status = RunItemStatusEnum(required=True)
    error = graphene.String(required=True)
    sla_judged = graphene.Int(required=True)
    sla_met = graphene.Int(required=True)
    approved_by = graphene.String()
    snapshots = graphene.List(graphene.NonNull(UsageSnapshotType), required=True)
    invoice = graphene.Field(InvoiceType)

    @staticmethod
    def from_row(item: RunItem, today: Any) -> RunItemType:
        invoice = getattr(item, "invoice", None)
        if invoice is not None:
            invoice.client = item.client
        return RunItemType(
            id=item.pk,
            client_slug=item.client.slug,
            client_name=item.client.name,
            period_start=item.period_start,
            period_end=item.period_end,
            status=item.status,
            error=item.error,
            sla_judged=item.sla_judged,
            sla_met=item.sla_met,
            approved_by=item.approved_by.full_name if item.approved_by else None,
            snapshots=[UsageSnapshotType.from_row(s) for s in item.snapshots.all()],  # type: ignore[attr-defined]
            invoice=InvoiceType.from_row(invoice, today=today) if invoice is not None else None,
        )


class RunProgress(graphene.ObjectType):
    total = graphene.Int(required=True)
    queued = graphene.Int(required=True)
    draft = graphene.Int(required=True)
    approved = graphene.Int(required=True)
    issued = graphene.Int(required=True)
    nothing_to_bill = graphene.Int(required=True)
    failed = graphene.Int(required=True)
    done = graphene.Int(required=True, description="Items no longer queued.")


class BillingRunType(graphene.ObjectType):
    class Meta:
        name = "BillingRun"

    id = graphene.ID(required=True)
    run_on = graphene.Date(required=True)
    trigger = graphene.String(required=True)
    status = graphene.String(required=True)
    started_by = graphene.String()
    created_at = graphene.DateTime(required=True)
    finished_at = graphene.DateTime()
    progress = graphene.Field(RunProgress, required=True)
    items = graphene.List(
        graphene.NonNull(RunItemType), required=True, description="Only on `billingRun(id)`."
    )

    @staticmethod
    def from_row(run: BillingRun, items: list[RunItemType] | None = None) -> BillingRunType:
        counts: dict[str, int] = getattr(run, "progress", {})
        total = sum(counts.values())
        return BillingRunType(
            id=run.pk,
            run_on=run.run_on,
            trigger=run.trigger,
            status=run.status,
            started_by=run.started_by.full_name if run.started_by else None,
            created_at=run.created_at,
            finished_at=run.finished_at,
            progress=RunProgress(
                total=total,
                queued=counts.get("queued", 0),
                draft=counts.get("draft", 0),
                approved=counts.get("approved", 0),
                issued=counts.get("issued", 0),
                nothing_to_bill=counts.get("nothing_to_bill", 0),
                failed=counts.get("failed", 0),
                done=total - counts.get("queued", 0),
            ),
            items=items or [],
        )


class BlockPeriodType(graphene.ObjectType):
    class Meta:
        name = "BlockHourPeriod"

    period_start = graphene.Date(required=True)
    period_end = graphene.Date(required=True)
    allowance_minutes = graphene.Int(required=True)
    used_minutes = graphene.Int(required=True)
    rolled_in_minutes = graphene.Int(required=True)
    from_rollover_minutes = graphene.Int(required=True)
    from_allowance_minutes = graphene.Int(required=True)
    overage_minutes = graphene.Int(required=True)
    unused_minutes = graphene.Int(required=True)
    expired_minutes = graphene.Int(required=True)

    @staticmethod
    def from_row(row: BlockHourPeriod) -> BlockPeriodType:
        return BlockPeriodType(
            **{name: getattr(row, name) for name in BlockPeriodType._meta.fields}  # type: ignore[attr-defined]
        )


class BlockHourBalance(graphene.ObjectType):
    """The client's block of hours and this period's covered vs billable time."""

    description = graphene.String(required=True, description="Empty when the contract has no block of hours.")
    currency = graphene.String(required=True)
    period_start = graphene.Date()
    period_end = graphene.Date()
    allowance_minutes = graphene.Int(required=True)
    rolled_in_minutes = graphene.Int(required=True)
    used_minutes = graphene.Int(required=True)
    left_minutes = graphene.Int(required=True)
    covered_minutes = graphene.Int(
        required=True, description="This period: inside the block (incl. rolled over)."
    )
    billable_minutes = graphene.Int(
        required=True, description="This period: beyond the block, billed as overage."
    )
    non_billable_minutes = graphene.Int(required=True, description="This period: logged as not billable.")
    overage_rate = graphene.String(required=True)
    history = graphene.List(graphene.NonNull(BlockPeriodType), required=True)


class SlaCreditType(graphene.ObjectType):
    class Meta:
        name = "SlaCredit"

    invoice_id = graphene.ID(required=True)
    invoice_number = graphene.String(required=True)
    period_start = graphene.Date()
    period_end = graphene.Date()
    currency = graphene.String(required=True)
    amount = graphene.String(required=True, description="Negative: credited.")
    why = graphene.String(required=True, description="Met %, the tier and any cap.")


class MrrPoint(graphene.ObjectType):
    month = graphene.String(required=True, description="YYYY-MM")
    service_line = BillingServiceLineEnum(required=True)
    currency = graphene.String(required=True)
    amount = graphene.String(required=True)


class ClientMrr(graphene.ObjectType):
    client_slug = graphene.String(required=True)
    client_name = graphene.String(required=True)
    month = graphene.String(required=True)
    currency = graphene.String(required=True)
    amount = graphene.String(required=True)


class AgeingBucket(graphene.ObjectType):
    bucket = graphene.String(required=True, description="0-30, 31-60, 61-90 or 90+ days past due.")
    currency = graphene.String(required=True)
    amount = graphene.String(required=True)
    invoices = graphene.Int(required=True)


class BillingDashboard(graphene.ObjectType):
    mrr_by_service_line = graphene.List(graphene.NonNull(MrrPoint), required=True)
    mrr_by_client = graphene.List(graphene.NonNull(ClientMrr), required=True)
    ar_ageing = graphene.List(graphene.NonNull(AgeingBucket), required=True)
    drafts_to_review = graphene.Int(required=True)
