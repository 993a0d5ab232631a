"""Billing use cases: one transaction each, with the acting user explicit.

Authorisation is the caller's (`billing.access`, by the GraphQL mutations); these functions
check what only they can know (state, amounts, overlaps) and raise `ActionError` with a
code, writing nothing. Rules: docs/billing.md.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from billing import mrr
from billing.models import (
    BillingGrant,
    BillingProfile,
    BlockHourPeriod,
    CollectionMethod,
    Contract,
    ContractLine,
    CreditNote,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    NumberSequence,
    Payment,
    PaymentMethod,
    PricingModel,
    Refund,
    RefundMethod,
    RefundStatus,
    RunItem,
    RunItemStatus,
    ServiceLine,
    UsageSnapshot,
)
from billing.money import is_currency, round_money
from billing.periods import Period
from billing.runs import price_item
from billing.stripe_gateway import enqueue_push, enqueue_refund, enqueue_sync
from core.errors import ActionError, FieldError
from core.tasks import enqueue_on_commit
from tenants.models import Client, ClientRole, Membership, User

EMAIL_TASK = "billing.email_invoice"
ISSUED_HOOK_TASKS: list[str] = []  # gateways append task names run (via the outbox) on issue

MAX_QUANTITY = Decimal("9999999999")  # QUANTITY columns: 14 digits, 4 places
MAX_PRICE = Decimal("99999999999999")  # MONEY columns: 18 digits, 4 places
MAX_SLA_TIERS = 10
DECIMAL_TEXT = re.compile(r"^-?\d{1,18}(\.\d{1,8})?$")

PAYABLE = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.UNCOLLECTIBLE)


# ------------------------------------------------------------------ input helpers


def parse_decimal(
    value: Any,
    field: str,
    *,
    minimum: Decimal = Decimal(0),
    maximum: Decimal = MAX_PRICE,
    places: int = 4,
    strictly_positive: bool = False,
) -> Decimal:
    """A decimal from text or a number: no floats' noise, no exponents, within bounds."""
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip() if value is not None else ""
    if not text:
        raise ActionError.single("REQUIRED", "Enter a number.", field)
    if not DECIMAL_TEXT.match(text):
        raise ActionError.single("INVALID", "Enter a plain number such as 12.50.", field)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ActionError.single("INVALID", "Enter a plain number such as 12.50.", field) from None
    if number < minimum or (strictly_positive and number <= 0):
        raise ActionError.single("NEGATIVE" if number < 0 else "INVALID", "Enter a positive number.", field)
    if number > maximum:
        raise ActionError.single("INVALID", f"Enter at most {maximum:,}.", field)
    if -number.as_tuple().exponent > places:  # type: ignore[operator]
        raise ActionError.single("INVALID", f"Use at most {places} decimal places.", field)
    return number


def _text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if "\x00" in value:
        raise ActionError.single("INVALID", "Remove the NUL character.", field)
    if required and not value:
        raise ActionError.single("REQUIRED", "This is required.", field)
    if len(value) > limit:
        raise ActionError.single("TOO_LONG", f"Keep it under {limit} characters.", field)
    return value


def _ensure_writable(client: Client) -> None:
    if client.status == "offboarded":
        raise ActionError.single("CLIENT_READ_ONLY", f"{client.name} is offboarded: billing can't change.")


# ------------------------------------------------------------------ profile


def ensure_profile(client: Client) -> BillingProfile:
    profile, _ = BillingProfile.objects.get_or_create(client=client)
    return profile


