"""Billing data: the MSP's records about each client (public schema, `client_id` on every row).

Reached through `billing.access` (who may see money) and `billing.selectors`; written only by
`billing.actions` (and the Stripe gateway's functions for the `stripe_*` fields). Money is
`Decimal` with the currency of the client's billing profile; amounts are stored already
rounded to the currency's minor unit (`billing.money`). Conventions: docs/billing.md.

    BillingProfile ─ one per client: currency, billing day, terms, tax, contact, Stripe ids
    Contract ─< ContractLine          what is sold, by pricing model, with dates
    BillingRun ─< RunItem ─ Invoice   one run (a day's batch); one item per (client, period)
                  RunItem ─< UsageSnapshot      counted quantities, reviewed before issue
    Invoice ─< InvoiceLine, ─< CreditNote, ─< Payment
    BlockHourPeriod                   the block-hours ledger per line and period (rollover)
    NumberSequence                    gap-free numbers per document kind (locked row)
    BillingGrant                      a client member allowed to see billing
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pghistory
from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import RangeOperators
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils.timezone import now

from core.history import trackers
from tenants.models import Client

MONEY: dict[str, Any] = {"max_digits": 18, "decimal_places": 4}
QUANTITY: dict[str, Any] = {"max_digits": 14, "decimal_places": 4}


class ServiceLine(models.TextChoices):
    """What a contract line is for: MRR is reported per service line; SLA credits apply to
    the support lines (BILLING_CONVENTIONS §6)."""

    SUPPORT = "support", "End-user support"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"
    SECURITY = "security", "Security"
    OTHER = "other", "Other"


class CollectionMethod(models.TextChoices):
    """How an issued invoice is collected (the Stripe gateway follows it)."""

    SEND_INVOICE = "send_invoice", "Send the invoice; the client pays it"
    CHARGE_AUTOMATICALLY = "charge_automatically", "Charge the client's saved payment method"


@pghistory.track(*trackers())
class BillingProfile(models.Model):
    """How one client is billed: currency (ISO 4217, never converted), billing day (1..31;
    beyond a month's end = its last day), payment terms (net N days), one tax rate, the
    billing contact, and the Stripe customer and collection method (`billing.stripe_gateway`)."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="billing_profile")
    currency = models.CharField(max_length=3, default="USD")
    billing_day = models.PositiveSmallIntegerField(default=1)
    payment_terms_days = models.PositiveSmallIntegerField(default=30, help_text="Net N days.")
    tax_rate = models.DecimalField(
        max_digits=7, decimal_places=4, default=Decimal(0), help_text="Percent, e.g. 20.0000 for 20 %."
    )
    tax_label = models.CharField(max_length=40, default="Tax", blank=True)
    legal_name = models.CharField(max_length=200, blank=True, help_text="Printed on invoices; else the name.")
    address = models.TextField(max_length=600, blank=True)
    tax_id = models.CharField(max_length=60, blank=True)
    billing_contact_name = models.CharField(max_length=200, blank=True)
    billing_email = models.EmailField(blank=True, help_text="Where invoices are e-mailed.")
    billing_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A portal user who receives invoices (access re-checked at send time).",
    )
    collection_method = models.CharField(
        max_length=24, choices=CollectionMethod.choices, default=CollectionMethod.SEND_INVOICE
    )
    stripe_customer_id = models.CharField(max_length=64, blank=True, default="")
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(billing_day__gte=1, billing_day__lte=31), name="billing_day_1_31"
            ),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lte=100), name="billing_tax_rate_0_100"
            ),
            models.UniqueConstraint(
                fields=["stripe_customer_id"],
                condition=~Q(stripe_customer_id=""),
                name="billing_stripe_customer_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Billing of {self.client_id} ({self.currency})"


def default_sla_tiers() -> list[dict[str, str]]:
    """BILLING_CONVENTIONS §6: below 95 % met → 5 %, below 90 % → 10 %, below 80 % → 20 %."""
    return [
        {"below": "95", "percent": "5"},
        {"below": "90", "percent": "10"},
        {"below": "80", "percent": "20"},
    ]


class DateRange(Func):
    """`daterange(start, end, '[]')`: the contract's days, an open end when `end` is null."""

    function = "daterange"
    output_field = models.DateField()  # only used inside the exclusion constraint


@pghistory.track(*trackers())
class Contract(models.Model):
    """What a client buys, from `starts_on` to `ends_on` (inclusive; open when null).

    A client's contracts never overlap (a PostgreSQL exclusion constraint, so two admins
    saving at once cannot both succeed). SLA credit terms: `sla_credit_tiers` (a list of
    {"below": met %, "percent": credit % of the support lines}) and a cap in percent of the
    invoice's charges before credits. Time entries are rounded up per entry to
    `time_rounding_minutes` before block hours are counted."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="contracts")
    name = models.CharField(max_length=120)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    sla_credits_enabled = models.BooleanField(default=True)
    sla_credit_tiers = models.JSONField(default=default_sla_tiers)
    sla_credit_cap_percent = models.DecimalField(max_digits=6, decimal_places=3, default=Decimal(10))
    sla_minimum_outcomes = models.PositiveSmallIntegerField(
        default=5, help_text="Credits apply only when at least this many SLA outcomes were judged."
    )
    time_rounding_minutes = models.PositiveSmallIntegerField(default=6)
    notes = models.TextField(max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["client_id", "-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(time_rounding_minutes__gte=1, time_rounding_minutes__lte=60),
                name="contract_time_rounding_1_60",
            ),
            ExclusionConstraint(
                name="contract_no_overlap_per_client",
                expressions=[
                    (F("client"), RangeOperators.EQUAL),
                    (DateRange(F("starts_on"), F("ends_on"), Value("[]")), RangeOperators.OVERLAPS),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.starts_on}–{self.ends_on or 'open'})"


class PricingModel(models.TextChoices):
    FLAT = "flat", "Flat monthly"
    PER_SEAT = "per_seat", "Per seat (active client users)"
    PER_DEVICE = "per_device", "Per managed device"
    BLOCK_HOURS = "block_hours", "Block of hours"
    ONE_OFF = "one_off", "One-off charge"


RECURRING_MODELS = (
    PricingModel.FLAT,
    PricingModel.PER_SEAT,
    PricingModel.PER_DEVICE,
    PricingModel.BLOCK_HOURS,
)


@pghistory.track(*trackers())
class ContractLine(models.Model):
    """One thing sold under a contract.

    - flat: `quantity` × `unit_price` a month;
    - per seat / per device: the counted quantity (snapshotted at the run, reviewed) ×
      `unit_price`; `quantity` is the contracted number the count is compared with;
    - block hours: `unit_price` a month for `included_minutes`; work beyond them at
      `overage_rate` per hour; unused minutes roll over for `rollover_periods` (0 = off);
    - one-off: `quantity` × `unit_price` once, on `starts_on`, never prorated.

    A change in the middle of a period ends the line the day before and starts a new one
    (`billing.actions.change_contract_line`), so each run of days at one quantity or price is
    its own prorated invoice line (BILLING_CONVENTIONS §3)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="lines")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    pricing_model = models.CharField(max_length=16, choices=PricingModel.choices)
    service_line = models.CharField(max_length=16, choices=ServiceLine.choices, default=ServiceLine.SUPPORT)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(**QUANTITY, default=Decimal(1))
    unit_price = models.DecimalField(**MONEY)
    included_minutes = models.PositiveIntegerField(default=0)
    overage_rate = models.DecimalField(**MONEY, default=Decimal(0), help_text="Per hour beyond the block.")
    rollover_periods = models.PositiveSmallIntegerField(default=0, help_text="0 = unused hours expire.")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["contract_id", "position", "starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="contract_line_quantity_not_negative"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="contract_line_price_not_negative"),
            models.CheckConstraint(
                condition=Q(overage_rate__gte=0), name="contract_line_overage_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")), name="contract_line_dates"
            ),
        ]
        indexes = [models.Index(fields=["client", "starts_on"], name="contract_line_client_idx")]

    def __str__(self) -> str:
        return self.description


