"""Mutations of billing: parse → authorise (`billing.access`) → one action → typed errors.

Changes are the MSP admin's; granting a member access to billing is also the client's IT
lead's. Objects are found by id and then their client is resolved and authorised like any
other request (on a client's host only that client; otherwise not found)."""

from __future__ import annotations

from datetime import date
from typing import Any

import graphene
from django.utils import timezone

from billing import actions
from billing.access import ensure_billing_admin, ensure_may_grant_billing, ensure_may_manage_billing
from billing.graphql.types import (
    BillingError,
    BillingProfileType,
    BillingRunType,
    BillingServiceLineEnum,
    CollectionMethodEnum,
    ContractLineType,
    ContractType,
    CreditNoteType,
    InvoiceType,
    PaymentMethodEnum,
    PaymentType,
    PricingModelEnum,
    RefundMethodEnum,
    RunItemType,
    SlaTierInput,
    UsageSnapshotType,
)
from billing.models import (
    BillingProfile,
    Contract,
    ContractLine,
    Invoice,
    RefundMethod,
    RunItem,
    RunTrigger,
    UsageSnapshot,
)
from billing.runs import start_run
from billing.selectors import attach_progress, invoice_detail, run_items
from core.errors import ActionError
from core.graphql.ids import decode_id
from core.graphql.mutations import BaseMutation
from core.graphql.types import enum_value
from tenants.access import ClientNotFound
from tenants.models import Client
from tenants.request_scope import resolve_client


class BillingMutation_(BaseMutation):
    default_error_type = BillingError

    class Meta:
        abstract = True


def _managed_client(info: Any, slug: str | None) -> Client:
    client = resolve_client(info.context, slug)
    ensure_may_manage_billing(info.context.user, client)
    return client


def _owned(
    info: Any, model: type[Any], value: str, type_name: str, field: str, related: str = "client"
) -> Any:
    """The row `value` names, if its client is reachable from this request by an admin."""
    pk = decode_id(value, type_name, field)
    row = model.objects.select_related(related).filter(pk=pk).first()
    if row is None:
        raise ActionError.single("NOT_FOUND", f"No such {type_name}.", field)
    client = getattr(row, related) if related == "client" else row.contract.client
    try:
        _managed_client(info, client.slug)
    except ClientNotFound:
        raise ActionError.single("NOT_FOUND", f"No such {type_name}.", field) from None
    return row


def _profile_type(client: Client) -> BillingProfileType:
    from billing.graphql.queries import viewers_of

    profile = BillingProfile.objects.select_related("client").get(client=client)
    return BillingProfileType.from_row(profile, viewers_of(client))


def _contract_type(contract: Contract) -> ContractType:
    from billing.selectors import contracts_of

    return ContractType.from_row(contracts_of(contract.client).get(pk=contract.pk))


def _invoice_type(invoice: Invoice) -> InvoiceType:
    return InvoiceType.from_row(invoice_detail(invoice.pk), today=timezone.localdate(), detail=True)  # type: ignore[arg-type]


class SaveBillingProfile(BillingMutation_):
    """MSP admin: how a client is billed (currency, billing day, terms, tax, contact)."""

    class Arguments:
        client_slug = graphene.String()
        currency = graphene.String()
        billing_day = graphene.Int()
        payment_terms_days = graphene.Int()
        tax_rate = graphene.String()
        tax_label = graphene.String()
        legal_name = graphene.String()
        address = graphene.String()
        tax_id = graphene.String()
        billing_contact_name = graphene.String()
        billing_email = graphene.String()
        billing_contact_id = graphene.ID()
        collection_method = CollectionMethodEnum()

    profile = graphene.Field(BillingProfileType)

    @classmethod
    def perform(cls, info: Any, client_slug: str | None = None, **fields: Any) -> Any:
        client = _managed_client(info, client_slug)
        if "billing_contact_id" in fields:
            fields["billing_contact_id"] = decode_id(
                fields["billing_contact_id"], "User", "billingContactId", required=False
            )
        if fields.get("collection_method") is not None:
            fields["collection_method"] = enum_value(fields["collection_method"])
        actions.save_billing_profile(client, actor=info.context.user, **fields)
        return cls.success(profile=_profile_type(client))