def save_billing_profile(client: Client, *, actor: User, **fields: Any) -> BillingProfile:
    """Change how a client is billed. The currency is fixed once an invoice exists in it."""
    errors: list[FieldError] = []
    clean: dict[str, Any] = {}
    if "currency" in fields and fields["currency"] is not None:
        currency = str(fields["currency"]).strip().upper()
        if not is_currency(currency):
            errors.append(
                FieldError("UNKNOWN_CURRENCY", "Use an ISO 4217 currency code such as EUR.", "currency")
            )
        clean["currency"] = currency
    if fields.get("billing_day") is not None:
        if not 1 <= int(fields["billing_day"]) <= 31:
            errors.append(FieldError("INVALID", "Billing day is 1 to 31.", "billingDay"))
        clean["billing_day"] = int(fields["billing_day"])
    if fields.get("payment_terms_days") is not None:
        if not 0 <= int(fields["payment_terms_days"]) <= 365:
            errors.append(FieldError("INVALID", "Payment terms are 0 to 365 days.", "paymentTermsDays"))
        clean["payment_terms_days"] = int(fields["payment_terms_days"])
    if fields.get("tax_rate") is not None:
        try:
            clean["tax_rate"] = parse_decimal(fields["tax_rate"], "taxRate", maximum=Decimal(100))
        except ActionError as exc:
            errors.extend(exc.errors)
    limits = {
        "tax_label": 40,
        "legal_name": 200,
        "address": 600,
        "tax_id": 60,
        "billing_contact_name": 200,
        "billing_email": 254,
    }
    for name, limit in limits.items():
        if fields.get(name) is not None:
            camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), name)
            try:
                clean[name] = _text(fields[name], camel, limit)
            except ActionError as exc:
                errors.extend(exc.errors)
    if clean.get("billing_email"):
        try:
            validate_email(clean["billing_email"])
        except ValidationError:
            errors.append(FieldError("INVALID", "Enter a valid e-mail address.", "billingEmail"))
    if fields.get("collection_method") is not None:
        if fields["collection_method"] not in CollectionMethod.values:
            errors.append(FieldError("INVALID", "Unknown collection method.", "collectionMethod"))
        clean["collection_method"] = fields["collection_method"]
    if "billing_contact_id" in fields:
        contact_id = fields["billing_contact_id"]
        if (
            contact_id is not None
            and not Membership.objects.filter(client=client, user_id=contact_id).exists()
        ):
            errors.append(FieldError("NOT_FOUND", "Choose a member of this client.", "billingContactId"))
        clean["billing_contact_id"] = contact_id
    if errors:
        raise ActionError(errors)
    _ensure_writable(client)
    with transaction.atomic():
        profile = ensure_profile(client)
        profile = BillingProfile.objects.select_for_update().get(pk=profile.pk)
        new_currency = clean.get("currency", profile.currency)
        if new_currency != profile.currency and Invoice.objects.filter(client=client).exists():
            raise ActionError.single(
                "CURRENCY_LOCKED",
                f"{client.name} already has invoices in {profile.currency}; currencies are never converted.",
                "currency",
            )
        for name, value in clean.items():
            setattr(profile, name, value)
        profile.updated_at = timezone.now()
        profile.save()
    return profile


# ------------------------------------------------------------------ contracts


def _sla_tiers(tiers: Any) -> list[dict[str, str]]:
    if not isinstance(tiers, list) or len(tiers) > MAX_SLA_TIERS:
        raise ActionError.single(
            "INVALID", f"Give at most {MAX_SLA_TIERS} SLA credit tiers.", "slaCreditTiers"
        )
    clean = []
    seen = set()
    for tier in tiers:
        below = parse_decimal(
            tier.get("below"), "slaCreditTiers", maximum=Decimal(100), strictly_positive=True
        )
        pct = parse_decimal(
            tier.get("percent"), "slaCreditTiers", maximum=Decimal(100), strictly_positive=True
        )
        if below in seen:
            raise ActionError.single("INVALID", "Each tier needs its own threshold.", "slaCreditTiers")
        seen.add(below)
        clean.append({"below": str(below), "percent": str(pct)})
    return sorted(clean, key=lambda t: Decimal(t["below"]), reverse=True)


