"""A client's lifecycle (onboarding → active ⇄ suspended, → offboarded), its effects on
sign-in, sessions, the queue, the SLA sweep and periodic jobs, and the guarded delete."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context

from core.errors import ActionError
from services.directory.models import Contact
from services.directory.tasks import dispatch_contact_sync_task
from services.support.actions import NewTicket, assign_ticket, create_ticket
from services.workqueue.sweep import sweep_sla_alerts
from tenants.actions import invite_client_user
from tenants.domain_cache import forget_client
from tenants.lifecycle import change_client_status, delete_client
from tenants.models import (
    AuditEvent,
    Client,
    ClientRole,
    ClientStatus,
    Domain,
    Invitation,
    Membership,
    StaffClientAccess,
    User,
)
from tenants.provisioning import provision_client
from tests.conftest import PASSWORD

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

STATUS = """mutation($slug: String!, $status: ClientStatus!) {
  changeClientStatus(clientSlug: $slug, status: $status) { client { slug status allowedStatuses } errors { field code message } }
}"""
DELETE = """mutation($slug: String!, $confirm: String!) {
  deleteClient(clientSlug: $slug, confirmSlug: $confirm) { deletedSlug errors { field code message } }
}"""
LOGIN = """mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    nextStep viewer { email } portals { name url } errors { code message }
  }
}"""
QUEUE = "{ queue(first: 50) { totalCount edges { node { title client { slug } } } } }"


@pytest.fixture(autouse=True)
def _restore_world(world):
    """The world's client objects outlive the rolled-back transaction: put their status back."""
    yield
    for client in (world.a, world.b):
        client.status = ClientStatus.ACTIVE
    connection.set_schema_to_public()  # type: ignore[attr-defined]


def _set_status(client: Client, status: str) -> None:
    Client.objects.filter(pk=client.pk).update(status=status)
    forget_client(client)  # as change_client_status does (the cached host -> tenant lookup)
    client.refresh_from_db()


def _ticket(world, client: Client, lead: User, title: str = "Printer on fire") -> int:
    with tenant_context(client):
        ticket = create_ticket(
            client, NewTicket(title=title, impact="medium", urgency="high"), actor=lead, now=T0
        )
        assign_ticket(client, ticket.number, actor=world.technician, assignee_id=world.technician.pk, now=T0)
        return ticket.number


def _fresh_client(world, slug: str = "echo") -> Client:
    connection.set_schema_to_public()  # type: ignore[attr-defined] # a request to a client host leaves its schema set
    return provision_client(
        {
            "name": "Echo Dental",
            "slug": slug,
            "industry": "healthcare",
            "tier": "standard",
            "it_lead_email": f"lead@{slug}.test",
            "it_lead_name": "Eve Lead",
        },
        acting_user=world.admin,
    )


# ----------------------------------------------------------------------- transitions


def test_an_admin_suspends_and_reactivates_a_client_and_each_change_is_audited(world, gql):
    admin = gql(world.admin)
    payload = admin.data(STATUS, {"slug": "alpha", "status": "SUSPENDED"})["changeClientStatus"]
    assert payload["errors"] == []
    assert payload["client"]["status"] == "SUSPENDED"
    assert payload["client"]["allowedStatuses"] == ["ACTIVE", "OFFBOARDED"]
    payload = admin.data(STATUS, {"slug": "alpha", "status": "ACTIVE"})["changeClientStatus"]
    assert payload["client"]["status"] == "ACTIVE"
    events = AuditEvent.objects.filter(action="client.status_changed", client=world.a).order_by("created_at")
    assert [(e.detail["old"], e.detail["new"], e.actor_id) for e in events] == [
        ("active", "suspended", world.admin.pk),
        ("suspended", "active", world.admin.pk),
    ]


@pytest.mark.parametrize(
    ("start", "target", "code"),
    [
        ("offboarded", "active", "INVALID_TRANSITION"),  # offboarding is final (for now)
        ("active", "onboarding", "INVALID_TRANSITION"),
        ("active", "active", "INVALID_TRANSITION"),
    ],
)
def test_a_forbidden_transition_is_a_typed_error_and_changes_nothing(world, gql, start, target, code):
    _set_status(world.a, start)
    payload = gql(world.admin).data(STATUS, {"slug": "alpha", "status": target.upper()})["changeClientStatus"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("status", code)]
    assert Client.objects.get(pk=world.a.pk).status == start
    assert not AuditEvent.objects.filter(action="client.status_changed").exists()