class ContractInput(graphene.InputObjectType):
    name = graphene.String()
    starts_on = graphene.Date()
    ends_on = graphene.Date()
    sla_credits_enabled = graphene.Boolean()
    sla_credit_tiers = graphene.List(graphene.NonNull(SlaTierInput))
    sla_credit_cap_percent = graphene.String()
    sla_minimum_outcomes = graphene.Int()
    time_rounding_minutes = graphene.Int()
    notes = graphene.String()
    open_ended = graphene.Boolean(description="Remove the end date (update only).")


def _contract_fields(data: Any) -> dict[str, Any]:
    fields = {key: value for key, value in dict(data).items() if value is not None and key != "open_ended"}
    if "sla_credit_tiers" in fields:
        fields["sla_credit_tiers"] = [dict(tier) for tier in fields["sla_credit_tiers"]]
    return fields


class CreateContract(BillingMutation_):
    """MSP admin: a client's contract (never overlapping another)."""

    class Arguments:
        client_slug = graphene.String()
        input = ContractInput(required=True)

    contract = graphene.Field(ContractType)
    max_lengths = {"name": 120, "notes": 2000}

    @classmethod
    def perform(cls, info: Any, input: Any, client_slug: str | None = None) -> Any:
        client = _managed_client(info, client_slug)
        fields = _contract_fields(input)
        starts_on = fields.pop("starts_on", None)
        if starts_on is None:
            raise ActionError.single("REQUIRED", "When does the contract start?", "startsOn")
        contract = actions.create_contract(client, actor=info.context.user, starts_on=starts_on, **fields)
        return cls.success(contract=_contract_type(contract))


class UpdateContract(BillingMutation_):
    """MSP admin: change a contract's terms or dates (an explicit null `endsOn` opens it)."""

    class Arguments:
        id = graphene.ID(required=True)
        input = ContractInput(required=True)

    contract = graphene.Field(ContractType)
    max_lengths = {"name": 120, "notes": 2000}

    @classmethod
    def perform(cls, info: Any, id: str, input: Any) -> Any:
        contract = _owned(info, Contract, id, "Contract", "id")
        fields = _contract_fields(input)
        if dict(input).get("open_ended"):
            fields["ends_on"] = None
        contract = actions.update_contract(contract, actor=info.context.user, **fields)
        return cls.success(contract=_contract_type(contract))


class ContractLineInput(graphene.InputObjectType):
    pricing_model = PricingModelEnum()
    service_line = BillingServiceLineEnum()
    description = graphene.String()
    quantity = graphene.String()
    unit_price = graphene.String()
    included_hours = graphene.String()
    overage_rate = graphene.String()
    rollover_periods = graphene.Int()
    starts_on = graphene.Date()
    ends_on = graphene.Date()
    position = graphene.Int()


def _line_fields(data: Any) -> dict[str, Any]:
    fields = {key: value for key, value in dict(data).items() if value is not None}
    for key in ("pricing_model", "service_line"):
        if key in fields:
            fields[key] = enum_value(fields[key])
    return fields


class AddContractLine(BillingMutation_):
    """MSP admin: add a line (flat, per seat, per device, block hours, one-off)."""

    class Arguments:
        contract_id = graphene.ID(required=True)
        input = ContractLineInput(required=True)

    line = graphene.Field(ContractLineType)
    max_lengths = {"description": 200}

    @classmethod
    def perform(cls, info: Any, contract_id: str, input: Any) -> Any:
        contract = _owned(info, Contract, contract_id, "Contract", "contractId")
        fields = _line_fields(input)
        pricing_model = fields.pop("pricing_model", None)
        if pricing_model is None:
            raise ActionError.single("REQUIRED", "Choose a pricing model.", "pricingModel")
        line = actions.add_contract_line(
            contract, actor=info.context.user, pricing_model=pricing_model, **fields
        )
        return cls.success(line=ContractLineType.from_row(line))