def _contract_fields(fields: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if fields.get("name") is not None:
        clean["name"] = _text(fields["name"], "name", 120, required=True)
    if fields.get("notes") is not None:
        clean["notes"] = _text(fields["notes"], "notes", 2000)
    if fields.get("sla_credit_tiers") is not None:
        clean["sla_credit_tiers"] = _sla_tiers(fields["sla_credit_tiers"])
    if fields.get("sla_credit_cap_percent") is not None:
        clean["sla_credit_cap_percent"] = parse_decimal(
            fields["sla_credit_cap_percent"], "slaCreditCapPercent", maximum=Decimal(100), places=3
        )
    if fields.get("sla_credits_enabled") is not None:
        clean["sla_credits_enabled"] = bool(fields["sla_credits_enabled"])
    if fields.get("sla_minimum_outcomes") is not None:
        if not 1 <= int(fields["sla_minimum_outcomes"]) <= 10_000:
            raise ActionError.single("INVALID", "Between 1 and 10,000 outcomes.", "slaMinimumOutcomes")
        clean["sla_minimum_outcomes"] = int(fields["sla_minimum_outcomes"])
    if fields.get("time_rounding_minutes") is not None:
        if not 1 <= int(fields["time_rounding_minutes"]) <= 60:
            raise ActionError.single("INVALID", "Round time to 1 to 60 minutes.", "timeRoundingMinutes")
        clean["time_rounding_minutes"] = int(fields["time_rounding_minutes"])
    return clean


def _overlapping(
    client: Client, starts_on: date, ends_on: date | None, exclude: int | None = None
) -> Contract | None:
    found = Contract.objects.filter(client=client).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        found = found.filter(starts_on__lte=ends_on)
    if exclude:
        found = found.exclude(pk=exclude)
    return found.first()


def _overlap_error(other: Contract) -> ActionError:
    return ActionError.single(
        "OVERLAPPING_CONTRACT",
        f"This overlaps the contract “{other.name}” ({other.starts_on} – {other.ends_on or 'open'}); "
        "end that one first.",
        "startsOn",
    )


def _last_invoiced_day(client: Client) -> date | None:
    last = (
        Invoice.objects.filter(client=client, period_end__isnull=False)
        .exclude(status=InvoiceStatus.VOID)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    return None if last is None else last - timedelta(days=1)


def create_contract(
    client: Client, *, actor: User, starts_on: date, ends_on: date | None = None, **fields: Any
) -> Contract:
    """A new contract. Never overlaps another of the client's (checked here for the message,
    and by the exclusion constraint for two admins saving at once)."""
    clean = _contract_fields(fields)
    if "name" not in clean:
        raise ActionError.single("REQUIRED", "Name the contract.", "name")
    if ends_on is not None and ends_on < starts_on:
        raise ActionError.single("INVALID", "The contract ends before it starts.", "endsOn")
    _ensure_writable(client)
    with transaction.atomic():
        ensure_profile(client)
        # Serialise contract changes of one client (the constraint is the last word).
        Client.objects.select_for_update().filter(pk=client.pk).first()
        other = _overlapping(client, starts_on, ends_on)
        if other is not None:
            raise _overlap_error(other)
        try:
            with transaction.atomic():
                contract = Contract.objects.create(
                    client=client, starts_on=starts_on, ends_on=ends_on, created_by=actor, **clean
                )
        except IntegrityError:
            raise ActionError.single(
                "OVERLAPPING_CONTRACT", "Another contract now covers these dates.", "startsOn"
            ) from None
    return contract


def update_contract(contract: Contract, *, actor: User, **fields: Any) -> Contract:
    """Change a contract's terms or dates. Dates never uncover a period already invoiced."""
    clean = _contract_fields(fields)
    client = contract.client
    _ensure_writable(client)
    with transaction.atomic():
        Client.objects.select_for_update().filter(pk=client.pk).first()
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        starts_on = fields.get("starts_on") or contract.starts_on
        ends_on = fields.get("ends_on", contract.ends_on)
        if ends_on is not None and ends_on < starts_on:
            raise ActionError.single("INVALID", "The contract ends before it starts.", "endsOn")
        last = _last_invoiced_day(client)
        if last is not None and (starts_on != contract.starts_on or ends_on != contract.ends_on):
            if starts_on > contract.starts_on and contract.starts_on <= last:
                raise ActionError.single(
                    "ALREADY_INVOICED", f"Invoiced up to {last}: the start can't move.", "startsOn"
                )
            if ends_on is not None and ends_on < last:
                raise ActionError.single(
                    "ALREADY_INVOICED",
                    f"Invoiced up to {last}: end the contract on or after that day.",
                    "endsOn",
                )
        other = _overlapping(client, starts_on, ends_on, exclude=contract.pk)
        if other is not None:
            raise _overlap_error(other)
        for name, value in clean.items():
            setattr(contract, name, value)
        contract.starts_on, contract.ends_on = starts_on, ends_on
        contract.updated_at = timezone.now()
        try:
            with transaction.atomic():
                contract.save()
        except IntegrityError:
            raise ActionError.single(
                "OVERLAPPING_CONTRACT", "Another contract now covers these dates.", "startsOn"
            ) from None
    return contract


def _line_fields(fields: dict[str, Any], pricing_model: str) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if fields.get("description") is not None:
        clean["description"] = _text(fields["description"], "description", 200, required=True)
    if fields.get("quantity") is not None:
        clean["quantity"] = parse_decimal(fields["quantity"], "quantity", maximum=MAX_QUANTITY)
    if fields.get("unit_price") is not None:
        clean["unit_price"] = parse_decimal(fields["unit_price"], "unitPrice")
    if fields.get("service_line") is not None:
        if fields["service_line"] not in ServiceLine.values:
            raise ActionError.single("INVALID", "Unknown service line.", "serviceLine")
        clean["service_line"] = fields["service_line"]
    if fields.get("included_hours") is not None:
        hours = parse_decimal(fields["included_hours"], "includedHours", maximum=Decimal(100_000), places=2)
        minutes = hours * 60
        if minutes != minutes.to_integral_value():
            raise ActionError.single("INVALID", "Give whole minutes (e.g. 12.5 hours).", "includedHours")
        clean["included_minutes"] = int(minutes)
    if fields.get("overage_rate") is not None:
        clean["overage_rate"] = parse_decimal(fields["overage_rate"], "overageRate")
    if fields.get("rollover_periods") is not None:
        if not 0 <= int(fields["rollover_periods"]) <= 24:
            raise ActionError.single("INVALID", "Roll over for 0 to 24 periods.", "rolloverPeriods")
        clean["rollover_periods"] = int(fields["rollover_periods"])
    if fields.get("position") is not None:
        clean["position"] = max(0, min(int(fields["position"]), 1000))
    if pricing_model != PricingModel.BLOCK_HOURS and (
        clean.get("included_minutes") or clean.get("overage_rate") or clean.get("rollover_periods")
    ):
        raise ActionError.single(
            "INVALID", "Hours, overage and rollover belong to block-hours lines.", "pricingModel"
        )
    return clean


def add_contract_line(
    contract: Contract,
    *,
    actor: User,
    pricing_model: str,
    starts_on: date | None = None,
    ends_on: date | None = None,
    **fields: Any,
) -> ContractLine:
    """Add a line to a contract (dates default to the contract's)."""
    if pricing_model not in PricingModel.values:
        raise ActionError.single("INVALID", "Unknown pricing model.", "pricingModel")
    clean = _line_fields(fields, pricing_model)
    if "description" not in clean:
        raise ActionError.single("REQUIRED", "Describe the line.", "description")
    if "unit_price" not in clean:
        raise ActionError.single("REQUIRED", "Give a price.", "unitPrice")
    starts_on = starts_on or contract.starts_on
    if starts_on < contract.starts_on or (contract.ends_on and starts_on > contract.ends_on):
        raise ActionError.single("INVALID", "The line starts outside the contract.", "startsOn")
    if ends_on is not None and ends_on < starts_on:
        raise ActionError.single("INVALID", "The line ends before it starts.", "endsOn")
    if pricing_model == PricingModel.ONE_OFF:
        ends_on = starts_on
    last = _last_invoiced_day(contract.client)
    if last is not None and starts_on <= last:
        raise ActionError.single(
            "ALREADY_INVOICED", f"Invoiced up to {last}: start the line after that day.", "startsOn"
        )
    _ensure_writable(contract.client)
    with transaction.atomic():
        return ContractLine.objects.create(
            contract=contract,
            client_id=contract.client_id,
            pricing_model=pricing_model,
            starts_on=starts_on,
            ends_on=ends_on,
            **clean,
        )


def _line_invoiced(line: ContractLine) -> bool:
    return (
        InvoiceLine.objects.filter(contract_line=line).exclude(invoice__status=InvoiceStatus.DRAFT).exists()
    )


def change_contract_line(
    line: ContractLine, *, actor: User, effective_on: date, **fields: Any
) -> ContractLine:
    """Change a line's quantity, price or terms from `effective_on`.

    From the line's first day, and never invoiced: changed in place. Otherwise the line ends
    the day before and a new version starts (`replaces`): each run of days at one quantity
    or price becomes its own prorated invoice line (BILLING_CONVENTIONS §3)."""
    clean = _line_fields(fields, line.pricing_model)
    if not clean:
        raise ActionError.single("REQUIRED", "Change something.", None)
    _ensure_writable(line.contract.client)
    with transaction.atomic():
        line = ContractLine.objects.select_for_update().select_related("contract").get(pk=line.pk)
        last = _last_invoiced_day(line.contract.client)
        if last is not None and effective_on <= last:
            raise ActionError.single(
                "ALREADY_INVOICED",
                f"Invoiced up to {last}: changes take effect after that day.",
                "effectiveOn",
            )
        if line.ends_on is not None and effective_on > line.ends_on:
            raise ActionError.single("INVALID", "The line has ended by then.", "effectiveOn")
        if line.pricing_model == PricingModel.ONE_OFF or (
            effective_on <= line.starts_on and not _line_invoiced(line)
        ):
            if effective_on < line.contract.starts_on:
                raise ActionError.single("INVALID", "That is before the contract starts.", "effectiveOn")
            for name, value in clean.items():
                setattr(line, name, value)
            if line.pricing_model != PricingModel.ONE_OFF:
                line.starts_on = (
                    min(line.starts_on, effective_on)
                    if effective_on >= line.contract.starts_on
                    else line.starts_on
                )
            line.save()
            return line
        successor = ContractLine(
            contract=line.contract,
            client_id=line.client_id,
            pricing_model=line.pricing_model,
            service_line=line.service_line,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            included_minutes=line.included_minutes,
            overage_rate=line.overage_rate,
            rollover_periods=line.rollover_periods,
            starts_on=effective_on,
            ends_on=line.ends_on,
            replaces=line,
            position=line.position,
        )
        for name, value in clean.items():
            setattr(successor, name, value)
        line.ends_on = effective_on - timedelta(days=1)
        line.save(update_fields=["ends_on"])
        successor.save()
    return successor


def end_contract_line(line: ContractLine, *, actor: User, ends_on: date) -> ContractLine:
    """Stop charging a line after `ends_on` (the last day charged)."""
    _ensure_writable(line.contract.client)
    with transaction.atomic():
        line = ContractLine.objects.select_for_update().select_related("contract").get(pk=line.pk)
        last = _last_invoiced_day(line.contract.client)
        if last is not None and ends_on < last:
            raise ActionError.single(
                "ALREADY_INVOICED", f"Invoiced up to {last}: end it on or after that day.", "endsOn"
            )
        if ends_on < line.starts_on - timedelta(days=1):
            raise ActionError.single("INVALID", "The line ends before it starts.", "endsOn")
        if ends_on < line.starts_on:
            if _line_invoiced(line):
                raise ActionError.single("ALREADY_INVOICED", "This line is on an issued invoice.", "endsOn")
            line.delete()  # never in service: removed, not ended
            return line
        line.ends_on = ends_on
        line.save(update_fields=["ends_on"])
    return line


# ------------------------------------------------------------------ review of drafts


def _locked_item(item: RunItem) -> RunItem:
    return RunItem.objects.select_for_update().get(pk=item.pk)


def _refuse_if_later_drafted(item: RunItem) -> None:
    if (
        RunItem.objects.filter(client_id=item.client_id, period_start__gt=item.period_start)
        .exclude(status__in=[RunItemStatus.FAILED, RunItemStatus.QUEUED])
        .exists()
    ):
        raise ActionError.single(
            "LATER_PERIOD_DRAFTED", "A later period is already drafted; block hours roll over from this one."
        )


def adjust_usage(snapshot: UsageSnapshot, *, actor: User, quantity: Any, reason: str) -> UsageSnapshot:
    """Bill another quantity than counted, with a reason (kept); the draft is re-priced and
    needs approving again."""
    billed = parse_decimal(quantity, "quantity", maximum=MAX_QUANTITY)
    if snapshot.kind == "minutes" and billed != billed.to_integral_value():
        raise ActionError.single("INVALID", "Minutes are whole numbers.", "quantity")
    reason = _text(reason, "reason", 300, required=True)
    with transaction.atomic():
        item = _locked_item(snapshot.run_item)
        if item.status not in (RunItemStatus.DRAFT, RunItemStatus.APPROVED):
            raise ActionError.single("INVALID_STATE", "Only drafts under review can be adjusted.")
        _refuse_if_later_drafted(item)
        snapshot = UsageSnapshot.objects.select_for_update().get(pk=snapshot.pk)
        snapshot.billed = billed
        snapshot.adjusted = True
        snapshot.adjustment_reason = reason
        snapshot.adjusted_by = actor
        snapshot.adjusted_at = timezone.now()
        snapshot.save()
        item.approved_by, item.approved_at = None, None
        item.status = RunItemStatus.DRAFT
        price_item(item)
    return snapshot


def approve_run_item(item: RunItem, *, actor: User) -> RunItem:
    """The admin has reviewed this draft: it may be issued."""
    with transaction.atomic():
        item = _locked_item(item)
        if item.status != RunItemStatus.DRAFT:
            raise ActionError.single("INVALID_STATE", "Only drafts can be approved.")
        item.status = RunItemStatus.APPROVED
        item.approved_by = actor
        item.approved_at = timezone.now()
        item.updated_at = item.approved_at
        item.save()
    return item


def redraft_run_item(item: RunItem, *, actor: User) -> RunItem:
    """Count again and re-price a failed or unapproved draft (adjustments are dropped)."""
    from billing.runs import draft_item

    with transaction.atomic():
        item = _locked_item(item)
        if item.status not in (RunItemStatus.FAILED, RunItemStatus.DRAFT, RunItemStatus.NOTHING_TO_BILL):
            raise ActionError.single(
                "INVALID_STATE", "Only failed or unapproved drafts can be drafted again."
            )
        _refuse_if_later_drafted(item)
        UsageSnapshot.objects.filter(run_item=item).delete()
        BlockHourPeriod.objects.filter(run_item=item).delete()
        Invoice.objects.filter(run_item=item, status=InvoiceStatus.DRAFT).delete()
        item.status = RunItemStatus.QUEUED
        item.error = ""
        item.save()
        return draft_item(item.pk) or item


def issue_run_item(item: RunItem, *, actor: User, today: date | None = None) -> Invoice:
    """Issue the approved draft of a run item."""
    with transaction.atomic():
        item = _locked_item(item)
        if item.status != RunItemStatus.APPROVED:
            raise ActionError.single("NOT_APPROVED", "Approve the draft before issuing it.")
        invoice = Invoice.objects.get(run_item=item)
        invoice = issue_invoice(invoice, actor=actor, today=today)
        item.status = RunItemStatus.ISSUED
        item.updated_at = timezone.now()
        item.save()
    return invoice


def next_number(kind: str) -> tuple[int, str]:
    """Take the next number of `kind` in the caller's transaction (row lock held until it
    ends, so numbers follow issue order and a rollback gives the number back)."""
    prefixes = {NumberSequence.Kind.INVOICE: "INV-", NumberSequence.Kind.CREDIT_NOTE: "CN-"}
    NumberSequence.objects.get_or_create(kind=kind, defaults={"prefix": prefixes[kind]})  # type: ignore[index]
    sequence = NumberSequence.objects.select_for_update().get(kind=kind)
    number = sequence.next_number
    sequence.next_number = number + 1
    sequence.save(update_fields=["next_number"])
    return number, f"{sequence.prefix}{number:06d}"


def seller_details() -> dict[str, str]:
    return {
        "name": settings.BILLING_SELLER_NAME,
        "address": settings.BILLING_SELLER_ADDRESS,
        "tax_id": settings.BILLING_SELLER_TAX_ID,
        "email": settings.BILLING_SELLER_EMAIL,
        "bank_details": settings.BILLING_SELLER_BANK_DETAILS,
    }


def buyer_details(client: Client, profile: BillingProfile) -> dict[str, str]:
    return {
        "name": profile.legal_name or client.name,
        "address": profile.address,
        "tax_id": profile.tax_id,
        "contact": profile.billing_contact_name,
        "email": profile.billing_email,
        "tax_label": profile.tax_label or "Tax",
    }


def issue_invoice(invoice: Invoice, *, actor: User | None, today: date | None = None) -> Invoice:
    """Give a draft its number (gap-free, in issue order), dates and the parties' details;
    from now on it is never edited. The e-mail to the billing contact goes via the outbox."""
    today = today or timezone.localdate()
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("client").get(pk=invoice.pk)
        if invoice.status != InvoiceStatus.DRAFT:
            raise ActionError.single("INVALID_STATE", "This invoice is already issued.")
        if not invoice.lines.exists():  # type: ignore[attr-defined]
            raise ActionError.single("INVALID_STATE", "An invoice needs at least one line.")
        profile = ensure_profile(invoice.client)
        invoice.number, invoice.number_display = next_number(NumberSequence.Kind.INVOICE)
        invoice.issued_on = today
        invoice.due_on = today + timedelta(days=profile.payment_terms_days)
        invoice.seller_details = seller_details()
        invoice.buyer_details = buyer_details(invoice.client, profile)
        invoice.collection_method = profile.collection_method
        invoice.issued_by = actor
        invoice.issued_at = timezone.now()
        invoice.status = InvoiceStatus.ISSUED
        _settle(invoice)
        invoice.updated_at = invoice.issued_at
        invoice.save()
        mrr.add_invoice(invoice)  # the dashboard's running MRR totals
        enqueue_on_commit(EMAIL_TASK, invoice.pk, dedupe_key=f"billing-invoice-email:{invoice.pk}")
        for task in ISSUED_HOOK_TASKS:
            enqueue_on_commit(task, invoice.pk, dedupe_key=f"{task}:{invoice.pk}")
        enqueue_push(invoice)  # to Stripe after the commit (nothing when Stripe is off)
    return invoice


def _settle(invoice: Invoice) -> None:
    """The status that follows from the amounts (issued, partially paid, paid, credited)."""
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOID):
        return
    if invoice.balance <= 0:
        invoice.status = (
            InvoiceStatus.PAID if invoice.amount_paid > 0 or invoice.total == 0 else InvoiceStatus.CREDITED
        )
        invoice.closed_at = invoice.closed_at or timezone.now()
    elif invoice.status != InvoiceStatus.UNCOLLECTIBLE:
        invoice.status = InvoiceStatus.PARTIALLY_PAID if invoice.amount_paid > 0 else InvoiceStatus.ISSUED


def void_invoice(invoice: Invoice, *, actor: User, reason: str) -> Invoice:
    """Cancel an issued invoice nothing was paid or credited on (the number stays used)."""
    reason = _text(reason, "reason", 300, required=True)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status != InvoiceStatus.ISSUED or invoice.amount_paid or invoice.amount_credited:
            raise ActionError.single(
                "INVALID_STATE",
                "Only issued invoices with no payment or credit note can be voided; issue a credit note.",
            )
        invoice.status = InvoiceStatus.VOID
        invoice.void_reason = reason
        invoice.closed_at = invoice.updated_at = timezone.now()
        invoice.save()
        mrr.remove_invoice(invoice)
        enqueue_sync(invoice)  # void the Stripe invoice too, after the commit
    return invoice


def mark_uncollectible(invoice: Invoice, *, actor: User, reason: str) -> Invoice:
    """Write off what is still owed (a later payment is still accepted)."""
    reason = _text(reason, "reason", 300, required=True)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID):
            raise ActionError.single("INVALID_STATE", "Only unpaid issued invoices can be written off.")
        invoice.status = InvoiceStatus.UNCOLLECTIBLE
        invoice.void_reason = reason
        invoice.closed_at = invoice.updated_at = timezone.now()
        invoice.save()
        enqueue_sync(invoice)  # mark the Stripe invoice uncollectible too
    return invoice


