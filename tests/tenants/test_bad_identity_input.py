"""Bad identity input — e-mails, names, NUL bytes — is a typed field error before anything
is written or queued: provisioning validates every field before its job exists, so a bad
address never reaches the worker and the job's jsonb never sees a NUL."""

from __future__ import annotations

import pytest

from core.errors import ActionError
from tenants.actions import accept_invitation, invite_client_user, normalise_email
from tenants.models import AuditEvent, Invitation, ProvisioningJob, User
from tenants.provisioning import start_provisioning_job

# 312 characters that Django's validate_email accepts (it allows up to 320).
LONG_EMAIL = "a" * 63 + "@" + ".".join(["b" * 60] * 4) + ".test"

VALID = {
    "name": "Delta Works",
    "slug": "delta",
    "industry": "retail",
    "tier": "standard",
    "timezone": "Europe/London",
    "it_lead_email": "lead@delta.test",
    "it_lead_name": "Dee Lead",
}

PROVISION = """mutation($input: ProvisionClientInput!) { provisionClient(input: $input) {
  job { id status } errors { field code message } } }"""
INVITE = """mutation($input: InviteClientUserInput!) {
  inviteClientUser(input: $input) { invitation { email } errors { field code message } } }"""
LOGIN = """mutation($input: LoginInput!) { login(input: $input) { errors { field code message } } }"""


def test_a_312_character_email_passes_djangos_validator_but_not_ours():
    from django.core.validators import validate_email

    assert len(LONG_EMAIL) == 312
    validate_email(LONG_EMAIL)  # Django alone would store it
    with pytest.raises(ActionError) as refused:
        normalise_email(LONG_EMAIL, "itLeadEmail")
    assert [(e.field, e.code) for e in refused.value.errors] == [("itLeadEmail", "TOO_LONG")]
    with pytest.raises(ActionError) as nul:
        normalise_email("lead@delta.test\x00")
    assert nul.value.errors[0].code == "INVALID"


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"it_lead_email": LONG_EMAIL}, "itLeadEmail", "TOO_LONG"),
        ({"it_lead_name": "n" * 201}, "itLeadName", "TOO_LONG"),
        ({"it_lead_name": "Dee\x00Lead"}, "itLeadName", "INVALID"),
        ({"name": "Delta\x00"}, "name", "INVALID"),
        ({"name": "d" * 201}, "name", "TOO_LONG"),
        ({"timezone": "Europe/London\x00"}, "timezone", "INVALID"),
        ({"account_manager_id": "abc"}, "accountManagerId", "INVALID"),
    ],
)
def test_provisioning_refuses_before_queueing(world, overrides, field, code):
    before = (ProvisioningJob.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ActionError) as refused:
        start_provisioning_job({**VALID, **overrides}, acting_user=world.admin)
    assert (refused.value.errors[0].field, refused.value.errors[0].code) == (field, code)
    assert (ProvisioningJob.objects.count(), AuditEvent.objects.count()) == before


def test_provision_client_mutation_refuses_a_long_email_at_once(world, gql):
    variables = {
        "input": {
            "name": "Delta Works",
            "slug": "delta",
            "industry": "RETAIL",
            "tier": "STANDARD",
            "itLeadEmail": LONG_EMAIL,
            "itLeadName": "Dee Lead",
        }
    }
    payload = gql(world.admin).data(PROVISION, variables)["provisionClient"]
    assert payload["job"] is None
    assert (payload["errors"][0]["field"], payload["errors"][0]["code"]) == ("itLeadEmail", "TOO_LONG")
    assert not ProvisioningJob.objects.exists()


@pytest.mark.parametrize(
    ("email", "full_name", "field", "code"),
    [
        (LONG_EMAIL, "New Person", "email", "TOO_LONG"),
        ("new@alpha.test\x00", "New Person", "email", "INVALID"),
        ("new@alpha.test", "n" * 201, "fullName", "TOO_LONG"),
        ("new@alpha.test", "New\x00Person", "fullName", "INVALID"),
    ],
)
def test_invitations_refuse_bad_addresses_and_names(world, gql, email, full_name, field, code):
    variables = {"input": {"clientSlug": "alpha", "email": email, "fullName": full_name, "role": "MEMBER"}}
    payload = gql(world.admin).data(INVITE, variables)["inviteClientUser"]
    assert (payload["errors"][0]["field"], payload["errors"][0]["code"]) == (field, code)
    with pytest.raises(ActionError) as refused:
        invite_client_user(world.a, email=email, full_name=full_name, role="member", invited_by=world.admin)
    assert (refused.value.errors[0].field, refused.value.errors[0].code) == (field, code)
    assert not Invitation.objects.filter(client=world.a).exists()


def test_accepting_an_invitation_refuses_a_name_the_account_cannot_hold(world):
    invitation, token = invite_client_user(
        world.a, email="fresh@alpha.test", full_name="Fresh Person", role="member", invited_by=world.admin
    )
    with pytest.raises(ActionError) as refused:
        accept_invitation(token=token, full_name="f" * 201, password="a-long-enough-passphrase-42")
    assert (refused.value.errors[0].field, refused.value.errors[0].code) == ("fullName", "TOO_LONG")
    assert not User.objects.filter(email="fresh@alpha.test").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.parametrize(
    ("email", "code"), [("x" * 1_000_000 + "@msp.test", "TOO_LONG"), ("admin@msp.test\x00", "INVALID")]
)
def test_login_refuses_a_megabyte_or_nul_email_as_a_field_error(world, gql, email, code):
    payload = gql().data(LOGIN, {"input": {"email": email, "password": "whatever"}})["login"]
    assert (payload["errors"][0]["field"], payload["errors"][0]["code"]) == ("email", code)
