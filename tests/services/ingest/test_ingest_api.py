"""GraphQL of the ingest: staff create (secret shown once), list and revoke tokens; the
client's IT lead sees whether monitoring is connected, never keys or secrets."""

from __future__ import annotations

import json

import pytest
from graphql_relay import to_global_id

from services.ingest.actions import create_token
from services.ingest.models import IngestToken
from tenants.models import AuditEvent, Client, ClientStatus
from tests.conftest import World
from tests.services.ingest.helpers import NOW, Sender, device_item

CREATE = """mutation($slug: String, $name: String!) {
  createIngestToken(clientSlug: $slug, name: $name) {
    secret token { id keyId name isActive createdByName lastUsedAt } errors { field code message }
  }
}"""
REVOKE = """mutation($id: ID!) {
  revokeIngestToken(id: $id) { token { keyId isActive revokedAt revokedByName } errors { field code } }
}"""
LIST = """query($slug: String) {
  ingestTokens(clientSlug: $slug) { keyId name isActive createdByName revokedByName lastUsedAt }
}"""


@pytest.mark.parametrize("role", ["admin", "technician"])
def test_staff_create_a_token_whose_secret_is_shown_once_and_works(world: World, gql, role) -> None:
    user = getattr(world, role)
    result = gql(user).data(CREATE, {"slug": "alpha", "name": " Datto RMM "})["createIngestToken"]
    assert result["errors"] == []
    token, secret = result["token"], result["secret"]
    assert token["name"] == "Datto RMM" and token["isActive"] and token["createdByName"] == user.full_name
    assert token["keyId"].startswith("ik_") and secret.startswith("iks_")
    stored = IngestToken.objects.get(key_id=token["keyId"])
    # Not stored anywhere: neither in the token row nor in the audit event.
    assert secret not in json.dumps(list(IngestToken.objects.filter(pk=stored.pk).values()), default=str)
    event = AuditEvent.objects.get(action="ingest.token_created", detail__token=stored.pk)
    assert event.actor_id == user.pk and event.client_id == world.a.pk
    assert secret not in json.dumps(event.detail)
    # The list never carries it again.
    listed = gql(user).data(LIST, {"slug": "alpha"})["ingestTokens"]
    assert secret not in json.dumps(listed) and listed[0]["keyId"] == token["keyId"]
    # And it signs real pushes.
    assert (
        Sender(key_id=token["keyId"], secret=secret)
        .post({"batch_id": "b-1", "items": [device_item()]})
        .status_code
        == 200
    )
    assert gql(user).data(LIST, {"slug": "alpha"})["ingestTokens"][0]["lastUsedAt"] == NOW.isoformat()


def test_revoking_stops_the_token_and_is_audited(world: World, gql) -> None:
    created = create_token(world.a, actor=world.admin, name="Old RMM")
    rmm = Sender(key_id=created.token.key_id, secret=created.secret)
    result = gql(world.technician).data(REVOKE, {"id": to_global_id("IngestToken", created.token.pk)})
    payload = result["revokeIngestToken"]
    assert payload["errors"] == [] and payload["token"]["isActive"] is False
    assert payload["token"]["revokedByName"] == world.technician.full_name
    assert (
        AuditEvent.objects.filter(action="ingest.token_revoked", detail__token=created.token.pk).count() == 1
    )
    assert rmm.post({"batch_id": "b-1", "items": [device_item()]}).status_code == 401
    # Revoking again changes nothing (and is not audited twice).
    again = gql(world.admin).data(REVOKE, {"id": str(created.token.pk)})["revokeIngestToken"]
    assert again["errors"] == [] and again["token"]["revokedByName"] == world.technician.full_name
    assert (
        AuditEvent.objects.filter(action="ingest.token_revoked", detail__token=created.token.pk).count() == 1
    )