def create_credit_note(
    invoice: Invoice, *, actor: User, amount: Any, reason: str, today: date | None = None
) -> CreditNote:
    """Credit part or all of what is still open on an issued invoice (gross, tax included:
    the tax share is split out at the invoice's rate, rounded once)."""
    gross = parse_decimal(amount, "amount", strictly_positive=True)
    reason = _text(reason, "reason", 300, required=True)
    today = today or timezone.localdate()
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if invoice.status not in PAYABLE:
            raise ActionError.single(
                "INVALID_STATE", "Credit notes are for issued invoices with money still open."
            )
        if round_money(gross, invoice.currency) != gross:
            raise ActionError.single("INVALID", f"{invoice.currency} has no amounts that small.", "amount")
        if gross > invoice.balance:
            raise ActionError.single(
                "CREDIT_TOO_LARGE",
                f"At most {invoice.balance} {invoice.currency} is left to credit.",
                "amount",
            )
        net = round_money(Fraction(gross) * 100 / (100 + Fraction(invoice.tax_rate)), invoice.currency)
        number, display = next_number(NumberSequence.Kind.CREDIT_NOTE)
        note = CreditNote.objects.create(
            invoice=invoice,
            client_id=invoice.client_id,
            number=number,
            number_display=display,
            reason=reason,
            amount=net,
            tax_amount=gross - net,
            total=gross,
            issued_on=today,
            issued_by=actor,
        )
        invoice.amount_credited += gross
        _settle(invoice)
        invoice.updated_at = timezone.now()
        invoice.save()
        if invoice.status in (InvoiceStatus.PAID, InvoiceStatus.CREDITED):
            enqueue_sync(invoice)  # nothing left to collect at Stripe
    return note


