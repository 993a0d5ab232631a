"""Invitation e-mails go through the outbox: stored with the invitation, sent after it,
and the stored message never holds a usable link."""

from __future__ import annotations

import re

from django.core import mail
from django.utils import timezone

from core.models import OutboxMessage
from tenants.actions import SEND_INVITATION_TASK, accept_invitation, invite_client_user, send_invitation_email


def test_the_email_waits_in_the_outbox_and_carries_the_returned_token(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the broker is down, say
        invitation, token = invite_client_user(
            world.a, email="juliet@alpha.test", full_name="Juliet", role="member", invited_by=world.a_lead
        )
    assert mail.outbox == []
    message = OutboxMessage.objects.get(task=SEND_INVITATION_TASK, args__0=invitation.pk)
    assert token not in str(message.args) + str(message.kwargs)  # only the nonce is stored

    assert send_invitation_email(*message.args) is True
    (email,) = mail.outbox
    assert email.to == ["juliet@alpha.test"]
    assert send_invitation_email(*message.args) is False  # redelivered: recorded, not sent again
    assert len(mail.outbox) == 1
    match = re.search(r"/invite/([\w-]+)", str(email.body))
    assert match is not None and match.group(1) == token
    user, client = accept_invitation(
        token=token, full_name="Juliet", password="a-long-and-unusual-passphrase"
    )
    assert (user.email, client) == ("juliet@alpha.test", world.a)


def test_no_email_for_an_invitation_that_is_no_longer_open(world):
    invitation, _ = invite_client_user(
        world.a, email="kilo@alpha.test", full_name="Kilo", role="member", invited_by=None
    )
    message = OutboxMessage.objects.get(task=SEND_INVITATION_TASK, args__0=invitation.pk)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    mail.outbox.clear()
    assert send_invitation_email(*message.args) is False and mail.outbox == []


def test_a_forged_nonce_sends_nothing(world):
    invitation, _ = invite_client_user(
        world.a, email="lima@alpha.test", full_name="Lima", role="member", invited_by=None
    )
    mail.outbox.clear()
    assert send_invitation_email(invitation.pk, "not-the-nonce") is False and mail.outbox == []