def test_only_msp_admins_change_a_status(world, gql):
    for graphql in (gql(world.technician), gql(world.account_manager), gql(world.a_lead, host=world.a)):
        payload = graphql.data(STATUS, {"slug": "alpha", "status": "SUSPENDED"})["changeClientStatus"]
        assert payload["client"] is None
        assert payload["errors"][0]["code"] in {"PERMISSION_DENIED", "NOT_FOUND"}
    assert Client.objects.get(pk=world.a.pk).status == ClientStatus.ACTIVE


def test_the_it_leads_first_sign_in_activates_an_onboarding_client(world, gql):
    _set_status(world.a, ClientStatus.ONBOARDING)
    member = gql(None, host=world.a).data(LOGIN, {"email": world.a_member.email, "password": PASSWORD})
    assert member["login"]["errors"] == []
    assert Client.objects.get(pk=world.a.pk).status == ClientStatus.ONBOARDING  # a member doesn't

    lead = gql(None, host=world.a).data(LOGIN, {"email": world.a_lead.email, "password": PASSWORD})
    assert lead["login"]["errors"] == []
    assert Client.objects.get(pk=world.a.pk).status == ClientStatus.ACTIVE
    event = AuditEvent.objects.get(action="client.status_changed", client=world.a)
    assert (event.actor_id, event.detail["reason"]) == (world.a_lead.pk, "it_lead_signed_in")


def test_accepting_the_it_lead_invitation_activates_the_new_client(world, gql):
    client = _fresh_client(world)
    assert client.status == ClientStatus.ONBOARDING
    _invitation, token = invite_client_user(
        client,
        email="second@echo.test",
        full_name="Sam Second",
        role=ClientRole.IT_LEAD,
        invited_by=world.admin,
    )
    result = gql(None, host=client).data(
        'mutation($t: String!) { acceptInvitation(input: {token: $t, fullName: "Sam Second", '
        'password: "a-long-new-passphrase-9"}) { errors { code } } }',
        {"t": token},
    )
    assert result["acceptInvitation"]["errors"] == []
    assert Client.objects.get(pk=client.pk).status == ClientStatus.ACTIVE


def test_a_suspended_client_is_not_activated_by_its_it_lead_signing_in(world, gql):
    _set_status(world.a, ClientStatus.SUSPENDED)
    gql(None, host=world.a).data(LOGIN, {"email": world.a_lead.email, "password": PASSWORD})
    assert Client.objects.get(pk=world.a.pk).status == ClientStatus.SUSPENDED


# --------------------------------------------------------------------------- effects


@pytest.mark.parametrize("status", ["suspended", "offboarded"])
def test_members_of_an_inactive_client_cannot_sign_in_and_are_told_why(world, gql, status):
    _set_status(world.a, status)
    graphql = gql(None, host=world.a)
    payload = graphql.data(LOGIN, {"email": world.a_lead.email, "password": PASSWORD})["login"]
    assert payload["viewer"] is None and payload["nextStep"] is None
    assert payload["errors"][0]["code"] == "CLIENT_INACTIVE"
    word = "suspended" if status == "suspended" else "closed"
    assert payload["errors"][0]["message"].startswith(f"Alpha Health's portal is {word}")
    assert graphql.data("{ viewer { email } }")["viewer"] is None  # no session was started
    # A wrong password still says only that the credentials are wrong.
    wrong = graphql.data(LOGIN, {"email": world.a_lead.email, "password": "nope"})["login"]
    assert [e["code"] for e in wrong["errors"]] == ["INVALID_CREDENTIALS"]


def test_suspension_cuts_off_sessions_that_are_already_signed_in(world, gql):
    lead = gql(world.a_lead, host=world.a)
    assert lead.data("{ client { slug } }")["client"]["slug"] == "alpha"
    number = _ticket(world, world.a, world.a_lead)
    _set_status(world.a, ClientStatus.SUSPENDED)

    result = lead.execute("{ tickets { number } }")
    assert result["errors"][0]["extensions"]["code"] == "CLIENT_INACTIVE"
    assert "Alpha Health's portal is suspended" in result["errors"][0]["message"]
    reply = lead.data(
        'mutation($n: Int!) { replyToTicket(number: $n, body: "hello?") { ticket { number } errors { code } } }',
        {"n": number},
    )["replyToTicket"]
    assert reply == {"ticket": None, "errors": [{"code": "CLIENT_INACTIVE"}]}
    # A member of another client learns nothing new about Alpha.
    assert (
        gql(world.b_lead, host=world.b).execute('{ client(slug: "alpha") { slug } }')["data"]["client"]
        is None
    )