def record_payment(
    invoice: Invoice,
    *,
    actor: User | None,
    amount: Any,
    method: str = PaymentMethod.BANK_TRANSFER,
    reference: str = "",
    received_on: date | None = None,
    stripe_payment_id: str = "",
) -> Payment:
    """Money received: never more than the balance; partial payments are kept one by one.
    With `stripe_payment_id`, a payment already recorded is returned, not added again."""
    value = parse_decimal(amount, "amount", strictly_positive=True)
    reference = _text(reference, "reference", 120)
    if method not in PaymentMethod.values:
        raise ActionError.single("INVALID", "Unknown payment method.", "method")
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate() + timedelta(days=1):
        raise ActionError.single("INVALID", "A payment can't be received in the future.", "receivedOn")
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if stripe_payment_id:
            existing = Payment.objects.filter(stripe_payment_id=stripe_payment_id).first()
            if existing is not None:
                return existing
        if invoice.status not in PAYABLE:
            raise ActionError.single("INVALID_STATE", "Only issued invoices with money open take payments.")
        if round_money(value, invoice.currency) != value:
            raise ActionError.single("INVALID", f"{invoice.currency} has no amounts that small.", "amount")
        if value > invoice.balance:
            raise ActionError.single(
                "OVERPAYMENT",
                f"At most {invoice.balance} {invoice.currency} is due on this invoice.",
                "amount",
            )
        payment = Payment.objects.create(
            invoice=invoice,
            client_id=invoice.client_id,
            amount=value,
            method=method,
            reference=reference,
            received_on=received_on,
            recorded_by=actor,
            stripe_payment_id=stripe_payment_id,
        )
        invoice.amount_paid += value
        if invoice.status == InvoiceStatus.UNCOLLECTIBLE and invoice.balance <= 0:
            invoice.status = InvoiceStatus.PAID
        _settle(invoice)
        invoice.updated_at = timezone.now()
        invoice.save()
        if not stripe_payment_id and invoice.status == InvoiceStatus.PAID:
            enqueue_sync(invoice)  # settled by hand: paid out of band at Stripe
    return payment