class NumberSequence(models.Model):
    """The next number of one document kind, for the whole MSP: locked (`SELECT … FOR
    UPDATE`) in the transaction that issues the document, so numbers are gap-free and unique
    in issue order even with concurrent issuers (a rolled-back issue gives its number back)."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        CREDIT_NOTE = "credit_note", "Credit note"

    kind = models.CharField(max_length=16, choices=Kind.choices, unique=True)
    prefix = models.CharField(max_length=12)
    next_number = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.prefix} next {self.next_number}"


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"


class RunTrigger(models.TextChoices):
    BEAT = "beat", "Daily schedule"
    COMMAND = "command", "Command line"
    MANUAL = "manual", "Started in the portal"


class BillingRun(models.Model):
    """One batch of drafting: the daily schedule, `manage.py run_billing`, or an admin.

    Progress is its items counted by status (the SPA polls `billingRun(id)`); a failed
    client is one failed item, the others go on."""

    run_on = models.DateField(help_text="The day the run bills for (period ends).")
    trigger = models.CharField(max_length=12, choices=RunTrigger.choices)
    status = models.CharField(max_length=12, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    total_items = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Billing run {self.pk} for {self.run_on}"


class RunItemStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    DRAFT = "draft", "Draft: to review"
    APPROVED = "approved", "Approved"
    ISSUED = "issued", "Issued"
    NOTHING_TO_BILL = "nothing_to_bill", "Nothing to bill"
    FAILED = "failed", "Failed"


class RunItem(models.Model):
    """One client's period in a run: unique per (client, period) in the database, so a
    re-run, a retried task or two workers never draft a second invoice for it."""

    run = models.ForeignKey(BillingRun, on_delete=models.PROTECT, related_name="items")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="billing_run_items")
    contract = models.ForeignKey(Contract, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField(help_text="Exclusive.")
    status = models.CharField(max_length=16, choices=RunItemStatus.choices, default=RunItemStatus.QUEUED)
    error = models.CharField(max_length=300, blank=True, help_text="Why drafting failed (no exception text).")
    sla_judged = models.PositiveIntegerField(default=0, help_text="SLA outcomes judged in the period.")
    sla_met = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["run_id", "client__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "period_start"], name="run_item_once_per_client_period"
            ),
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")), name="run_item_period"),
        ]
        indexes = [models.Index(fields=["run", "status"], name="run_item_run_status_idx")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.period_start}–{self.period_end} ({self.status})"


class UsageKind(models.TextChoices):
    SEATS = "seats", "Active client users"
    DEVICES = "devices", "Managed devices"
    MINUTES = "minutes", "Billable minutes (rounded per entry)"


class UsageSnapshot(models.Model):
    """A counted quantity at the run, next to the contracted number and last period's
    billed one. `live_count` is null when there is nothing to count from (no device
    inventory yet): then the contracted number is proposed and never an invented count.
    The admin may adjust the billed quantity with a reason (kept) before approving."""

    run_item = models.ForeignKey(RunItem, on_delete=models.CASCADE, related_name="snapshots")
    contract_line = models.ForeignKey(ContractLine, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=UsageKind.choices)
    live_count = models.DecimalField(**QUANTITY, null=True, blank=True)
    contracted = models.DecimalField(**QUANTITY)
    previous = models.DecimalField(**QUANTITY, null=True, blank=True, help_text="Billed last period.")
    billed = models.DecimalField(**QUANTITY, help_text="What the invoice charges (after any adjustment).")
    adjusted = models.BooleanField(default=False)
    adjustment_reason = models.CharField(max_length=300, blank=True)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    adjusted_at = models.DateTimeField(null=True, blank=True)
    counted_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["run_item_id", "contract_line__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["run_item", "contract_line"], name="usage_snapshot_once_per_line"
            ),
            models.CheckConstraint(condition=Q(billed__gte=0), name="usage_snapshot_billed_not_negative"),
            models.CheckConstraint(
                condition=Q(adjusted=False) | ~Q(adjustment_reason=""), name="usage_adjustment_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.billed}"

    @property
    def drift(self) -> Decimal | None:
        """Live count minus the contracted number (None without a count)."""
        return None if self.live_count is None else self.live_count - self.contracted


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    CREDITED = "credited", "Credited in full"
    VOID = "void", "Void"
    UNCOLLECTIBLE = "uncollectible", "Uncollectible"


OPEN_INVOICE_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID)
# Issued and not voided: what counts as billed (MRR, SLA credits given).
ISSUED_STATES = (
    InvoiceStatus.ISSUED,
    InvoiceStatus.PARTIALLY_PAID,
    InvoiceStatus.PAID,
    InvoiceStatus.CREDITED,
    InvoiceStatus.UNCOLLECTIBLE,
)


@pghistory.track(*trackers())
class Invoice(models.Model):
    """A bill to one client for one period (or a manual one), in the client's currency.

    Drafts are recomputed while reviewed; issuing gives the number (gap-free per MSP),
    freezes the lines and copies the MSP's and the client's details. Issued invoices are
    never edited: corrections are credit notes; payments and credit notes move the status.

    total = subtotal (charges) + credit_total (SLA credits, ≤ 0) + tax_amount;
    balance = total − credited (credit notes) − paid (payments, net of refunds). A refund
    gives paid money back with a credit note of the same amount, so the balance stays."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="invoices")
    run_item = models.OneToOneField(
        RunItem, null=True, blank=True, on_delete=models.PROTECT, related_name="invoice"
    )
    number = models.PositiveIntegerField(null=True, blank=True, unique=True)
    number_display = models.CharField(max_length=24, blank=True)
    status = models.CharField(max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    currency = models.CharField(max_length=3)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True, help_text="Exclusive.")
    issued_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    subtotal = models.DecimalField(**MONEY, default=Decimal(0), help_text="Sum of the charge lines.")
    credit_total = models.DecimalField(
        **MONEY, default=Decimal(0), help_text="Sum of the SLA credit lines (≤ 0)."
    )
    tax_rate = models.DecimalField(max_digits=7, decimal_places=4, default=Decimal(0))
    tax_amount = models.DecimalField(**MONEY, default=Decimal(0))
    total = models.DecimalField(**MONEY, default=Decimal(0))
    amount_paid = models.DecimalField(**MONEY, default=Decimal(0))
    amount_credited = models.DecimalField(**MONEY, default=Decimal(0), help_text="Credit notes issued.")
    amount_refunded = models.DecimalField(
        **MONEY,
        default=Decimal(0),
        help_text="Paid money given back (refunds); already taken off amount_paid and credited.",
    )
    seller_details = models.JSONField(default=dict, help_text="The MSP's details, copied at issue.")
    buyer_details = models.JSONField(default=dict, help_text="The client's details, copied at issue.")
    collection_method = models.CharField(
        max_length=24, choices=CollectionMethod.choices, default=CollectionMethod.SEND_INVOICE
    )
    stripe_invoice_id = models.CharField(max_length=64, blank=True, default="")
    stripe_hosted_url = models.URLField(max_length=500, blank=True, default="")
    void_reason = models.CharField(max_length=300, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="Paid, credited, void or written off.")
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-issued_on", "-number", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft", number__isnull=True)
                | (~Q(status="draft") & Q(number__isnull=False)),
                name="invoice_numbered_once_issued",
            ),
            models.CheckConstraint(condition=Q(amount_paid__gte=0), name="invoice_paid_not_negative"),
            models.CheckConstraint(condition=Q(amount_credited__gte=0), name="invoice_credited_not_negative"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount_credited")),
                name="invoice_refunds_credited",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__lte=F("total") - F("amount_credited")), name="invoice_never_overpaid"
            ),
            models.UniqueConstraint(
                fields=["stripe_invoice_id"],
                condition=~Q(stripe_invoice_id=""),
                name="invoice_stripe_id_once",
            ),
        ]
        indexes = [
            models.Index(fields=["client", "-issued_on"], name="invoice_client_issued_idx"),
            models.Index(fields=["status", "due_on"], name="invoice_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.number_display or f"Draft invoice {self.pk}"

    @property
    def balance(self) -> Decimal:
        """What is still owed: total − credit notes − payments."""
        return self.total - self.amount_credited - self.amount_paid

    @property
    def creditable(self) -> Decimal:
        """What a further credit note may still credit (BILLING_CONVENTIONS §8)."""
        return self.total - self.amount_credited


class LineKind(models.TextChoices):
    CHARGE = "charge", "Charge"
    OVERAGE = "overage", "Hours beyond the block"
    ONE_OFF = "one_off", "One-off charge"
    SLA_CREDIT = "sla_credit", "SLA credit"


class InvoiceLine(models.Model):
    """One line: amount = round(quantity × unit_price × factor_numerator / factor_denominator)
    half-up to the minor unit. The factor carries proration (days in service / days in the
    period) or the minutes-to-hours step of overage (1/60); 1/1 otherwise."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    contract_line = models.ForeignKey(
        ContractLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=LineKind.choices, default=LineKind.CHARGE)
    service_line = models.CharField(max_length=16, choices=ServiceLine.choices, default=ServiceLine.OTHER)
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(**QUANTITY)
    unit = models.CharField(max_length=16, blank=True, help_text="month, seat, device, minute, item.")
    unit_price = models.DecimalField(**MONEY)
    factor_numerator = models.PositiveIntegerField(default=1)
    factor_denominator = models.PositiveIntegerField(default=1)
    service_start = models.DateField(null=True, blank=True)
    service_end = models.DateField(null=True, blank=True, help_text="Exclusive.")
    amount = models.DecimalField(**MONEY)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["invoice_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="invoice_line_quantity_not_negative"),
            models.CheckConstraint(condition=Q(factor_denominator__gt=0), name="invoice_line_factor"),
            models.CheckConstraint(
                condition=Q(kind="sla_credit", amount__lte=0) | (~Q(kind="sla_credit") & Q(amount__gte=0)),
                name="invoice_line_sign",
            ),
        ]

    def __str__(self) -> str:
        return self.description


@pghistory.track(*trackers())
class CreditNote(models.Model):
    """A correction of an issued invoice (which is never edited): gross `total` = `amount`
    (net) + `tax_amount`; never more than the invoice has left to credit."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(unique=True)
    number_display = models.CharField(max_length=24)
    reason = models.CharField(max_length=300)
    amount = models.DecimalField(**MONEY, help_text="Net of tax.")
    tax_amount = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    issued_on = models.DateField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stripe_credit_note_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="credit_note_positive"),
            models.CheckConstraint(condition=Q(total=F("amount") + F("tax_amount")), name="credit_note_sums"),
        ]

    def __str__(self) -> str:
        return self.number_display


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CARD = "card", "Card (Stripe)"
    STRIPE = "stripe", "Stripe"
    CASH = "cash", "Cash"
    CHEQUE = "cheque", "Cheque"
    OTHER = "other", "Other"


