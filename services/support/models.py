"""Tickets and everything on them. Lives in each client's schema.

People are public-schema users referenced by id (no cross-schema foreign keys); the
requester is a contact of the client's own directory.
"""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from core.history import trackers
from services.directory.models import Contact


class ServiceLine(models.TextChoices):
    INFRASTRUCTURE = "infrastructure", "Infrastructure"
    SUPPORT = "support", "End-user support"
    SECURITY = "security", "Security"


class Channel(models.TextChoices):
    PORTAL = "portal", "Portal"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    MONITORING = "monitoring", "Monitoring"


class TicketStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_ON_CLIENT = "waiting_on_client", "Waiting on client"
    WAITING_ON_VENDOR = "waiting_on_vendor", "Waiting on vendor"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


WAITING_STATUSES = frozenset({TicketStatus.WAITING_ON_CLIENT, TicketStatus.WAITING_ON_VENDOR})
DONE_STATUSES = frozenset({TicketStatus.RESOLVED, TicketStatus.CLOSED})


class TicketCounter(models.Model):
    """The client's next ticket number (one row; locked when a ticket is numbered)."""

    next_number = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"next ticket #{self.next_number}"


@pghistory.track(*trackers())
class Ticket(models.Model):
    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    requester = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="tickets")
    category = models.CharField(max_length=80, blank=True)
    service_line = models.CharField(max_length=16, choices=ServiceLine.choices, default=ServiceLine.SUPPORT)
    impact = models.CharField(max_length=8)
    urgency = models.CharField(max_length=8)
    priority = models.CharField(max_length=2)
    priority_reason = models.JSONField(default=dict, help_text="How the priority was derived (triage).")
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PORTAL)
    status = models.CharField(max_length=24, choices=TicketStatus.choices, default=TicketStatus.NEW)
    assignee_id = models.IntegerField(null=True, blank=True, db_index=True)
    sla_policy_id = models.IntegerField(
        null=True, blank=True, help_text="Public SlaPolicy in force; null = no SLA."
    )
    created_by_id = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    follow_up_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        help_text="The earlier (closed or resolved) request this one follows up.",
    )
    idempotency_key = models.CharField(
        max_length=100, blank=True, default="", help_text="The submission key of the request that raised it."
    )

    class Meta:
        ordering = ["-number"]
        indexes = [models.Index(fields=["status", "priority"], name="ticket_status_priority_idx")]
        constraints = [
            # A new-request form sent twice raises one ticket (core.idempotency).
            models.UniqueConstraint(
                fields=["created_by_id", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="ticket_idempotency_key_once",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"


class TicketWatcher(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="watchers")
    user_id = models.IntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "user_id"], name="ticket_watcher_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.ticket_id}"


class SlaEventKind(models.TextChoices):
    CREATED = "created"
    PRIORITY_CHANGED = "priority_changed"
    POLICY_CHANGED = "policy_changed"
    PAUSED = "paused"
    RESUMED = "resumed"
    FIRST_PUBLIC_REPLY = "first_public_reply"
    PUBLIC_UPDATE = "public_update"
    RESOLVED = "resolved"
    REOPENED = "reopened"


class TicketSlaEvent(models.Model):
    """The append-only event log SLA clocks are computed from (never patched)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_events")
    kind = models.CharField(max_length=24, choices=SlaEventKind.choices)
    at = models.DateTimeField()
    priority = models.CharField(max_length=2, blank=True)
    policy_id = models.IntegerField(null=True, blank=True)
    reason = models.CharField(max_length=80, blank=True)

    class Meta:
        # Replay order. Actions record `at` while holding the ticket's lock and never earlier
        # than the ticket's last change, and ids are drawn under that lock, so this is the
        # order the changes committed in (`services.support.actions._instant`).
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M:%S}"


class TicketActivity(models.Model):
    """The ticket's timeline: status changes, assignments, triage, replies, notes, time."""

    class Kind(models.TextChoices):
        CREATED = "created"
        STATUS = "status"
        ASSIGNED = "assigned"
        TRIAGED = "triaged"
        REPLY = "reply"
        NOTE = "note"
        TIME = "time"
        FOLLOW_UP = "follow_up"  # a new request was raised as a follow-up of this one
        MONITORING = "monitoring"  # monitoring saw the service go down / come back (no actor)

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor_id = models.IntegerField(null=True, blank=True)
    is_internal = models.BooleanField(default=False)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=now)

    class Meta:
        # Timeline order = commit order, as for the SLA event log.
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"


class Comment(models.Model):
    """A public reply or an internal note (never shown to client users)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author_id = models.IntegerField()
    author_is_staff = models.BooleanField()
    is_internal = models.BooleanField(default=False)
    body = models.TextField()
    created_at = models.DateTimeField(default=now)
    idempotency_key = models.CharField(
        max_length=100, blank=True, default="", help_text="The submission key of the reply or note form."
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_internal=False) | Q(author_is_staff=True),
                name="comment_internal_only_by_staff",
            ),
            # A reply (or a note) sent twice is stored once (core.idempotency).
            models.UniqueConstraint(
                fields=["author_id", "is_internal", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="comment_idempotency_key_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{'Note' if self.is_internal else 'Reply'} on {self.ticket_id}"


class Attachment(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return self.filename


class TimeEntry(models.Model):
    """Technician time on a ticket (internal: never visible to client users)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="time_entries")
    technician_id = models.IntegerField()
    minutes = models.PositiveIntegerField(help_text="Billed minutes after the rounding rule.")
    raw_minutes = models.PositiveIntegerField(help_text="Minutes as logged.")
    billable = models.BooleanField(default=True)
    note = models.CharField(max_length=300, blank=True)
    work_date = models.DateField()
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-work_date", "-created_at"]
        constraints = [models.CheckConstraint(condition=Q(minutes__gt=0), name="time_entry_positive_minutes")]

    def __str__(self) -> str:
        return f"{self.minutes} min on {self.ticket_id}"


class SlaOutcome(models.Model):
    """An immutable judgement of one SLA clock: written once when met or breached."""

    class Result(models.TextChoices):
        MET = "met"
        BREACHED = "breached"

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="sla_outcomes")
    clock = models.CharField(max_length=24)  # first_response, first_resolution, resolution, next_update
    cycle = models.PositiveSmallIntegerField(
        default=0, help_text="Next-update cycle number; 0 for other clocks."
    )
    result = models.CharField(max_length=8, choices=Result.choices)
    priority = models.CharField(max_length=2)
    policy_id = models.IntegerField()
    target_minutes = models.PositiveIntegerField()
    business_minutes_used = models.PositiveIntegerField()
    minutes_over = models.IntegerField(help_text="Positive when breached, negative (minutes under) when met.")
    due_at = models.DateTimeField()
    judged_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "clock", "cycle"], name="sla_outcome_once_per_clock")
        ]

    def __str__(self) -> str:
        return f"{self.clock} {self.result} on {self.ticket_id}"
