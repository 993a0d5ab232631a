"""Stripe's side of billing (public schema): the webhook event store and the nightly
reconciliation reports. Imported by `billing.models`, so they are models of the `billing` app.

    StripeEvent            one row per Stripe event id (unique), with what processing did
    StripeReconciliation ─< StripeDifference   one nightly comparison of Stripe and the ledger
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from tenants.models import Client


class StripeEventOutcome(models.TextChoices):
    """What processing one stored event did to the ledger."""

    PENDING = "pending", "Stored, not processed yet"
    APPLIED = "applied", "Applied to the ledger"
    NO_CHANGE = "no_change", "Nothing to change (the ledger already says so)"
    UNMATCHED = "unmatched", "No invoice of ours: stored, not applied"
    REVIEW = "review", "Stripe differs from the ledger: needs a person"
    IGNORED = "ignored", "A kind of event billing does not use"
    FAILED = "failed", "Processing failed (Stripe retries the delivery)"


class StripeEvent(models.Model):
    """A webhook event from Stripe, stored once per event id before it is processed.

    Deliveries of the same event (Stripe retries, replays) find this row and do nothing more
    (`deliveries` counts them). Processing compares the event's object with the ledger, so
    the order in which events arrive does not change the outcome (docs/billing.md, "Stripe")."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100)
    stripe_object_id = models.CharField(max_length=255, blank=True)
    stripe_invoice_id = models.CharField(max_length=255, blank=True, db_index=True)
    invoice = models.ForeignKey(
        "billing.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="stripe_events"
    )
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    livemode = models.BooleanField(default=False)
    stripe_created_at = models.DateTimeField(null=True, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=now)
    deliveries = models.PositiveIntegerField(default=1)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=16, choices=StripeEventOutcome.choices, default=StripeEventOutcome.PENDING
    )
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["outcome", "received_at"], name="stripe_event_outcome_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} ({self.outcome})"


class ReconciliationStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    FAILED = "failed", "Failed"


class StripeReconciliation(models.Model):
    """One comparison of every Stripe invoice with the ledger. It lists differences and
    changes nothing: a person decides what to correct and where."""

    started_at = models.DateTimeField(default=now)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=12, choices=ReconciliationStatus.choices, default=ReconciliationStatus.RUNNING
    )
    invoices_checked = models.PositiveIntegerField(default=0, help_text="Ledger invoices compared.")
    stripe_invoices_seen = models.PositiveIntegerField(default=0)
    difference_count = models.PositiveIntegerField(default=0)
    error = models.CharField(
        max_length=300, blank=True, help_text="Why the run failed (never exception text)."
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Reconciliation {self.pk} ({self.status}, {self.difference_count} differences)"


class DifferenceKind(models.TextChoices):
    STATUS = "status", "Status differs"
    AMOUNT_PAID = "amount_paid", "Amount paid differs"
    TOTAL = "total", "Total differs"
    CURRENCY = "currency", "Currency differs"
    MISSING_AT_STRIPE = "missing_at_stripe", "Issued in the ledger, missing at Stripe"
    MISSING_IN_LEDGER = "missing_in_ledger", "At Stripe, unknown to the ledger"
    UNMATCHED_EVENT = "unmatched_event", "Webhook for an invoice we do not know"
    EVENT_NEEDS_REVIEW = "event_needs_review", "Webhook that was not applied"


class StripeDifference(models.Model):
    """One difference found by a reconciliation, with both sides as text."""

    reconciliation = models.ForeignKey(
        StripeReconciliation, on_delete=models.CASCADE, related_name="differences"
    )
    kind = models.CharField(max_length=24, choices=DifferenceKind.choices)
    invoice = models.ForeignKey(
        "billing.Invoice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    stripe_invoice_id = models.CharField(max_length=255, blank=True)
    stripe_event_id = models.CharField(max_length=255, blank=True)
    ledger_value = models.CharField(max_length=120, blank=True)
    stripe_value = models.CharField(max_length=120, blank=True)
    detail = models.CharField(max_length=300)

    class Meta:
        ordering = ["reconciliation_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stripe_invoice_id="") | Q(invoice__isnull=False) | ~Q(stripe_event_id=""),
                name="stripe_difference_points_somewhere",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"