@pghistory.track(*trackers())
class Payment(models.Model):
    """Money received against one invoice: recorded by hand (bank transfer, partial) or by the
    Stripe gateway (`stripe_payment_id` unique, so a webhook delivered twice pays once).
    Never more than the invoice's balance (checked in the action and by the invoice's
    constraint)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)
    method = models.CharField(
        max_length=16, choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER
    )
    reference = models.CharField(max_length=120, blank=True)
    received_on = models.DateField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stripe_payment_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
            models.UniqueConstraint(
                fields=["stripe_payment_id"],
                condition=~Q(stripe_payment_id=""),
                name="payment_stripe_id_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} on {self.invoice_id}"


class RefundMethod(models.TextChoices):
    STRIPE = "stripe", "Stripe"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    OTHER = "other", "Other"


class RefundStatus(models.TextChoices):
    RECORDED = "recorded", "Recorded"  # by hand: the money went back outside the portal
    PENDING = "pending", "Sent to Stripe"  # queued or created at Stripe, not confirmed yet
    SUCCEEDED = "succeeded", "Refunded"
    FAILED = "failed", "Failed at Stripe"


@pghistory.track(*trackers())
class Refund(models.Model):
    """Paid money given back on an invoice (part or all of what was paid). In the ledger it is
    a credit note of the same amount (`credit_note`: what the client owes drops) and the same
    amount taken off `amount_paid` (the money went back), so the balance does not move.
    Through Stripe (`method` stripe) it is created there by the gateway after the commit, or
    recorded from Stripe's `charge.refunded` when it was made in Stripe's dashboard;
    `stripe_refund_id` is unique, so a webhook delivered twice refunds once."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="refunds")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    credit_note = models.OneToOneField(CreditNote, on_delete=models.PROTECT, related_name="refund")
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=16, choices=RefundMethod.choices)
    status = models.CharField(max_length=12, choices=RefundStatus.choices)
    reason = models.CharField(max_length=300)
    reference = models.CharField(max_length=120, blank=True)
    refunded_on = models.DateField()
    stripe_refund_id = models.CharField(max_length=64, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-refunded_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_positive"),
            models.UniqueConstraint(
                fields=["stripe_refund_id"], condition=~Q(stripe_refund_id=""), name="refund_stripe_id_once"
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} on {self.invoice_id}"


class BlockHourPeriod(models.Model):
    """The block-hours ledger of one block (a contract line and the versions that replaced
    it: `contract_line` is the first version) for one period, in minutes.

    used = from_rollover + from_allowance + overage (consumed in that order, rolled-over
    minutes oldest first). This period's unused allowance (`unused_minutes`) may be used by
    later periods that start before `expires_before` (the next `rollover_periods` periods);
    `rollover_used` records which earlier periods' minutes this one used
    ({period_start: minutes}), so what is left of each is derived, never overwritten, and a
    re-drafted period simply replaces its own row. `expired_minutes`: rolled-over minutes
    that ran out unused at this period's start. Written with the draft, frozen at issue."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    contract_line = models.ForeignKey(ContractLine, on_delete=models.PROTECT, related_name="block_periods")
    run_item = models.ForeignKey(RunItem, on_delete=models.CASCADE, related_name="block_periods")
    period_start = models.DateField()
    period_end = models.DateField()
    allowance_minutes = models.PositiveIntegerField()
    used_minutes = models.PositiveIntegerField()
    from_rollover_minutes = models.PositiveIntegerField()
    from_allowance_minutes = models.PositiveIntegerField()
    overage_minutes = models.PositiveIntegerField()
    rolled_in_minutes = models.PositiveIntegerField(help_text="Rolled-over minutes available at the start.")
    unused_minutes = models.PositiveIntegerField(help_text="Allowance left unused (may roll over).")
    expires_before = models.DateField(null=True, blank=True, help_text="Unused minutes usable until then.")
    rollover_used = models.JSONField(default=dict)
    expired_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["contract_line_id", "period_start"]
        constraints = [
            models.UniqueConstraint(fields=["contract_line", "period_start"], name="block_period_once"),
            models.CheckConstraint(
                condition=Q(
                    used_minutes=F("from_rollover_minutes")
                    + F("from_allowance_minutes")
                    + F("overage_minutes")
                ),
                name="block_period_sums",
            ),
            models.CheckConstraint(
                condition=Q(unused_minutes=F("allowance_minutes") - F("from_allowance_minutes")),
                name="block_period_unused",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_line_id} {self.period_start}: {self.used_minutes} min"


class BillingGrant(models.Model):
    """A client member allowed to see the client's billing (IT leads always may)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="billing_grants"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "user"], name="billing_grant_once")]

    def __str__(self) -> str:
        return f"{self.user_id} sees billing of {self.client_id}"


# The Stripe gateway's own tables (event store, reconciliation reports) live in
# billing/stripe_models.py and belong to this app.
from billing.stripe_models import (  # noqa: E402, F401
    DifferenceKind,
    ReconciliationStatus,
    StripeDifference,
    StripeEvent,
    StripeEventOutcome,
    StripeReconciliation,
)


class MrrMonth(models.Model):
    """Recurring charges of issued invoices per month of service, service line and currency
    — the dashboard's MRR by service line, kept up to date by `billing.mrr` when an invoice
    is issued or voided (the only changes that move it), so reading it costs the same at
    1 or 24 months of invoices. `lines`: how many charge lines it sums (a row with none is
    removed, as the aggregate over the lines would not show it)."""

    month = models.DateField(help_text="First day of the month of the invoice's period.")
    service_line = models.CharField(max_length=16, choices=ServiceLine.choices)
    currency = models.CharField(max_length=3)
    total = models.DecimalField(**MONEY)
    lines = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["month", "service_line", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["month", "service_line", "currency"], name="mrr_month_once"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.service_line} {self.total} {self.currency}"


class ClientMrrMonth(models.Model):
    """One client's recurring charges per month of service and currency (MRR by client),
    kept like `MrrMonth`."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    currency = models.CharField(max_length=3)
    total = models.DecimalField(**MONEY)
    lines = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["client_id", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["client", "month", "currency"], name="client_mrr_month_once"),
        ]
        indexes = [models.Index(fields=["month"], name="client_mrr_month_month")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.month:%Y-%m} {self.total} {self.currency}"
