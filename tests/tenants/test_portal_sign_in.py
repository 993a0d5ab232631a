"""Signing in at the right portal: a client user at another client's portal host, and MSP
staff at a client's portal host, are refused (no session) with links to where they belong —
but only once the password was right, so nobody learns which addresses have accounts."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from tenants.models import AuditEvent, Client, ClientRole, ClientStatus, Membership, User
from tenants.provisioning import provision_client
from tests.conftest import PASSWORD

LOGIN = """mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    nextStep viewer { email } portals { name url } errors { field code message }
  }
}"""


def url(host: str, path: str = "") -> str:
    return f"{settings.PORTAL_SCHEME}://{host}/{path}"


MSP = settings.MSP_HOSTS[0]


@pytest.fixture(autouse=True)
def _public_schema(world):
    yield
    world.b.status = ClientStatus.ACTIVE
    connection.set_schema_to_public()  # type: ignore[attr-defined] # requests to client hosts leave their schema set


def _login(gql, host, email, password=PASSWORD):
    graphql = gql(None, host=host)
    return graphql, graphql.data(LOGIN, {"email": email, "password": password})["login"]


def test_a_client_user_at_another_clients_portal_is_sent_to_her_own(world, gql):
    graphql, payload = _login(gql, world.b, world.a_lead.email)
    assert payload["viewer"] is None and payload["nextStep"] is None
    assert [e["code"] for e in payload["errors"]] == ["WRONG_PORTAL"]
    assert "isn't part of Bravo Legal's portal" in payload["errors"][0]["message"]
    assert payload["portals"] == [{"name": "Alpha Health", "url": url("alpha.localhost")}]
    assert graphql.data("{ viewer { email } }")["viewer"] is None  # no session was started
    event = AuditEvent.objects.get(action="auth.sign_in_refused")
    assert (event.actor_id, event.client_id, event.detail["code"]) == (
        world.a_lead.pk,
        world.b.pk,
        "WRONG_PORTAL",
    )


def test_her_own_portal_still_signs_her_in(world, gql):
    graphql, payload = _login(gql, world.a, world.a_lead.email)
    assert payload["errors"] == [] and payload["nextStep"] == "SIGNED_IN" and payload["portals"] == []
    assert graphql.data("{ viewer { currentClient { slug } } }")["viewer"]["currentClient"]["slug"] == "alpha"


def test_someone_in_several_clients_is_offered_each_of_them(world, gql):
    connection.set_schema_to_public()  # type: ignore[attr-defined]
    provision_client(
        {
            "name": "Charlie Retail",
            "slug": "charlie",
            "industry": "retail",
            "tier": "standard",
            "it_lead_email": "lead@charlie.test",
            "it_lead_name": "Cara Lead",
        },
        acting_user=world.admin,
    )
    Membership.objects.create(user=world.a_member, client=world.b, role=ClientRole.MEMBER)
    charlie = Client.objects.get(slug="charlie")
    _graphql, payload = _login(gql, charlie, world.a_member.email)
    assert payload["errors"][0]["code"] == "WRONG_PORTAL"
    assert payload["portals"] == [
        {"name": "Alpha Health", "url": url("alpha.localhost")},
        {"name": "Bravo Legal", "url": url("bravo.localhost")},
    ]


def test_a_suspended_company_is_not_offered_and_its_own_portal_says_why(world, gql):
    Membership.objects.create(user=world.a_member, client=world.b, role=ClientRole.MEMBER)
    Client.objects.filter(pk=world.b.pk).update(status=ClientStatus.SUSPENDED)
    _graphql, payload = _login(gql, world.b, world.a_member.email)
    assert payload["errors"][0]["code"] == "CLIENT_INACTIVE"
    assert payload["errors"][0]["message"].startswith("Bravo Legal's portal is suspended")
    assert payload["portals"] == [{"name": "Alpha Health", "url": url("alpha.localhost")}]


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("lead@alpha.test", "wrong-password"),  # her account, wrong password
        ("nobody@nowhere.test", PASSWORD),  # no such account
    ],
)
def test_a_wrong_password_at_another_portal_reveals_nothing(world, gql, email, password):
    _graphql, payload = _login(gql, world.b, email, password)
    assert payload == {
        "nextStep": None,
        "viewer": None,
        "portals": [],
        "errors": [{"field": None, "code": "INVALID_CREDENTIALS", "message": "Email or password is wrong."}],
    }


def test_staff_at_a_clients_portal_are_sent_to_that_client_in_the_msp_workspace(world, gql):
    graphql, payload = _login(gql, world.a, world.technician.email)
    assert payload["viewer"] is None
    assert payload["errors"][0]["code"] == "STAFF_ON_CLIENT_PORTAL"
    assert "MSP staff sign in at the MSP workspace" in payload["errors"][0]["message"]
    assert payload["portals"] == [
        {"name": "Alpha Health in the MSP workspace", "url": url(MSP, "clients/alpha")}
    ]
    assert graphql.data("{ viewer { email } }")["viewer"] is None


def test_staff_who_dont_reach_the_client_get_the_workspace_home_only(world, gql):
    _graphql, payload = _login(gql, world.b, world.limited_technician.email)
    assert payload["errors"][0]["code"] == "STAFF_ON_CLIENT_PORTAL"
    assert payload["portals"] == [{"name": "The MSP workspace", "url": url(MSP)}]


def test_staff_still_sign_in_on_the_msp_host(world, gql):
    _graphql, payload = _login(gql, "testserver", world.technician.email)
    assert payload["errors"] == [] and payload["nextStep"] == "OTP_VERIFY"


def test_the_viewer_tells_staff_where_their_workspace_is(world, gql):
    query = "{ viewer { mspWorkspaceUrl onClientPortal } }"
    assert gql(world.technician, host=world.a).data(query)["viewer"] == {
        "mspWorkspaceUrl": url(MSP),
        "onClientPortal": True,
    }
    assert gql(world.technician).data(query)["viewer"]["onClientPortal"] is False
    assert gql(world.a_lead, host=world.a).data(query)["viewer"] == {
        "mspWorkspaceUrl": None,
        "onClientPortal": True,
    }


def test_a_person_with_no_live_company_is_told_so_on_the_msp_host(world, gql):
    person = User.objects.create_user("solo@bravo.test", PASSWORD, full_name="Solo")
    Membership.objects.create(user=person, client=world.b, role=ClientRole.MEMBER)
    Client.objects.filter(pk=world.b.pk).update(status=ClientStatus.OFFBOARDED)
    _graphql, payload = _login(gql, "testserver", person.email)
    assert payload["errors"][0]["code"] == "CLIENT_INACTIVE"
    assert payload["errors"][0]["message"].startswith("Bravo Legal's portal is closed")
