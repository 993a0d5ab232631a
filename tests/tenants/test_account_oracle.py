"""No account-existence oracle in sign-in and invitations: whatever account an e-mail stands
for (none, a client user, MSP staff, deactivated, invited elsewhere), the answer, its code
and field, the queries run and the password hashing done are the same."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.hashers import get_hasher
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tenants.actions import invite_client_user
from tenants.models import ClientRole, Invitation, Membership, MspRole, User
from tests.conftest import PASSWORD, GraphQLClient

# Tasks queued through the outbox (e-mails) run when their transaction commits.
pytestmark = pytest.mark.usefixtures("eager_tasks")

LOGIN = """mutation($e: String!, $p: String!) {
  login(input: {email: $e, password: $p}) { nextStep viewer { email } errors { field code message } } }"""
INVITE = """mutation($input: InviteClientUserInput!) {
  inviteClientUser(input: $input) { invitation { email role invitedBy } errors { field code message } } }"""
ACCEPT = """mutation($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) { nextStep viewer { email } errors { field code message } } }"""


class Counted:
    """Counts the password hasher's work (the slow part an attacker would time)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        hasher_class = type(get_hasher("default"))
        original = hasher_class.encode

        def encode(hasher, password, salt, *args, **kwargs):  # type: ignore[no-untyped-def]
            self.calls += 1
            return original(hasher, password, salt, *args, **kwargs)

        monkeypatch.setattr(hasher_class, "encode", encode)


def _answer(graphql: GraphQLClient, query: str, variables: dict) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as queries:
        result = graphql.execute(query, variables)
    assert "errors" not in result, result
    return result["data"], len(queries)


def _login_cases(world) -> dict[str, tuple[str, str]]:
    User.objects.create_user("gone@alpha.test", PASSWORD, full_name="Gone", is_active=False)
    User.objects.create_user(
        "old@msp.test", PASSWORD, full_name="Old", msp_role=MspRole.TECHNICIAN, is_active=False
    )
    return {
        "no account": ("nobody@alpha.test", "wrong-password-1"),
        "client user, wrong password": (world.a_member.email, "wrong-password-1"),
        "MSP staff, wrong password": (world.technician.email, "wrong-password-1"),
        "deactivated, right password": ("gone@alpha.test", PASSWORD),
        "deactivated staff, right password": ("old@msp.test", PASSWORD),
        "deactivated, wrong password": ("gone@alpha.test", "wrong-password-1"),
    }


LOGIN_CASES = [
    "no account",
    "client user, wrong password",
    "MSP staff, wrong password",
    "deactivated, right password",
    "deactivated staff, right password",
    "deactivated, wrong password",
]


@pytest.mark.parametrize("case", LOGIN_CASES)
def test_login_says_the_same_for_every_failed_sign_in(world, monkeypatch, case):
    email, password = _login_cases(world)[case]
    hashing = Counted(monkeypatch)
    baseline, baseline_queries = _answer(
        GraphQLClient(), LOGIN, {"e": "someone-else@example.org", "p": "wrong-password-1"}
    )
    baseline_hashing, hashing.calls = hashing.calls, 0
    answer, queries = _answer(GraphQLClient(), LOGIN, {"e": email, "p": password})
    assert (
        answer
        == baseline
        == {
            "login": {
                "nextStep": None,
                "viewer": None,
                "errors": [
                    {"field": None, "code": "INVALID_CREDENTIALS", "message": "Email or password is wrong."}
                ],
            }
        }
    )
    assert queries == baseline_queries
    assert hashing.calls == baseline_hashing == 1  # the hasher runs once whether or not the account exists