class ChangeContractLine(BillingMutation_):
    """MSP admin: change a line from a date (a new version after an invoiced or started period)."""

    class Arguments:
        id = graphene.ID(required=True)
        effective_on = graphene.Date(required=True)
        input = ContractLineInput(required=True)

    line = graphene.Field(ContractLineType)
    max_lengths = {"description": 200}

    @classmethod
    def perform(cls, info: Any, id: str, effective_on: date, input: Any) -> Any:
        line = _owned(info, ContractLine, id, "ContractLine", "id", related="contract")
        fields = _line_fields(input)
        for ignored in ("pricing_model", "starts_on", "ends_on"):
            fields.pop(ignored, None)
        line = actions.change_contract_line(
            line, actor=info.context.user, effective_on=effective_on, **fields
        )
        return cls.success(line=ContractLineType.from_row(line))


class EndContractLine(BillingMutation_):
    """MSP admin: stop a line after a day (a line never in service is removed)."""

    class Arguments:
        id = graphene.ID(required=True)
        ends_on = graphene.Date(required=True)

    ok = graphene.Boolean()

    @classmethod
    def perform(cls, info: Any, id: str, ends_on: date) -> Any:
        line = _owned(info, ContractLine, id, "ContractLine", "id", related="contract")
        actions.end_contract_line(line, actor=info.context.user, ends_on=ends_on)
        return cls.success(ok=True)


class StartBillingRun(BillingMutation_):
    """MSP admin: draft the run of a day now (clients whose billing day it is); the drafting is
    done by workers, progress is on `billingRun(id)`."""

    class Arguments:
        run_on = graphene.Date()

    run = graphene.Field(BillingRunType)

    @classmethod
    def perform(cls, info: Any, run_on: date | None = None) -> Any:
        user = ensure_billing_admin(info.context.user)
        today = timezone.localdate()
        run_on = run_on or today
        if run_on > today:
            raise ActionError.single(
                "INVALID", "A run bills periods that have ended: pick today or earlier.", "runOn"
            )
        run = start_run(run_on, trigger=RunTrigger.MANUAL, actor=user)
        attach_progress([run])
        return cls.success(run=BillingRunType.from_row(run))


def _item_type(item: RunItem) -> RunItemType:
    fresh = run_items(None, item_id=item.pk)[0]
    return RunItemType.from_row(fresh, timezone.localdate())


class AdjustUsage(BillingMutation_):
    """MSP admin: bill another quantity than counted, with a reason (kept); back to draft."""

    class Arguments:
        snapshot_id = graphene.ID(required=True)
        quantity = graphene.String(required=True)
        reason = graphene.String(required=True)

    snapshot = graphene.Field(UsageSnapshotType)
    item = graphene.Field(RunItemType)
    max_lengths = {"reason": 300, "quantity": 40}

    @classmethod
    def perform(cls, info: Any, snapshot_id: str, quantity: str, reason: str) -> Any:
        pk = decode_id(snapshot_id, "UsageSnapshot", "snapshotId") or 0
        snapshot = (
            UsageSnapshot.objects.select_related("run_item__client", "contract_line").filter(pk=pk).first()
        )
        if snapshot is None:
            raise ActionError.single("NOT_FOUND", "No such usage snapshot.", "snapshotId")
        try:
            _managed_client(info, snapshot.run_item.client.slug)
        except ClientNotFound:
            raise ActionError.single("NOT_FOUND", "No such usage snapshot.", "snapshotId") from None
        snapshot = actions.adjust_usage(snapshot, actor=info.context.user, quantity=quantity, reason=reason)
        snapshot = UsageSnapshot.objects.select_related("contract_line", "adjusted_by").get(pk=snapshot.pk)
        return cls.success(snapshot=UsageSnapshotType.from_row(snapshot), item=_item_type(snapshot.run_item))


class _ItemMutation(BillingMutation_):
    class Meta:
        abstract = True

    class Arguments:
        item_id = graphene.ID(required=True)

    item = graphene.Field(RunItemType)

    @classmethod
    def find(cls, info: Any, item_id: str) -> RunItem:
        return _owned(info, RunItem, item_id, "RunItem", "itemId")  # type: ignore[no-any-return]


