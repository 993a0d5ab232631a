"""The technician queue's read model and in-app notifications (public schema).

`WorkItem` mirrors one tenant row: a ticket, a security incident or a phishing campaign
awaiting triage (`services.security`). It is
written in the same database transaction as the row it mirrors — the public schema is
on every tenant's search_path — so the queue is never out of step, and it is read with
one indexed query whatever the number of clients.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from tenants.models import Client


class WorkItemKind(models.TextChoices):
    TICKET = "ticket", "Ticket"
    SECURITY_INCIDENT = "sec_incident", "Security incident"
    PHISHING = "phishing", "Phishing report awaiting triage"


class BreachState(models.TextChoices):
    NONE = "none", "No SLA"
    ON_TRACK = "on_track", "On track"
    WARNING = "warning", "Breaching soon"
    BREACHED = "breached", "Breached"
    PAUSED = "paused", "Paused"
    # The ticket's policy can't be computed (e.g. a target its calendar can't reach): the
    # ticket is kept, its clocks are off until staff fix the policy.
    CLOCK_ERROR = "clock_error", "SLA can't be computed"


class WorkItem(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=WorkItemKind.choices)
    object_id = models.IntegerField()
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    priority = models.CharField(max_length=2)
    status = models.CharField(max_length=24)
    service_line = models.CharField(max_length=16)
    is_open = models.BooleanField(default=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    watcher_ids = ArrayField(
        models.IntegerField(),
        default=list,
        blank=True,
        help_text="Users watching the ticket (SLA warnings reach the staff among them).",
    )
    next_deadline_at = models.DateTimeField(null=True, blank=True)
    next_deadline_clock = models.CharField(max_length=24, blank=True)
    breach_state = models.CharField(max_length=16, choices=BreachState.choices, default=BreachState.NONE)
    alert_schedule = models.JSONField(
        default=list,
        help_text='Stages still to come for the next deadline: [{"stage": 1, "label": "75%", "at": iso}].',
    )
    next_alert_at = models.DateTimeField(
        null=True, blank=True, help_text="When the sweep must next look at it."
    )
    notified_stage = models.PositiveSmallIntegerField(
        default=0,
        help_text="Highest stage already notified for the current deadline (makes the sweep idempotent).",
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "kind", "object_id"], name="work_item_mirrors_one_row")
        ]
        indexes = [
            # The queue: open items by deadline (NULLs, i.e. no SLA, last).
            models.Index(
                fields=["next_deadline_at", "id"],
                name="work_item_open_deadline_idx",
                condition=Q(is_open=True),
            ),
            models.Index(
                fields=["assignee", "next_deadline_at"],
                name="work_item_assignee_idx",
                condition=Q(is_open=True),
            ),
            models.Index(
                fields=["client", "next_deadline_at"], name="work_item_client_idx", condition=Q(is_open=True)
            ),
            # The queue's "breached" filter: flagged items OR'ed with passed deadlines (a bitmap OR).
            models.Index(
                fields=["breach_state"], name="work_item_breach_state_idx", condition=Q(is_open=True)
            ),
            # The queue's "breached" filter, its flagged arm (selectors.queue_queryset).
            models.Index(
                fields=["id"],
                name="work_item_breached_idx",
                condition=Q(is_open=True, breach_state="breached"),
            ),
            # The sweep: items whose next warning or breach instant has come.
            models.Index(
                fields=["next_alert_at"], name="work_item_next_alert_idx", condition=Q(is_open=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.kind} #{self.number}"


class Notification(models.Model):
    """An in-app notification for one person, with its e-mail copy's state."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=120, unique=True, help_text="Makes sending idempotent.")
    created_at = models.DateTimeField(default=now)
    read_at = models.DateTimeField(null=True, blank=True)
    # The e-mail copy, recorded in the transaction that decided it and sent afterwards
    # (services.workqueue.sweep.send_sla_emails): pending until sent or no longer allowed.
    email_pending = models.BooleanField(default=False)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread_idx"),
            models.Index(
                fields=["id"], name="notification_email_pending_idx", condition=models.Q(email_pending=True)
            ),
        ]

    def __str__(self) -> str:
        return self.title