@pytest.mark.parametrize(
    ("name", "field", "code"),
    [
        ("", "name", "REQUIRED"),
        ("   ", "name", "REQUIRED"),
        ("x" * 81, "name", "TOO_LONG"),
        ("RMM\x00", "name", "INVALID"),
        ("RMM\x07", "name", "INVALID"),
    ],
)
def test_a_bad_token_name_is_a_typed_error_and_nothing_is_created(
    world: World, gql, name, field, code
) -> None:
    payload = gql(world.admin).data(CREATE, {"slug": "alpha", "name": name})["createIngestToken"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [(field, code)]
    assert payload["secret"] is None
    assert not IngestToken.objects.filter(client=world.a).exists()


def test_at_most_so_many_active_tokens(world: World, gql, settings) -> None:
    settings.INGEST_MAX_ACTIVE_TOKENS = 2
    first = create_token(world.a, actor=world.admin, name="one").token
    create_token(world.a, actor=world.admin, name="two")
    payload = gql(world.admin).data(CREATE, {"slug": "alpha", "name": "three"})["createIngestToken"]
    assert [e["code"] for e in payload["errors"]] == ["TOO_MANY"]
    # Rotation: revoke one, then there is room.
    gql(world.admin).data(REVOKE, {"id": str(first.pk)})
    assert (
        gql(world.admin).data(CREATE, {"slug": "alpha", "name": "three"})["createIngestToken"]["errors"] == []
    )


def test_offboarded_clients_get_no_new_tokens(world: World, gql) -> None:
    Client.objects.filter(pk=world.a.pk).update(status=ClientStatus.OFFBOARDED)
    payload = gql(world.admin).data(CREATE, {"slug": "alpha", "name": "RMM"})["createIngestToken"]
    assert [e["code"] for e in payload["errors"]] == ["CLIENT_READ_ONLY"]


@pytest.mark.parametrize("value", ["nonsense", to_global_id("Ticket", 1), "0", "-1"])
def test_revoking_a_bad_id_is_a_typed_error(world: World, gql, value) -> None:
    payload = gql(world.admin).data(REVOKE, {"id": value})["revokeIngestToken"]
    assert [e["code"] for e in payload["errors"]] == ["INVALID"]


def test_revoking_an_unknown_token_is_not_found(world: World, gql) -> None:
    payload = gql(world.admin).data(REVOKE, {"id": "987654"})["revokeIngestToken"]
    assert [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]


def test_account_managers_and_client_users_may_not_create_tokens(world: World, gql) -> None:
    for graphql in (gql(world.account_manager), gql(world.a_lead, host=world.a)):
        payload = graphql.data(CREATE, {"name": "RMM", "slug": None})["createIngestToken"]
        assert [e["code"] for e in payload["errors"]] == ["PERMISSION_DENIED"]
    assert not IngestToken.objects.exists()


def test_the_it_lead_sees_that_monitoring_is_connected(world: World, gql) -> None:
    query = "{ monitoringConnection { connected activeTokenCount lastReceivedAt } }"
    lead = gql(world.a_lead, host=world.a)
    assert lead.data(query)["monitoringConnection"] == {
        "connected": False,
        "activeTokenCount": 0,
        "lastReceivedAt": None,
    }
    created = create_token(world.a, actor=world.admin, name="RMM")
    assert lead.data(query)["monitoringConnection"]["connected"] is False  # nothing received yet
    Sender(key_id=created.token.key_id, secret=created.secret).post(
        {"batch_id": "b", "items": [device_item()]}
    )
    assert lead.data(query)["monitoringConnection"] == {
        "connected": True,
        "activeTokenCount": 1,
        "lastReceivedAt": NOW.isoformat(),
    }
    member = gql(world.a_member, host=world.a).execute(query)
    assert member["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def test_the_token_list_costs_a_constant_number_of_queries(
    world: World, gql, django_assert_num_queries
) -> None:
    admin = gql(world.admin)
    create_token(world.a, actor=world.admin, name="first")
    admin.data(LIST, {"slug": "alpha"})  # warm up the session
    with django_assert_num_queries(5) as one:
        assert len(admin.data(LIST, {"slug": "alpha"})["ingestTokens"]) == 1
    for n in range(4):
        created = create_token(world.a, actor=world.technician, name=f"more {n}")
        IngestToken.objects.filter(pk=created.token.pk).update(revoked_at=NOW, revoked_by=world.admin)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(admin.data(LIST, {"slug": "alpha"})["ingestTokens"]) == 5


def test_the_back_office_lists_and_revokes_tokens_but_never_shows_secrets(world: World) -> None:
    from django.test import Client as HttpClient

    from tenants.models import User

    created = create_token(world.a, actor=world.technician, name="Datto RMM")
    User.objects.filter(pk=world.admin.pk).update(is_superuser=True)
    http = HttpClient()
    http.force_login(world.admin)
    session = http.session
    session["otp_device_id"] = world.devices[world.admin.pk].persistent_id
    session.save()
    page = http.get("/admin/ingest/ingesttoken/")
    assert page.status_code == 200 and created.token.key_id in page.content.decode()
    detail = http.get(f"/admin/ingest/ingesttoken/{created.token.pk}/change/").content.decode()
    assert created.secret not in detail and created.token.secret_nonce not in detail
    assert http.get("/admin/ingest/ingesttoken/add/").status_code == 403
    response = http.post(
        "/admin/ingest/ingesttoken/", {"action": "revoke", "_selected_action": [str(created.token.pk)]}
    )
    assert response.status_code == 302
    token = IngestToken.objects.get(pk=created.token.pk)
    assert token.revoked_at is not None and token.revoked_by_id == world.admin.pk
    assert AuditEvent.objects.filter(action="ingest.token_revoked", actor=world.admin).count() == 1