def test_suspended_clients_tickets_leave_the_queue_and_come_back_on_reactivation(world, gql):
    _ticket(world, world.a, world.a_lead, "Alpha outage")
    _ticket(world, world.b, world.b_lead, "Bravo outage")
    tech = gql(world.technician)
    titles = lambda: sorted(e["node"]["title"] for e in tech.data(QUEUE)["queue"]["edges"])  # noqa: E731
    assert titles() == ["Alpha outage", "Bravo outage"]
    change_client_status(world.a, ClientStatus.SUSPENDED, actor=world.admin)
    assert titles() == ["Bravo outage"]
    change_client_status(world.a, ClientStatus.ACTIVE, actor=world.admin)
    assert titles() == ["Alpha outage", "Bravo outage"]
    change_client_status(world.a, ClientStatus.OFFBOARDED, actor=world.admin)
    assert titles() == ["Bravo outage"]


def test_the_sla_sweep_pages_nobody_about_a_suspended_client(world):
    _ticket(world, world.a, world.a_lead)
    change_client_status(world.a, ClientStatus.SUSPENDED, actor=world.admin)
    assert sweep_sla_alerts(T0 + timedelta(hours=2)).examined == 0
    change_client_status(world.a, ClientStatus.ACTIVE, actor=world.admin)
    assert sweep_sla_alerts(T0 + timedelta(hours=2)).breached == 1


def test_periodic_fan_outs_skip_suspended_clients(world, monkeypatch):
    from services.directory.tasks import sync_member_contacts_task

    sent = []
    monkeypatch.setattr(
        sync_member_contacts_task, "apply_async", lambda headers, countdown: sent.append(headers)
    )
    change_client_status(world.b, ClientStatus.SUSPENDED, actor=world.admin)
    assert dispatch_contact_sync_task.apply().get() == 1
    assert [headers["_schema_name"] for headers in sent] == ["client_alpha"]


def test_an_offboarded_client_is_read_only_for_staff(world, gql):
    number = _ticket(world, world.a, world.a_lead)
    change_client_status(world.a, ClientStatus.OFFBOARDED, actor=world.admin)
    tech = gql(world.technician)
    read = tech.data('query($n: Int!) { ticket(clientSlug: "alpha", number: $n) { title } }', {"n": number})
    assert read["ticket"]["title"] == "Printer on fire"
    for mutation in (
        'mutation($n: Int!) { replyToTicket(clientSlug: "alpha", number: $n, body: "x") { errors { code } } }',
        'mutation($n: Int!) { logTime(clientSlug: "alpha", number: $n, minutes: 5) { errors { code } } }',
        'mutation($n: Int!) { changeTicketStatus(clientSlug: "alpha", number: $n, status: RESOLVED) '
        "{ errors { code } } }",
    ):
        assert next(iter(tech.data(mutation, {"n": number}).values()))["errors"] == [
            {"code": "CLIENT_READ_ONLY"}
        ]
    created = tech.data(
        'mutation { createTicket(input: {clientSlug: "alpha", title: "x", impact: LOW, urgency: LOW}) '
        "{ errors { code } } }"
    )["createTicket"]
    assert created["errors"] == [{"code": "CLIENT_READ_ONLY"}]
    invited = gql(world.admin).data(
        'mutation { inviteClientUser(input: {clientSlug: "alpha", email: "new@alpha.test", fullName: "N", '
        "role: MEMBER}) { errors { code } } }"
    )["inviteClientUser"]
    assert invited["errors"] == [{"code": "CLIENT_READ_ONLY"}]