REFUNDABLE = (InvoiceStatus.PAID, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.UNCOLLECTIBLE)


def refund_invoice(
    invoice: Invoice,
    *,
    actor: User | None,
    amount: Any,
    reason: str,
    method: str = RefundMethod.BANK_TRANSFER,
    reference: str = "",
    today: date | None = None,
    stripe_refund_id: str = "",
) -> Refund:
    """Give paid money back — part or all of what was paid, never more (`REFUND_TOO_LARGE`).
    In the ledger: a credit note of the amount (numbered like any other, tax split out) and
    the amount taken off `amount_paid`, so the balance stays and the status follows
    (refunding everything of a paid invoice leaves it *credited*). MRR does not move (it
    counts issued charges, as for credit notes).

    `method` stripe: the refund is created at Stripe after the commit (`billing.stripe_refund`,
    only for an invoice Stripe collected), or — with `stripe_refund_id`, from a webhook — it
    was made at Stripe and is recorded once (a refund already recorded is returned)."""
    value = parse_decimal(amount, "amount", strictly_positive=True)
    reason = _text(reason, "reason", 300, required=True)
    reference = _text(reference, "reference", 120)
    if method not in RefundMethod.values:
        raise ActionError.single("INVALID", "Unknown refund method.", "method")
    today = today or timezone.localdate()
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if stripe_refund_id:
            existing = Refund.objects.filter(stripe_refund_id=stripe_refund_id).first()
            if existing is not None:
                return existing
        if invoice.status not in REFUNDABLE or invoice.amount_paid <= 0:
            raise ActionError.single("INVALID_STATE", "Only money paid on an issued invoice can be refunded.")
        if round_money(value, invoice.currency) != value:
            raise ActionError.single("INVALID", f"{invoice.currency} has no amounts that small.", "amount")
        if value > invoice.amount_paid:
            raise ActionError.single(
                "REFUND_TOO_LARGE",
                f"At most {invoice.amount_paid} {invoice.currency} was paid and not refunded.",
                "amount",
            )
        through_stripe = method == RefundMethod.STRIPE
        if (
            through_stripe
            and not stripe_refund_id
            and not (
                invoice.stripe_invoice_id and invoice.payments.exclude(stripe_payment_id="").exists()  # type: ignore[attr-defined]
            )
        ):
            raise ActionError.single(
                "NOT_PAID_THROUGH_STRIPE", "Stripe did not collect this invoice: refund it by hand.", "method"
            )
        net = round_money(Fraction(value) * 100 / (100 + Fraction(invoice.tax_rate)), invoice.currency)
        number, display = next_number(NumberSequence.Kind.CREDIT_NOTE)
        note = CreditNote.objects.create(
            invoice=invoice,
            client_id=invoice.client_id,
            number=number,
            number_display=display,
            reason=f"Refund: {reason}"[:300],
            amount=net,
            tax_amount=value - net,
            total=value,
            issued_on=today,
            issued_by=actor,
        )
        refund = Refund.objects.create(
            invoice=invoice,
            client_id=invoice.client_id,
            credit_note=note,
            amount=value,
            method=method,
            status=(
                RefundStatus.SUCCEEDED
                if stripe_refund_id
                else RefundStatus.PENDING
                if through_stripe
                else RefundStatus.RECORDED
            ),
            reason=reason,
            reference=reference,
            refunded_on=today,
            stripe_refund_id=stripe_refund_id,
            recorded_by=actor,
        )
        invoice.amount_paid -= value
        invoice.amount_credited += value
        invoice.amount_refunded += value
        _settle(invoice)
        invoice.updated_at = timezone.now()
        invoice.save()
        if through_stripe and not stripe_refund_id:
            enqueue_refund(refund)  # created at Stripe after the commit
    return refund


# ------------------------------------------------------------------ who sees billing


def grant_billing_access(client: Client, *, actor: User, user_id: int) -> BillingGrant:
    """Let a member of the client see its billing."""
    membership = Membership.objects.filter(client=client, user_id=user_id).first()
    if membership is None:
        raise ActionError.single("NOT_FOUND", "Choose a member of this client.", "userId")
    if membership.role == ClientRole.IT_LEAD:
        raise ActionError.single("INVALID", "IT leads always see billing.", "userId")
    with transaction.atomic():
        grant, _ = BillingGrant.objects.get_or_create(
            client=client, user_id=user_id, defaults={"granted_by": actor}
        )
    return grant


def revoke_billing_access(client: Client, *, actor: User, user_id: int) -> int:
    with transaction.atomic():
        deleted, _ = BillingGrant.objects.filter(client=client, user_id=user_id).delete()
    return deleted


def period_of(invoice: Invoice) -> Period | None:
    if invoice.period_start is None or invoice.period_end is None:
        return None
    return Period(invoice.period_start, invoice.period_end)