class ApproveRunItem(_ItemMutation):
    """MSP admin: the draft is reviewed; it may be issued."""

    @classmethod
    def perform(cls, info: Any, item_id: str) -> Any:
        item = actions.approve_run_item(cls.find(info, item_id), actor=info.context.user)
        return cls.success(item=_item_type(item))


class RedraftRunItem(_ItemMutation):
    """MSP admin: count again and re-price a failed or unapproved draft."""

    @classmethod
    def perform(cls, info: Any, item_id: str) -> Any:
        item = actions.redraft_run_item(cls.find(info, item_id), actor=info.context.user)
        return cls.success(item=_item_type(item))


class IssueRunItem(_ItemMutation):
    """MSP admin: issue an approved draft (numbered; e-mailed to the billing contact)."""

    invoice = graphene.Field(InvoiceType)

    @classmethod
    def perform(cls, info: Any, item_id: str) -> Any:
        item = cls.find(info, item_id)
        invoice = actions.issue_run_item(item, actor=info.context.user)
        return cls.success(item=_item_type(item), invoice=_invoice_type(invoice))


class _InvoiceMutation(BillingMutation_):
    class Meta:
        abstract = True

    invoice = graphene.Field(InvoiceType)

    @classmethod
    def find(cls, info: Any, invoice_id: str) -> Invoice:
        return _owned(info, Invoice, invoice_id, "Invoice", "invoiceId")  # type: ignore[no-any-return]


class VoidInvoice(_InvoiceMutation):
    """MSP admin: cancel an issued invoice with nothing paid or credited."""

    class Arguments:
        invoice_id = graphene.ID(required=True)
        reason = graphene.String(required=True)

    max_lengths = {"reason": 300}

    @classmethod
    def perform(cls, info: Any, invoice_id: str, reason: str) -> Any:
        invoice = actions.void_invoice(cls.find(info, invoice_id), actor=info.context.user, reason=reason)
        return cls.success(invoice=_invoice_type(invoice))


class MarkInvoiceUncollectible(_InvoiceMutation):
    """MSP admin: write off what is still owed."""

    class Arguments:
        invoice_id = graphene.ID(required=True)
        reason = graphene.String(required=True)

    max_lengths = {"reason": 300}

    @classmethod
    def perform(cls, info: Any, invoice_id: str, reason: str) -> Any:
        invoice = actions.mark_uncollectible(
            cls.find(info, invoice_id), actor=info.context.user, reason=reason
        )
        return cls.success(invoice=_invoice_type(invoice))


class CreateCreditNote(_InvoiceMutation):
    """MSP admin: credit part of an issued invoice (never more than is open)."""

    class Arguments:
        invoice_id = graphene.ID(required=True)
        amount = graphene.String(required=True, description="Gross, tax included.")
        reason = graphene.String(required=True)

    credit_note = graphene.Field(CreditNoteType)
    max_lengths = {"reason": 300, "amount": 40}

    @classmethod
    def perform(cls, info: Any, invoice_id: str, amount: str, reason: str) -> Any:
        invoice = cls.find(info, invoice_id)
        note = actions.create_credit_note(invoice, actor=info.context.user, amount=amount, reason=reason)
        return cls.success(
            credit_note=CreditNoteType.from_row(note, invoice.currency), invoice=_invoice_type(invoice)
        )


class RecordPayment(_InvoiceMutation):
    """MSP admin: money received (bank transfer, partial payments); never more than is due."""

    class Arguments:
        invoice_id = graphene.ID(required=True)
        amount = graphene.String(required=True)
        method = PaymentMethodEnum()
        reference = graphene.String()
        received_on = graphene.Date()

    payment = graphene.Field(PaymentType)
    max_lengths = {"reference": 120, "amount": 40}

    @classmethod
    def perform(
        cls,
        info: Any,
        invoice_id: str,
        amount: str,
        method: Any = None,
        reference: str = "",
        received_on: date | None = None,
    ) -> Any:
        invoice = cls.find(info, invoice_id)
        payment = actions.record_payment(
            invoice,
            actor=info.context.user,
            amount=amount,
            method=enum_value(method) if method else "bank_transfer",
            reference=reference or "",
            received_on=received_on,
        )
        return cls.success(
            payment=PaymentType.from_row(payment, invoice.currency), invoice=_invoice_type(invoice)
        )