def test_invitations_to_a_suspended_client_can_neither_be_sent_nor_accepted(world):
    _invitation, token = invite_client_user(
        world.a, email="late@alpha.test", full_name="Lee Late", role=ClientRole.MEMBER, invited_by=world.admin
    )
    change_client_status(world.a, ClientStatus.SUSPENDED, actor=world.admin)
    with pytest.raises(ActionError) as sent:
        invite_client_user(
            world.a, email="later@alpha.test", full_name="L", role=ClientRole.MEMBER, invited_by=world.admin
        )
    assert sent.value.errors[0].code == "CLIENT_INACTIVE"
    from tenants.actions import accept_invitation

    with pytest.raises(ActionError) as accepted:
        accept_invitation(token=token, full_name="Lee Late", password="a-long-new-passphrase-9")
    assert accepted.value.errors[0].code == "INVALID_INVITATION"
    assert not User.objects.filter(email="late@alpha.test").exists()


# ---------------------------------------------------------------------------- delete


def test_a_client_without_data_is_deleted_with_everything_it_had(world, gql):
    client = _fresh_client(world)
    lead = User.objects.create_user("eve@echo.test", PASSWORD, full_name="Eve Lead")
    Membership.objects.create(user=lead, client=client, role=ClientRole.IT_LEAD)
    StaffClientAccess.objects.create(user=world.limited_technician, client=client)
    with tenant_context(client):
        from services.directory.actions import sync_member_contacts

        sync_member_contacts(client)  # a synced member's contact is not data
    assert gql(world.admin).data('{ client(slug: "echo") { deletionBlockers } }')["client"] == {
        "deletionBlockers": []
    }

    payload = gql(world.admin).data(DELETE, {"slug": "echo", "confirm": "echo"})["deleteClient"]
    assert payload == {"deletedSlug": "echo", "errors": []}
    assert not Client.objects.filter(slug="echo").exists()
    assert not schema_exists("client_echo")
    assert not Domain.objects.filter(domain="echo.localhost").exists()
    assert not Membership.objects.filter(user=lead).exists()
    assert not Invitation.objects.filter(email="lead@echo.test").exists()
    assert (
        not StaffClientAccess.objects.filter(user=world.limited_technician).exclude(client=world.a).exists()
    )
    assert User.objects.filter(pk=lead.pk).exists()  # people are not deleted with the client
    event = AuditEvent.objects.get(action="client.deleted")
    assert (event.actor_id, event.detail["slug"], event.detail["members"]) == (world.admin.pk, "echo", 1)


def test_a_client_holding_data_is_not_deleted_and_the_error_says_what_it_holds(world, gql):
    _ticket(world, world.a, world.a_lead)
    with tenant_context(world.a):
        Contact.objects.create(full_name="Front Desk", email="desk@alpha.test")
    admin = gql(world.admin)
    assert admin.data('{ client(slug: "alpha") { deletionBlockers } }')["client"]["deletionBlockers"] == [
        "1 contact who is not a portal member",
        "1 ticket",
    ]
    payload = admin.data(DELETE, {"slug": "alpha", "confirm": "alpha"})["deleteClient"]
    assert payload["deletedSlug"] is None
    [error] = payload["errors"]
    assert error["code"] == "CLIENT_HAS_DATA"
    assert "1 ticket" in error["message"] and "1 contact who is not a portal member" in error["message"]
    assert Client.objects.filter(pk=world.a.pk).exists() and schema_exists(world.a.schema_name)
    assert Membership.objects.filter(client=world.a).count() == 2
    # Only admins see the blockers.
    assert gql(world.technician).data('{ client(slug: "alpha") { deletionBlockers } }')["client"] == {
        "deletionBlockers": []
    }


def test_delete_needs_the_address_typed_again(world):
    client = _fresh_client(world)
    with pytest.raises(ActionError) as excinfo:
        delete_client(client, confirm_slug="ech", actor=world.admin)
    assert [(e.field, e.code) for e in excinfo.value.errors] == [("confirmSlug", "CONFIRMATION_MISMATCH")]
    assert schema_exists("client_echo")


def test_a_failed_delete_leaves_everything_in_place(world, monkeypatch):
    client = _fresh_client(world)

    def boom(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("tenants.lifecycle.record_audit", lambda *a, **k: boom())
    with pytest.raises(RuntimeError):
        delete_client(client, confirm_slug="echo", actor=world.admin)
    assert Client.objects.filter(slug="echo").exists()
    assert schema_exists("client_echo")
    assert Domain.objects.filter(tenant=client).exists()
    assert Invitation.objects.filter(client=client).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM client_echo.directory_contact")
        assert cursor.fetchone()[0] == 0
