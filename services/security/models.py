"""Security incidents and phishing reports of one client (its schema).

An incident carries three SLA clocks — acknowledge, contain, resolve — computed by the pure
engine (`services.sla.engine`) from the incident's append-only event log (`IncidentSlaEvent`),
under the client's security response targets (`SecurityResponseTarget`, MSP defaults when the
client has none). Devices are referenced by id with a copy of their name: infrastructure and
security sit side by side in the layers contract, so neither imports the other (the project
wires a device look-up into `services.security.devices`).

Phishing reports are parsed once when they arrive (headers, links, attachment hashes; the
message is never rendered) and grouped into campaigns (`services.security.phishing`); staff
triage a campaign into an incident or mark it safe.
"""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from core.history import trackers
from services.directory.models import Contact
from services.security.mfa_models import IdpAccount, IdpAccountImport, MfaSnapshot  # noqa: F401 - Django finds them here


class IncidentKind(models.TextChoices):
    PHISHING = "phishing", "Phishing"
    MALWARE = "malware", "Malware"
    ACCOUNT_COMPROMISE = "account_compromise", "Account compromise"
    DATA_LOSS = "data_loss", "Data loss"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


# The queue sorts and filters every kind of work by one priority scale.
SEVERITY_PRIORITY = {
    Severity.CRITICAL: "P1",
    Severity.HIGH: "P2",
    Severity.MEDIUM: "P3",
    Severity.LOW: "P4",
}


class IncidentStatus(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    CONTAINED = "contained", "Contained"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


DONE_INCIDENT_STATUSES = frozenset({IncidentStatus.RESOLVED, IncidentStatus.CLOSED})


class SecurityClock(models.TextChoices):
    ACKNOWLEDGE = "acknowledge", "Acknowledge"
    CONTAIN = "contain", "Contain"
    RESOLVE = "resolve", "Resolve"


class IncidentCounter(models.Model):
    """The client's next incident number (one row; locked while an incident is numbered)."""

    next_number = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"next incident SEC-{self.next_number}"


class SecurityResponseTarget(models.Model):
    """The client's own response targets for one severity, in minutes (business minutes unless
    `around_the_clock`). Empty means "no target"; zero is refused (SLA convention 2).
    A severity without a row uses the MSP's default (`services.security.policy.DEFAULT_TARGETS`)."""

    severity = models.CharField(max_length=8, choices=Severity.choices, unique=True)
    acknowledge_minutes = models.PositiveIntegerField(null=True, blank=True)
    contain_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolve_minutes = models.PositiveIntegerField(null=True, blank=True)
    around_the_clock = models.BooleanField(
        default=False, help_text="24x7 instead of the client's business calendar."
    )
    updated_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["severity"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(acknowledge_minutes__isnull=True) | Q(acknowledge_minutes__gt=0))
                & (Q(contain_minutes__isnull=True) | Q(contain_minutes__gt=0))
                & (Q(resolve_minutes__isnull=True) | Q(resolve_minutes__gt=0)),
                name="security_target_no_zero_minutes",
            )
        ]

    def __str__(self) -> str:
        return f"security targets for {self.severity}"


class PhishingCampaignStatus(models.TextChoices):
    NEW = "new", "Awaiting triage"
    INCIDENT = "incident", "Security incident"
    SAFE = "safe", "Safe"


class PhishingCampaign(models.Model):
    """Reports of one suspicious message sent to several people (see `phishing.group_key`)."""

    subject = models.CharField(max_length=300, blank=True, help_text="Subject of the first report.")
    normalised_subject = models.CharField(max_length=300, blank=True)
    sender_domain = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=12, choices=PhishingCampaignStatus.choices, default=PhishingCampaignStatus.NEW
    )
    incident = models.ForeignKey(
        "SecurityIncident", null=True, blank=True, on_delete=models.PROTECT, related_name="campaigns"
    )
    verdict_note = models.TextField(blank=True)
    triaged_by_id = models.IntegerField(null=True, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    first_reported_at = models.DateTimeField(default=now)
    last_reported_at = models.DateTimeField(default=now)
    report_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-last_reported_at", "-id"]
        indexes = [
            models.Index(fields=["normalised_subject", "sender_domain"], name="campaign_subject_domain_idx"),
            models.Index(fields=["status", "last_reported_at"], name="campaign_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="incident") | Q(incident__isnull=False), name="campaign_incident_has_one"
            )
        ]

    def __str__(self) -> str:
        return self.subject or f"campaign {self.pk}"


@pghistory.track(*trackers())
class SecurityIncident(models.Model):
    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=20, choices=IncidentKind.choices)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    status = models.CharField(max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.NEW)
    assignee_id = models.IntegerField(null=True, blank=True, db_index=True)
    created_by_id = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    contained_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["-number"]
        indexes = [models.Index(fields=["status", "severity"], name="incident_status_severity_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by_id", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="incident_idempotency_key_once",
            )
        ]

    def __str__(self) -> str:
        return f"SEC-{self.number} {self.title}"

    @property
    def reference(self) -> str:
        return f"SEC-{self.number}"


class IncidentAffectedUser(models.Model):
    incident = models.ForeignKey(SecurityIncident, on_delete=models.CASCADE, related_name="affected_users")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="security_incidents")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "contact"], name="incident_affected_user_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} on {self.incident_id}"