class RefundInvoice(_InvoiceMutation):
    """MSP admin: give paid money back (part or all of what was paid) — a credit note of the
    amount plus the money returned; through Stripe (`STRIPE`) for an invoice Stripe collected,
    created there after the commit."""

    class Arguments:
        invoice_id = graphene.ID(required=True)
        amount = graphene.String(required=True, description="Gross, tax included.")
        reason = graphene.String(required=True)
        method = RefundMethodEnum()
        reference = graphene.String()

    credit_note = graphene.Field(CreditNoteType)
    max_lengths = {"reason": 300, "amount": 40, "reference": 120}

    @classmethod
    def perform(
        cls, info: Any, invoice_id: str, amount: str, reason: str, method: Any = None, reference: str = ""
    ) -> Any:
        invoice = cls.find(info, invoice_id)
        refund = actions.refund_invoice(
            invoice,
            actor=info.context.user,
            amount=amount,
            reason=reason,
            method=enum_value(method) if method else RefundMethod.BANK_TRANSFER,
            reference=reference or "",
        )
        invoice.refresh_from_db()
        return cls.success(
            credit_note=CreditNoteType.from_row(refund.credit_note, invoice.currency),
            invoice=_invoice_type(invoice),
        )


class _GrantMutation(BillingMutation_):
    class Meta:
        abstract = True

    class Arguments:
        client_slug = graphene.String()
        user_id = graphene.ID(required=True)

    profile = graphene.Field(BillingProfileType)


class GrantBillingAccess(_GrantMutation):
    """MSP admin or the client's IT lead: let a member see the client's billing."""

    @classmethod
    def perform(cls, info: Any, user_id: str, client_slug: str | None = None) -> Any:
        client = resolve_client(info.context, client_slug)
        ensure_may_grant_billing(info.context.user, client)
        actions.ensure_profile(client)
        pk = decode_id(user_id, "User", "userId")
        actions.grant_billing_access(client, actor=info.context.user, user_id=pk)  # type: ignore[arg-type]
        return cls.success(profile=_profile_type(client))


class RevokeBillingAccess(_GrantMutation):
    """MSP admin or the client's IT lead: a member no longer sees billing."""

    @classmethod
    def perform(cls, info: Any, user_id: str, client_slug: str | None = None) -> Any:
        client = resolve_client(info.context, client_slug)
        ensure_may_grant_billing(info.context.user, client)
        actions.ensure_profile(client)
        pk = decode_id(user_id, "User", "userId")
        actions.revoke_billing_access(client, actor=info.context.user, user_id=pk)  # type: ignore[arg-type]
        return cls.success(profile=_profile_type(client))


class BillingMutation(graphene.ObjectType):
    save_billing_profile = SaveBillingProfile.Field(required=True)
    create_contract = CreateContract.Field(required=True)
    update_contract = UpdateContract.Field(required=True)
    add_contract_line = AddContractLine.Field(required=True)
    change_contract_line = ChangeContractLine.Field(required=True)
    end_contract_line = EndContractLine.Field(required=True)
    start_billing_run = StartBillingRun.Field(required=True)
    adjust_usage = AdjustUsage.Field(required=True)
    approve_run_item = ApproveRunItem.Field(required=True)
    redraft_run_item = RedraftRunItem.Field(required=True)
    issue_run_item = IssueRunItem.Field(required=True)
    void_invoice = VoidInvoice.Field(required=True)
    mark_invoice_uncollectible = MarkInvoiceUncollectible.Field(required=True)
    create_credit_note = CreateCreditNote.Field(required=True)
    refund_invoice = RefundInvoice.Field(required=True)
    record_payment = RecordPayment.Field(required=True)
    grant_billing_access = GrantBillingAccess.Field(required=True)
    revoke_billing_access = RevokeBillingAccess.Field(required=True)