@pytest.mark.parametrize("case", LOGIN_CASES)
def test_lockout_comes_at_the_same_attempt_for_every_account_state(world, case):
    email, password = _login_cases(world)[case]

    def codes(address: str, secret: str, ip: str) -> list[str]:
        graphql = GraphQLClient()
        graphql.http.defaults["REMOTE_ADDR"] = ip
        return [
            graphql.data(LOGIN, {"e": address, "p": secret})["login"]["errors"][0]["code"]
            for _ in range(settings.AXES_FAILURE_LIMIT + 1)
        ]

    baseline = codes("someone-else@example.org", "wrong-password-1", "10.0.0.1")
    assert baseline[-2:] == ["LOCKED_OUT", "LOCKED_OUT"] and baseline[0] == "INVALID_CREDENTIALS"
    assert codes(email, password, "10.0.0.2") == baseline


def _invite_cases(world) -> dict[str, str]:
    gone = User.objects.create_user("gone@elsewhere.test", PASSWORD, full_name="Gone", is_active=False)
    Membership.objects.create(user=gone, client=world.b, role=ClientRole.MEMBER)
    invite_client_user(
        world.b, email="invited@elsewhere.test", full_name="Invited", role="member", invited_by=world.b_lead
    )
    return {
        "no account": "nobody@elsewhere.test",
        "another client's member": world.b_member.email,
        "another client's IT lead": world.b_lead.email,
        "MSP staff": world.technician.email,
        "MSP admin": world.admin.email,
        "deactivated account": "gone@elsewhere.test",
        "open invitation to another client": "invited@elsewhere.test",
    }


@pytest.mark.parametrize(
    "case",
    [
        "no account",
        "another client's member",
        "another client's IT lead",
        "MSP staff",
        "MSP admin",
        "deactivated account",
        "open invitation to another client",
    ],
)
def test_an_it_lead_cannot_tell_who_has_an_account_by_inviting(
    world, gql, django_capture_on_commit_callbacks, case
):
    email = _invite_cases(world)[case]
    lead = gql(world.a_lead, host=world.a)

    def invite(address: str) -> tuple[dict, int, str]:
        variables = {
            "input": {"clientSlug": "alpha", "email": address, "fullName": "New Person", "role": "MEMBER"}
        }
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            answer, queries = _answer(lead, INVITE, variables)
        answer["inviteClientUser"]["invitation"]["email"] = "<email>"
        (message,) = mail.outbox
        body = re.sub(r"/invite/[\w-]+", "/invite/<token>", str(message.body))
        return answer, queries, f"{message.subject}\n{body}"

    baseline = invite("someone-else@elsewhere.test")
    assert invite(email) == baseline
    assert baseline[0]["inviteClientUser"]["errors"] == []


def _invitation(world, email: str, **changes: object) -> str:
    invitation, token = invite_client_user(
        world.a, email=email, full_name="Invited", role="member", invited_by=world.a_lead
    )
    if changes:
        Invitation.objects.filter(pk=invitation.pk).update(**changes)
    return token


@pytest.mark.parametrize("email", ["nobody@elsewhere.test", "member@bravo.test", "tech@msp.test"])
@pytest.mark.parametrize("spoilt", ["expired", "revoked", "accepted", "unknown"])
def test_an_unusable_invitation_says_nothing_about_the_invited_account(world, email, spoilt):
    now = timezone.now()
    changes = {
        "expired": {"expires_at": now - timedelta(days=1)},
        "revoked": {"revoked_at": now},
        "accepted": {"accepted_at": now},
        "unknown": {},
    }[spoilt]
    token = _invitation(world, email, **changes) if spoilt != "unknown" else "no-such-token"
    variables = {"input": {"token": token, "fullName": "X", "password": PASSWORD}}
    answer, queries = _answer(GraphQLClient(), ACCEPT, variables)
    baseline, baseline_queries = _answer(
        GraphQLClient(), ACCEPT, {"input": {"token": "another-token", "fullName": "X", "password": PASSWORD}}
    )
    assert answer == baseline and queries == baseline_queries
    assert [e["code"] for e in answer["acceptInvitation"]["errors"]] == ["INVALID_INVITATION"]