class IncidentAffectedDevice(models.Model):
    """A device of the client's inventory, by id, with its name as it was when linked (the
    device may be renamed or retired later; the incident keeps what was affected)."""

    incident = models.ForeignKey(SecurityIncident, on_delete=models.CASCADE, related_name="affected_devices")
    device_id = models.IntegerField()
    device_name = models.CharField(max_length=120)

    class Meta:
        ordering = ["device_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "device_id"], name="incident_affected_device_once")
        ]

    def __str__(self) -> str:
        return self.device_name


class IncidentSlaEventKind(models.TextChoices):
    CREATED = "created"
    SEVERITY_CHANGED = "severity_changed"
    ACKNOWLEDGED = "acknowledged"
    CONTAINED = "contained"
    UNCONTAINED = "uncontained"  # containment was lost: the contain clock runs again
    RESOLVED = "resolved"
    REOPENED = "reopened"


class IncidentSlaEvent(models.Model):
    """The append-only log the incident's clocks are computed from (never patched)."""

    incident = models.ForeignKey(SecurityIncident, on_delete=models.CASCADE, related_name="sla_events")
    kind = models.CharField(max_length=20, choices=IncidentSlaEventKind.choices)
    at = models.DateTimeField()
    severity = models.CharField(max_length=8, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M:%S}"


class IncidentActivity(models.Model):
    """The incident's timeline: creation, status changes, notes, severity, people and devices."""

    class Kind(models.TextChoices):
        CREATED = "created"
        STATUS = "status"
        NOTE = "note"
        SEVERITY = "severity"
        ASSIGNED = "assigned"
        AFFECTED = "affected"
        PHISHING = "phishing"  # a phishing campaign was triaged into it / a new report joined

    incident = models.ForeignKey(SecurityIncident, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor_id = models.IntegerField(null=True, blank=True)
    is_internal = models.BooleanField(default=False)
    body = models.TextField(blank=True)
    detail = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.incident_id}"


class IncidentSlaOutcome(models.Model):
    """An immutable judgement of one stopped clock (SLA convention 11)."""

    class Result(models.TextChoices):
        MET = "met"
        BREACHED = "breached"

    incident = models.ForeignKey(SecurityIncident, on_delete=models.PROTECT, related_name="sla_outcomes")
    clock = models.CharField(max_length=12, choices=SecurityClock.choices)
    cycle = models.PositiveSmallIntegerField(
        default=1, help_text="1 for the first time the clock stopped; a reopen starts the next cycle."
    )
    result = models.CharField(max_length=8, choices=Result.choices)
    severity = models.CharField(max_length=8)
    target_minutes = models.PositiveIntegerField()
    business_minutes_used = models.PositiveIntegerField()
    minutes_over = models.IntegerField()
    due_at = models.DateTimeField()
    judged_at = models.DateTimeField()
    recorded_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "clock", "cycle"], name="incident_outcome_once_per_clock"
            )
        ]

    def __str__(self) -> str:
        return f"{self.clock} {self.result} on {self.incident_id}"


class PhishingReport(models.Model):
    """One person's report of a suspicious message, parsed on arrival. The raw message is kept
    for staff to download as a file; it is never rendered."""

    campaign = models.ForeignKey(PhishingCampaign, on_delete=models.PROTECT, related_name="reports")
    reporter = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="phishing_reports")
    reporter_user_id = models.IntegerField(
        null=True,
        blank=True,
        help_text="The reporter's account (told the verdict); null when staff reported it.",
    )
    submitted_by_id = models.IntegerField(
        null=True, blank=True, help_text="Who sent the report (idempotency)."
    )
    comment = models.TextField(blank=True, help_text="What the reporter added.")
    raw_message = models.BinaryField()
    raw_size = models.PositiveIntegerField()
    raw_sha256 = models.CharField(max_length=64)
    from_address = models.CharField(max_length=320, blank=True)
    from_display = models.CharField(max_length=300, blank=True)
    reply_to = models.CharField(max_length=1000, blank=True)
    return_path = models.CharField(max_length=320, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    normalised_subject = models.CharField(max_length=300, blank=True)
    sender_domain = models.CharField(max_length=255, blank=True)
    date_header = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=500, blank=True)
    received_chain = models.JSONField(default=list, help_text="Received headers, newest first.")
    authentication = models.JSONField(
        default=dict, help_text='Verdicts from Authentication-Results: {"spf": "pass", ...}.'
    )
    text_excerpt = models.TextField(blank=True, help_text="Start of the plain-text body (never HTML).")
    parse_problems = models.JSONField(default=list)
    verdict_notified_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"], name="phishing_report_created_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by_id", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="phishing_report_key_once",
            )
        ]

    def __str__(self) -> str:
        return self.subject or f"report {self.pk}"


class PhishingLink(models.Model):
    report = models.ForeignKey(PhishingReport, on_delete=models.CASCADE, related_name="links")
    url = models.CharField(max_length=2000)
    host = models.CharField(max_length=255, blank=True)
    text = models.CharField(max_length=300, blank=True, help_text="The link's visible text (HTML parts).")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["url"], name="phishing_link_url_idx")]

    def __str__(self) -> str:
        return self.url


class PhishingAttachment(models.Model):
    """An attachment's facts only; its content is never stored apart from the raw message."""

    report = models.ForeignKey(PhishingReport, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=120)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename or self.sha256
