"""The invitation page's data: whether a token is usable and, only then, the company's name
and the name the inviter typed — no more than the emailed link already says."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from msp_portal.schema import schema
from tenants.actions import invite_client_user
from tenants.models import Client, ClientRole, ClientStatus, Invitation

PREVIEW = "query($t: String!) { invitation(token: $t) { usable companyName fullName } }"
UNUSABLE = {"usable": False, "companyName": None, "fullName": None}


@pytest.fixture(autouse=True)
def _restore(world):
    yield
    world.a.status = ClientStatus.ACTIVE


def _invite(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return invite_client_user(
            world.a,
            email="new@alpha.test",
            full_name="Nia New",
            role=ClientRole.MEMBER,
            invited_by=world.a_lead,
        )


def test_a_usable_token_names_the_company_and_the_invited_person(
    world, gql, django_capture_on_commit_callbacks
):
    _invitation, token = _invite(world, django_capture_on_commit_callbacks)
    for host in (world.a, "testserver"):
        assert gql(None, host=host).data(PREVIEW, {"t": token})["invitation"] == {
            "usable": True,
            "companyName": "Alpha Health",
            "fullName": "Nia New",
        }


def test_the_preview_type_exposes_nothing_else():
    fields = set(schema.graphql_schema.get_type("InvitationPreview").fields)
    assert fields == {"usable", "companyName", "fullName"}


@pytest.mark.parametrize("spoil", ["expired", "revoked", "accepted", "unknown", "suspended", "empty"])
def test_an_unusable_token_is_said_so_and_nothing_is_told_apart(
    world, gql, django_capture_on_commit_callbacks, spoil
):
    invitation, token = _invite(world, django_capture_on_commit_callbacks)
    now = timezone.now()
    if spoil == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=now - timedelta(seconds=1))
    elif spoil == "revoked":
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=now)
    elif spoil == "accepted":
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=now)
    elif spoil == "suspended":
        Client.objects.filter(pk=world.a.pk).update(status=ClientStatus.SUSPENDED)
    elif spoil == "unknown":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif spoil == "empty":
        token = ""
    assert gql(None, host=world.a).data(PREVIEW, {"t": token})["invitation"] == UNUSABLE


def test_the_invitation_email_promises_only_what_the_portal_offers(
    world, django_capture_on_commit_callbacks, eager_tasks
):
    _invite(world, django_capture_on_commit_callbacks)
    body = mail.outbox[-1].body
    assert "invoice" not in body.lower()
    assert "raise IT requests, follow their progress and see how your service levels are met" in body
