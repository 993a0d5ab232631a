"""Phishing intake and triage.

A client user reports a suspicious message (pasted source or an uploaded .eml); it is parsed
once (`services.security.phishing`), stored with its raw source, and joins a campaign:

* an **open** campaign (awaiting triage, or already an incident) of this client whose last
  report is at most `PHISHING_GROUP_WINDOW_DAYS` (7) old, and which has a report with
  - the same normalised subject (non-empty) *and* the same sender domain, or
  - a link with exactly the same URL (a path or query beyond the bare host), or
  - an attachment with the same SHA-256;
* otherwise a new campaign. Campaigns marked safe take no new reports: a new report starts a
  new campaign, so a later, harmful message with a known subject is triaged again.

A report joining a campaign that is already an incident names its reporter on the incident
(affected users) and says so on its timeline. Staff triage a campaign into a new phishing
incident (or an existing incident) — its reporters become the affected users — or mark it
safe; either way every reporter hears the verdict (in-app and by e-mail, through the outbox,
with access re-checked when the e-mail goes out).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.errors import ActionError, FieldError
from core.idempotency import clean_idempotency_key, create_once, key_reused
from core.tasks import enqueue_on_commit
from core.tenancy import require_schema
from services.directory.models import Contact
from services.security import actions
from services.security.models import (
    IncidentActivity,
    IncidentAffectedUser,
    IncidentKind,
    PhishingAttachment,
    PhishingCampaign,
    PhishingCampaignStatus,
    PhishingLink,
    PhishingReport,
    SecurityIncident,
    Severity,
)
from services.security.notify import VERDICT_KIND
from services.security.phishing import ParsedMessage, defang, looks_like_a_message, parse_message
from services.security.work_index import sync_campaign_item
from services.workqueue.models import Notification
from tenants.access import ensure_client_writable
from tenants.actions import portal_url
from tenants.models import Client, ClientRole, User

SEND_VERDICTS_TASK = "security.send_phishing_verdict_emails"

MAX_COMMENT = 2000


def max_message_bytes() -> int:
    return int(settings.PHISHING_REPORT_MAX_BYTES)


def group_window() -> timedelta:
    return timedelta(days=int(settings.PHISHING_GROUP_WINDOW_DAYS))


def reports_visible_to(client: Client, actor: User) -> QuerySet[PhishingReport]:
    """Staff and IT leads see every report of the client; members their own."""
    require_schema(client)
    reports = PhishingReport.objects.all()
    if actions.is_staff(actor) or actions.client_role(actor, client) == ClientRole.IT_LEAD:
        return reports
    return reports.filter(reporter_user_id=actor.pk)


def decode_upload(data_base64: str) -> bytes:
    """An uploaded .eml, base64 in the request (strict: anything else is INVALID)."""
    try:
        return base64.b64decode(data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ActionError.single("INVALID", "The file data is not valid base64.", "file") from None


def _check_raw(raw: bytes, field: str) -> ParsedMessage:
    limit = max_message_bytes()
    if not raw.strip():
        raise ActionError.single("REQUIRED", "Paste the message source or upload the .eml file.", field)
    if len(raw) > limit:
        raise ActionError.single(
            "TOO_LARGE",
            f"The message is larger than {limit / 1_000_000:g} MB; forward it to the service desk.",
            field,
        )
    if b"\x00" in raw:
        raise ActionError.single(
            "INVALID", "The message contains NUL bytes: it is not an e-mail message.", field
        )
    parsed = parse_message(raw)
    if not looks_like_a_message(parsed):
        raise ActionError.single(
            "NOT_A_MESSAGE",
            "This doesn't look like an e-mail message: paste the full source with its headers "
            "(in Outlook: File → Properties; in Gmail: Show original), or upload the .eml file.",
            field,
        )
    return parsed


def _strong_link(url: str) -> bool:
    """A link specific enough to tie two messages together: more than a bare host."""
    rest = url.split("://", 1)[-1]
    _, slash, path = rest.partition("/")
    return bool(slash and path.strip("/"))


def find_campaign(parsed: ParsedMessage, now: datetime) -> PhishingCampaign | None:
    """The open campaign this message belongs to (the grouping rule above), most recent first."""
    match = Q()
    subject, domain = parsed.normalised_subject, parsed.sender_domain
    if subject and domain:
        match |= Q(reports__normalised_subject=subject, reports__sender_domain=domain)
    urls = [link.url for link in parsed.links if _strong_link(link.url)]
    if urls:
        match |= Q(reports__links__url__in=urls)
    hashes = [a.sha256 for a in parsed.attachments if a.size_bytes > 0]
    if hashes:
        match |= Q(reports__attachments__sha256__in=hashes)
    if not match:
        return None
    return (
        PhishingCampaign.objects.filter(
            status__in=(PhishingCampaignStatus.NEW, PhishingCampaignStatus.INCIDENT),
            last_reported_at__gte=now - group_window(),
        )
        .filter(match)
        .order_by("-last_reported_at", "-pk")
        .first()
    )


def _report_of_submission(actor: User, key: str) -> PhishingReport | None:
    return (
        PhishingReport.objects.filter(submitted_by_id=actor.pk, idempotency_key=key).first() if key else None
    )


def report_phishing(
    client: Client,
    *,
    actor: User,
    raw: bytes,
    comment: str = "",
    reporter_contact_id: int | None = None,
    field: str = "source",
    now: datetime | None = None,
    idempotency_key: str | None = None,
) -> PhishingReport:
    """Record a reported message and group it. Client users report for themselves; staff
    name the contact who forwarded it to them."""
    require_schema(client)
    ensure_client_writable(client)
    key = clean_idempotency_key(idempotency_key)
    earlier = _report_of_submission(actor, key)
    if earlier is not None:
        if bytes(earlier.raw_message) != raw:
            raise key_reused()
        return earlier
    errors: list[FieldError] = []
    actions._check_text(errors, comment, "comment", MAX_COMMENT, "comment")
    if actions.is_staff(actor):
        reporter = (
            Contact.objects.filter(pk=reporter_contact_id, is_active=True).first()
            if reporter_contact_id
            else None
        )
        if reporter is None:
            errors.append(FieldError("REQUIRED", "Choose who received the message.", "reporterContactId"))
    else:
        reporter = actions.contact_for_user(actor)
        if reporter is None:
            errors.append(
                FieldError("INVALID", "Your contact record is not set up yet; try again shortly.", None)
            )
    if errors:
        raise ActionError(errors)
    assert reporter is not None
    parsed = _check_raw(raw, field)
    with transaction.atomic():
        now = now or timezone.now()
        campaign = find_campaign(parsed, now)
        if campaign is None:
            campaign = PhishingCampaign.objects.create(
                subject=parsed.subject,
                normalised_subject=parsed.normalised_subject,
                sender_domain=parsed.sender_domain,
                first_reported_at=now,
                last_reported_at=now,
            )
        campaign = PhishingCampaign.objects.select_for_update().get(pk=campaign.pk)

        def create() -> PhishingReport:
            return PhishingReport.objects.create(
                campaign=campaign,
                reporter=reporter,
                reporter_user_id=None if actions.is_staff(actor) else actor.pk,
                submitted_by_id=actor.pk,
                comment=comment.strip(),
                raw_message=raw,
                raw_size=len(raw),
                raw_sha256=hashlib.sha256(raw).hexdigest(),
                from_address=parsed.from_address,
                from_display=parsed.from_display,
                reply_to=parsed.reply_to,
                return_path=parsed.return_path,
                subject=parsed.subject,
                normalised_subject=parsed.normalised_subject,
                sender_domain=parsed.sender_domain,
                date_header=parsed.date_header,
                sent_at=parsed.sent_at,
                message_id=parsed.message_id,
                received_chain=parsed.received,
                authentication=parsed.authentication,
                text_excerpt=parsed.text_excerpt,
                parse_problems=parsed.problems,
                idempotency_key=key,
                created_at=now,
            )

        report, is_new = create_once(create, lambda: _report_of_submission(actor, key))
        if not is_new:
            return report
        PhishingLink.objects.bulk_create(
            [
                PhishingLink(report=report, url=link.url, host=link.host, text=link.text)
                for link in parsed.links
            ]
        )
        PhishingAttachment.objects.bulk_create(
            [
                PhishingAttachment(
                    report=report,
                    filename=a.filename,
                    content_type=a.content_type,
                    size_bytes=a.size_bytes,
                    sha256=a.sha256,
                )
                for a in parsed.attachments
            ]
        )
        campaign.report_count += 1
        campaign.last_reported_at = max(campaign.last_reported_at, now)
        campaign.save(update_fields=["report_count", "last_reported_at"])
        sync_campaign_item(client, campaign, now)
        if campaign.status == PhishingCampaignStatus.INCIDENT and campaign.incident_id is not None:
            _join_incident(client, campaign.incident_id, report, actor, now)
    return report


def _join_incident(
    client: Client, incident_id: int, report: PhishingReport, actor: User, now: datetime
) -> None:
    """A new report of a campaign already handled as an incident: its reporter is affected too."""
    incident = SecurityIncident.objects.select_for_update().get(pk=incident_id)
    at = max(now, incident.updated_at)
    IncidentAffectedUser.objects.get_or_create(incident=incident, contact=report.reporter)
    IncidentActivity.objects.create(
        incident=incident,
        kind=IncidentActivity.Kind.PHISHING,
        actor_id=actor.pk,
        detail={
            "report_id": report.pk,
            "reporter": report.reporter.full_name,
            "campaign_id": report.campaign_id,
        },
        created_at=at,
    )
    incident.updated_at = at
    incident.save(update_fields=["updated_at"])
    _notify_reporters(client, [report], PhishingCampaignStatus.INCIDENT, incident, at)


@dataclass(frozen=True)
class Triage:
    verdict: str  # "incident" or "safe"
    note: str = ""
    severity: str = Severity.MEDIUM
    title: str = ""
    incident_number: int | None = None  # attach to this existing incident instead of a new one


def triage_campaign(
    client: Client, campaign_id: int, data: Triage, *, actor: User, now: datetime | None = None
) -> PhishingCampaign:
    """Staff: handle a campaign as a security incident (new or existing) or mark it safe.

    A campaign awaiting triage can go either way; a safe one can still become an incident
    (staff changed their mind); an incident stays an incident."""
    require_schema(client)
    ensure_client_writable(client)
    actions._require_staff(actor)
    errors: list[FieldError] = []
    if data.verdict not in (PhishingCampaignStatus.INCIDENT, PhishingCampaignStatus.SAFE):
        errors.append(FieldError("INVALID", "Choose a verdict: incident or safe.", "verdict"))
    actions._check_text(errors, data.note, "note", actions.MAX_BODY, "note")
    actions._check_text(errors, data.title, "title", actions.MAX_TITLE, "title")
    if data.severity not in Severity.values:
        errors.append(FieldError("INVALID", "Choose a severity: critical, high, medium or low.", "severity"))
    if errors:
        raise ActionError(errors)
    with transaction.atomic():
        campaign = PhishingCampaign.objects.select_for_update().filter(pk=campaign_id).first()
        if campaign is None:
            raise ActionError.single("NOT_FOUND", "There is no such phishing report here.", "campaignId")
        transitions: dict[str, set[str]] = {
            PhishingCampaignStatus.NEW: {PhishingCampaignStatus.INCIDENT, PhishingCampaignStatus.SAFE},
            PhishingCampaignStatus.SAFE: {PhishingCampaignStatus.INCIDENT},
        }
        allowed = transitions.get(campaign.status, set())
        if data.verdict not in allowed:
            raise ActionError.single(
                "INVALID_TRANSITION",
                f"This report is already triaged ({PhishingCampaignStatus(campaign.status).label.lower()}).",
                "verdict",
            )
        now = now or timezone.now()
        reports = list(campaign.reports.select_related("reporter").order_by("created_at", "pk"))
        incident = None
        if data.verdict == PhishingCampaignStatus.INCIDENT:
            incident = _incident_for(client, campaign, reports, data, actor, now)
            campaign.incident = incident
        campaign.status = data.verdict
        campaign.verdict_note = data.note.strip()
        campaign.triaged_by_id = actor.pk
        campaign.triaged_at = now
        campaign.save()
        sync_campaign_item(client, campaign, now)
        _notify_reporters(client, reports, data.verdict, incident, now)
    return campaign


def _campaign_summary(campaign: PhishingCampaign, reports: Sequence[PhishingReport]) -> str:
    first = reports[0] if reports else None
    lines = [
        f"Reported {len(reports)} time(s) through the portal's phishing intake.",
        f"Subject: {campaign.subject or '(none)'}",
    ]
    if first is not None:
        lines.append(f"From: {first.from_display} <{first.from_address}>".replace(" <>", ""))
        verdicts = first.authentication or {}
        lines.append(
            "Authentication: "
            + ", ".join(
                f"{name.upper()} {verdicts.get(name) or 'not reported'}" for name in ("spf", "dkim", "dmarc")
            )
        )
        links = list(first.links.all()[:10])
        if links:
            lines.append("Links (defanged): " + "; ".join(defang(link.url) for link in links))
    return "\n".join(lines)


def _incident_for(
    client: Client,
    campaign: PhishingCampaign,
    reports: Sequence[PhishingReport],
    data: Triage,
    actor: User,
    now: datetime,
) -> SecurityIncident:
    contact_ids = list(dict.fromkeys(report.reporter_id for report in reports))
    if data.incident_number is not None:
        incident = actions.get_incident(client, actor, data.incident_number, for_update=True)
        at = max(now, incident.updated_at)
        existing = set(incident.affected_users.values_list("contact_id", flat=True))
        IncidentAffectedUser.objects.bulk_create(
            [
                IncidentAffectedUser(incident=incident, contact_id=pk)
                for pk in contact_ids
                if pk not in existing
            ]
        )
        IncidentActivity.objects.create(
            incident=incident,
            kind=IncidentActivity.Kind.PHISHING,
            actor_id=actor.pk,
            body=data.note.strip(),
            detail={"campaign_id": campaign.pk, "reports": len(reports), "subject": campaign.subject},
            created_at=at,
        )
        incident.updated_at = at
        incident.save(update_fields=["updated_at"])
        return incident
    title = (
        data.title.strip() or f"Phishing: {campaign.subject or campaign.sender_domain or 'reported message'}"
    )
    description = _campaign_summary(campaign, reports)
    if data.note.strip():
        description = f"{data.note.strip()}\n\n{description}"
    incident = actions.create_incident(
        client,
        actions.NewIncident(
            title=title[: actions.MAX_TITLE],
            kind=IncidentKind.PHISHING,
            severity=data.severity,
            description=description[: actions.MAX_BODY],
            affected_contact_ids=contact_ids,
        ),
        actor=actor,
        now=now,
    )
    IncidentActivity.objects.create(
        incident=incident,
        kind=IncidentActivity.Kind.PHISHING,
        actor_id=actor.pk,
        detail={"campaign_id": campaign.pk, "reports": len(reports), "subject": campaign.subject},
        created_at=now,
    )
    return incident


def report_path(report: PhishingReport) -> str:
    return f"phishing/{report.pk}"


def _notify_reporters(
    client: Client,
    reports: Sequence[PhishingReport],
    verdict: str,
    incident: SecurityIncident | None,
    now: datetime,
) -> int:
    """Tell each reporter (once per report and verdict) in-app and by e-mail (the outbox)."""
    base = portal_url(client)
    notifications = []
    for report in reports:
        if report.reporter_user_id is None:
            continue  # reported by staff on someone's behalf: nobody signed in to tell
        subject = report.subject or "the message you reported"
        if verdict == PhishingCampaignStatus.SAFE:
            title = f"The message you reported is safe: {subject}"[:200]
            body = (
                f"Thank you for reporting “{subject}”. Our security team checked it and found it safe, "
                "so you can deal with it as usual. Keep reporting anything that looks suspicious."
            )
        else:
            reference = f" ({incident.reference})" if incident is not None else ""
            title = f"The message you reported is being handled as a security incident{reference}"[:200]
            body = (
                f"Thank you for reporting “{subject}”. Our security team is handling it as a security "
                "incident. Don't open its links or attachments; delete it from your mailbox."
            )
        link = f"{base}{report_path(report)}"
        notifications.append(
            Notification(
                user_id=report.reporter_user_id,
                client=client,
                kind=VERDICT_KIND,
                title=title,
                body=f"{body}\n\n{link}",
                link=link,
                dedupe_key=f"phishing:{client.pk}:{report.pk}:{verdict}",
                email_pending=True,
                created_at=now,
            )
        )
    if not notifications:
        return 0
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    PhishingReport.objects.filter(pk__in=[r.pk for r in reports if r.reporter_user_id]).update(
        verdict_notified_at=now
    )
    enqueue_on_commit(SEND_VERDICTS_TASK)
    return len(notifications)
