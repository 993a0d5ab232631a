"""The one sender of notification e-mails (`services.workqueue.mail`), for every kind."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from services.outreach.notify import send_outreach_emails
from services.security.notify import VERDICT_KIND, send_verdict_emails
from services.workqueue import mail as notification_mail
from services.workqueue.mail import send_notification_emails
from services.workqueue.models import Notification
from tenants.models import StaffClientAccess


def _pending(user, client, kind: str, key: str, body: str = "body", link: str = "") -> Notification:
    return Notification.objects.create(
        user=user,
        client=client,
        kind=kind,
        title=f"about {key}",
        body=body,
        link=link,
        dedupe_key=key,
        email_pending=True,
    )


def test_only_its_kinds_go_out_each_once(world):
    _pending(world.technician, world.a, "alpha_kind", "n1")
    _pending(world.technician, world.a, "other_kind", "n2")
    assert send_notification_emails(["alpha_kind"], staff_only=True) == 1
    assert [m.subject for m in mail.outbox] == ["about n1"]
    assert send_notification_emails(["alpha_kind"], staff_only=True) == 0  # recorded as sent
    assert Notification.objects.get(dedupe_key="n2").email_pending  # not its kind: untouched


def test_staff_only_leaves_client_users_out_and_clears_their_rows(world):
    _pending(world.a_lead, world.a, "k", "lead")
    _pending(world.technician, world.a, "k", "tech")
    assert send_notification_emails(["k"], staff_only=True) == 1
    assert [m.to for m in mail.outbox] == [[world.technician.email]]
    lead = Notification.objects.get(dedupe_key="lead")
    assert not lead.email_pending and lead.emailed_at is None  # decided: not sent, not pending


def test_client_users_are_written_to_when_the_kind_allows(world):
    _pending(world.a_lead, world.a, VERDICT_KIND, "verdict", body="It was phishing.")
    assert send_verdict_emails() == 1
    assert mail.outbox[0].to == [world.a_lead.email] and mail.outbox[0].body == "It was phishing."


def test_someone_who_lost_the_client_gets_nothing(world):
    _pending(world.limited_technician, world.a, "k", "lost")
    StaffClientAccess.objects.filter(user=world.limited_technician).delete()
    assert send_notification_emails(["k"], staff_only=True) == 0
    assert mail.outbox == [] and not Notification.objects.get(dedupe_key="lost").email_pending


def test_outreach_mail_carries_the_link(world):
    from services.outreach.notify import OUTREACH_KINDS

    kind = sorted(OUTREACH_KINDS)[0]
    _pending(world.account_manager, world.a, kind, "due", body="Alpha is due a check-in.", link="https://x/y")
    assert send_outreach_emails() == 1
    assert mail.outbox[0].body == "Alpha is due a check-in.\n\nhttps://x/y"


@pytest.mark.parametrize("count", [1, 5])
def test_one_mail_server_connection_per_run(world, monkeypatch, count):
    opened = []

    class Counting(EmailBackend):
        def open(self):
            opened.append(1)
            return super().open()

    monkeypatch.setattr(notification_mail, "get_connection", lambda: Counting())
    for index in range(count):
        _pending(world.technician, world.a, "k", f"n{index}")
    assert send_notification_emails(["k"], staff_only=True, batch_size=2) == count
    assert len(opened) == 1 and len(mail.outbox) == count
