"""Phishing intake: reports grouped into campaigns, triage into an incident or "safe", the
reporters told through the notification outbox (access re-checked at send time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import override_settings
from django_tenants.utils import tenant_context

from core.errors import ActionError
from services.security import phishing_actions as intake
from services.security.models import (
    IncidentActivity,
    PhishingCampaign,
    PhishingCampaignStatus,
    PhishingReport,
    SecurityIncident,
)
from services.security.notify import send_verdict_emails
from services.workqueue.models import Notification, WorkItem, WorkItemKind
from tenants.models import Membership

from .messages import MALFORMED, MULTIPART, html_only, with_attachment

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def _report(world, raw: bytes, user=None, now=NOW, **extra) -> PhishingReport:
    return intake.report_phishing(world.a, actor=user or world.a_member, raw=raw, now=now, **extra)


def test_report_stores_the_parsed_message_and_opens_a_campaign(world):
    with tenant_context(world.a):
        report = _report(world, MULTIPART, comment="Looks like our bank but isn't")
        assert (report.subject, report.sender_domain, report.raw_size) == (
            "RE: [EXTERNAL] Verify your account ✅",
            "bank.example",
            len(MULTIPART),
        )
        assert bytes(report.raw_message) == MULTIPART
        assert report.links.count() == 4 and report.attachments.count() == 1
        assert report.reporter.user_id == world.a_member.pk
        campaign = report.campaign
        assert (campaign.status, campaign.report_count, campaign.normalised_subject) == (
            "new",
            1,
            "verify your account ✅",
        )


def test_same_subject_and_sender_domain_within_the_window_join_one_campaign(world):
    with tenant_context(world.a):
        first = _report(world, html_only("Your parcel is waiting"))
        second = _report(
            world,
            html_only("FW: Your parcel is waiting", href="https://other.example/z/1"),
            world.a_lead,
            NOW + timedelta(days=6),
        )
        assert second.campaign_id == first.campaign_id
        assert PhishingCampaign.objects.get(pk=first.campaign_id).report_count == 2
        # Another sender domain with the same subject is another campaign.
        other = _report(
            world,
            html_only("Your parcel is waiting", sender="x@elsewhere.example", href="https://o.example/q/2"),
        )
        assert other.campaign_id != first.campaign_id


def test_a_shared_link_or_attachment_groups_messages_with_different_subjects(world):
    with tenant_context(world.a):
        first = _report(
            world, html_only("Parcel 1", sender="a@one.example", href="https://same.example/track/77")
        )
        by_link = _report(
            world, html_only("Parcel 2", sender="b@two.example", href="https://same.example/track/77")
        )
        assert by_link.campaign_id == first.campaign_id
        payload = b"<script>steal()</script>"
        one = _report(world, with_attachment("Invoice 1", "x@three.example", payload))
        two = _report(world, with_attachment("Invoice 99", "y@four.example", payload, "renamed.html"))
        assert two.campaign_id == one.campaign_id != first.campaign_id


def test_a_bare_host_link_does_not_group(world):
    with tenant_context(world.a):
        first = _report(
            world,
            html_only(
                "A", sender="a@one.example", href="https://www.linkedin.com/", action="https://a.example/1"
            ),
        )
        second = _report(
            world,
            html_only(
                "B", sender="b@two.example", href="https://www.linkedin.com/", action="https://b.example/2"
            ),
        )
        assert first.campaign_id != second.campaign_id


def test_reports_after_the_window_start_a_new_campaign(world):
    with tenant_context(world.a):
        first = _report(world, html_only())
        later = _report(world, html_only(), now=NOW + timedelta(days=7, seconds=1))
        assert later.campaign_id != first.campaign_id


def test_triage_into_an_incident_names_the_reporters_and_later_reports_join_it(world):
    with tenant_context(world.a):
        first = _report(world, MULTIPART)
        _report(world, MULTIPART, world.a_lead, NOW + timedelta(minutes=5))
        campaign = intake.triage_campaign(
            world.a,
            first.campaign_id,
            intake.Triage(verdict="incident", severity="high", note="Credential harvesting"),
            actor=world.technician,
            now=NOW + timedelta(minutes=10),
        )
        incident = campaign.incident
        assert incident is not None
        assert (incident.kind, incident.severity, incident.status) == ("phishing", "high", "new")
        assert incident.title == "Phishing: RE: [EXTERNAL] Verify your account ✅"
        assert "hxxps[://]evil[.]example" in incident.description
        assert "SPF fail, DKIM none, DMARC fail" in incident.description
        reporters = {world.a_member.pk, world.a_lead.pk}
        assert set(incident.affected_users.values_list("contact__user_id", flat=True)) == reporters
        assert WorkItem.objects.filter(
            client=world.a, kind=WorkItemKind.SECURITY_INCIDENT, object_id=incident.pk
        ).exists()
        # A third person reports the same message later: joins the campaign and the incident.
        third = _report(
            world,
            MULTIPART,
            world.technician,
            NOW + timedelta(hours=1),
            reporter_contact_id=_contact(world.a_lead).pk,
        )
        assert third.campaign_id == campaign.pk
        assert IncidentActivity.objects.filter(incident=incident, kind="phishing").count() == 2


def _contact(user):
    from services.directory.models import Contact

    return Contact.objects.get(user_id=user.pk)


def test_triage_into_an_existing_incident(world):
    from services.security.actions import NewIncident, create_incident

    with tenant_context(world.a):
        existing = create_incident(
            world.a,
            NewIncident(title="Wave of phishing", kind="phishing", severity="high"),
            actor=world.technician,
            now=NOW,
        )
        report = _report(world, html_only())
        campaign = intake.triage_campaign(
            world.a,
            report.campaign_id,
            intake.Triage(verdict="incident", incident_number=existing.number),
            actor=world.technician,
            now=NOW,
        )
        assert campaign.incident_id == existing.pk
        assert SecurityIncident.objects.count() == 1
        assert list(existing.affected_users.values_list("contact__user_id", flat=True)) == [world.a_member.pk]


def test_safe_verdict_tells_each_reporter_once_in_app_and_by_email(world):
    with tenant_context(world.a):
        first = _report(world, html_only())
        _report(world, html_only(), world.a_lead)
        intake.triage_campaign(
            world.a,
            first.campaign_id,
            intake.Triage(verdict="safe", note="Real parcel"),
            actor=world.technician,
            now=NOW,
        )
        notes = Notification.objects.filter(kind="phishing_verdict").order_by("user_id")
        assert sorted(n.user_id for n in notes) == sorted([world.a_member.pk, world.a_lead.pk])
        assert all(n.email_pending and "is safe" in n.title for n in notes)
        assert all("/phishing/" in n.link for n in notes)
        # The IT lead leaves the client before the e-mail goes out: only the member hears.
        Membership.objects.filter(user=world.a_lead, client=world.a).delete()
        mail.outbox.clear()
        assert send_verdict_emails() == 1
        assert [m.to for m in mail.outbox] == [[world.a_member.email]]
        assert not Notification.objects.filter(kind="phishing_verdict", email_pending=True).exists()
        assert send_verdict_emails() == 0


def test_safe_campaigns_take_no_new_reports_and_can_still_become_incidents(world):
    with tenant_context(world.a):
        first = _report(world, html_only())
        intake.triage_campaign(
            world.a, first.campaign_id, intake.Triage(verdict="safe"), actor=world.technician, now=NOW
        )
        again = _report(world, html_only(), now=NOW + timedelta(hours=1))
        assert again.campaign_id != first.campaign_id
        with pytest.raises(ActionError) as refused:
            intake.triage_campaign(
                world.a, first.campaign_id, intake.Triage(verdict="safe"), actor=world.technician
            )
        assert refused.value.errors[0].code == "INVALID_TRANSITION"
        campaign = intake.triage_campaign(
            world.a, first.campaign_id, intake.Triage(verdict="incident"), actor=world.technician
        )
        assert campaign.status == PhishingCampaignStatus.INCIDENT
        with pytest.raises(ActionError) as refused:
            intake.triage_campaign(
                world.a, first.campaign_id, intake.Triage(verdict="safe"), actor=world.technician
            )
        assert refused.value.errors[0].code == "INVALID_TRANSITION"


@pytest.mark.parametrize(
    "raw, code",
    [
        (b"", "REQUIRED"),
        (b"   \r\n", "REQUIRED"),
        (b"From: a@b.example\r\nSubject: x\r\n\r\nbo\x00dy", "INVALID"),
        (b"Hello, I just pasted the body of the mail without headers.", "NOT_A_MESSAGE"),
    ],
)
def test_bad_messages_are_refused_and_nothing_is_written(world, raw, code):
    with tenant_context(world.a):
        with pytest.raises(ActionError) as refused:
            _report(world, raw)
        assert refused.value.errors[0].code == code
        assert not PhishingReport.objects.exists() and not PhishingCampaign.objects.exists()


@override_settings(PHISHING_REPORT_MAX_BYTES=1000)
def test_oversize_messages_are_refused(world):
    with tenant_context(world.a):
        with pytest.raises(ActionError) as refused:
            _report(world, MULTIPART)
        assert refused.value.errors[0].code == "TOO_LARGE"
        assert not PhishingReport.objects.exists()


def test_a_malformed_message_is_accepted_with_its_problems_listed(world):
    with tenant_context(world.a):
        report = _report(world, MALFORMED)
        assert "The Date header is not a valid date." in report.parse_problems


def test_triage_is_staff_only_and_foreign_campaigns_are_not_found(world):
    with tenant_context(world.b):
        for n in range(3):
            foreign = intake.report_phishing(
                world.b,
                actor=world.b_member,
                raw=html_only(f"B {n}", sender=f"b{n}@b.example", href=f"https://b.example/{n}/x"),
                now=NOW,
            )
    with tenant_context(world.a):
        mine = _report(world, html_only())
        with pytest.raises(ActionError) as refused:
            intake.triage_campaign(
                world.a, mine.campaign_id, intake.Triage(verdict="safe"), actor=world.a_lead
            )
        assert refused.value.errors[0].code == "PERMISSION_DENIED"
        with pytest.raises(ActionError) as refused:
            intake.triage_campaign(
                world.a, foreign.campaign_id, intake.Triage(verdict="safe"), actor=world.technician
            )
        assert refused.value.errors[0].code == "NOT_FOUND"


def test_the_same_submission_twice_is_one_report(world):
    with tenant_context(world.a):
        one = _report(world, MULTIPART, idempotency_key="k-0123456789abcdef")
        two = _report(world, MULTIPART, idempotency_key="k-0123456789abcdef")
        assert one.pk == two.pk and PhishingReport.objects.count() == 1


def test_campaigns_awaiting_triage_are_in_the_queue_until_triaged(world):
    with tenant_context(world.a):
        first = _report(world, html_only())
        _report(world, html_only(), world.a_lead)
        item = WorkItem.objects.get(client=world.a, kind=WorkItemKind.PHISHING, object_id=first.campaign_id)
        assert (item.is_open, item.service_line, item.next_deadline_at) == (True, "security", None)
        assert item.title == "Your parcel is waiting — 2 reports"
        intake.triage_campaign(
            world.a, first.campaign_id, intake.Triage(verdict="safe"), actor=world.technician, now=NOW
        )
        item.refresh_from_db()
        assert (item.is_open, item.status) == (False, "triaged_safe")


def test_staff_report_on_behalf_of_a_contact_once_per_submission(world):
    with tenant_context(world.a):
        contact = _contact(world.a_member)
        one = intake.report_phishing(
            world.a,
            actor=world.technician,
            raw=MULTIPART,
            reporter_contact_id=contact.pk,
            idempotency_key="staff-0123456789abcdef",
        )
        two = intake.report_phishing(
            world.a,
            actor=world.technician,
            raw=MULTIPART,
            reporter_contact_id=contact.pk,
            idempotency_key="staff-0123456789abcdef",
        )
        assert one.pk == two.pk and PhishingReport.objects.count() == 1
        assert (one.reporter_id, one.reporter_user_id, one.submitted_by_id) == (
            contact.pk,
            None,
            world.technician.pk,
        )
        with pytest.raises(ActionError) as refused:
            intake.report_phishing(world.a, actor=world.technician, raw=MULTIPART)
        assert refused.value.errors[0].field == "reporterContactId"
