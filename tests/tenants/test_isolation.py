"""Tenant isolation: a client-A user, and a staff member limited to A, get nothing of B —
through any GraphQL root field, by slug, by host or by URL.

`PROBES` must name every root query and mutation field: adding a field to the schema
without an isolation probe here fails `test_every_root_field_has_an_isolation_probe`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from graphql_relay import to_global_id

from msp_portal.schema import schema
from tenants.models import Client, Invitation, ProvisioningJob
from tests.billing.isolation_probes import BILLING_PROBES
from tests.conftest import PASSWORD, World
from tests.services.outreach.isolation_probes import OUTREACH_PROBES
from tests.services.security.isolation_probes import SECURITY_PROBES
from tests.tenants.isolation_assets import ASSET_PROBES

B_MARKERS = ("bravo", "Bravo Legal", "lead@bravo.test", "member@bravo.test", "client_bravo")


def assert_nothing_of_b(payload: object) -> None:
    text = json.dumps(payload)
    for marker in B_MARKERS:
        assert marker not in text, f"{marker!r} leaked: {text[:500]}"


def outsiders(world: World, gql) -> list:
    """Everyone who must not see B, each on every host they could try."""
    return [
        gql(world.a_lead, host=world.a),
        gql(world.a_lead, host="testserver"),
        gql(world.a_lead, host=world.b),  # A's user on B's portal host
        gql(world.a_member, host=world.a),
        gql(world.a_member, host=world.b),
        gql(world.limited_technician, host="testserver"),
        gql(world.limited_technician, host=world.b),
        gql(None, host=world.b),  # anonymous
        gql(None, host="testserver"),
    ]


def probe_viewer(world, gql):
    for graphql in outsiders(world, gql):
        assert_nothing_of_b(
            graphql.execute(
                "{ viewer { memberships { client { slug name portalUrl } } currentClient { slug } } }"
            )
        )


def probe_clients(world, gql):
    query = "{ clients(first: 50) { totalCount edges { node { slug name members { email } } } } }"
    for graphql in outsiders(world, gql):
        assert_nothing_of_b(graphql.execute(query))
    limited = gql(world.limited_technician).data(query)["clients"]
    assert [e["node"]["slug"] for e in limited["edges"]] == ["alpha"] and limited["totalCount"] == 1
    # Client users never get the cross-client list, even of their own client.
    assert gql(world.a_lead).execute(query)["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"


def probe_client(world, gql):
    for graphql in outsiders(world, gql):
        for args in ('(slug: "bravo")', ""):
            assert_nothing_of_b(
                graphql.execute(
                    "{ client%s { slug name members { email } pendingInvitations { email } } }" % args
                )
            )
    # On B's host, an A user asking for A by slug gets nothing either (scope comes from the host).
    assert gql(world.a_lead, host=world.b).data('{ client(slug: "alpha") { slug } }') == {"client": None}
    # A member sees colleagues but not pending invitations; the IT lead sees both.
    Invitation.objects.create(
        client=world.a, email="new@alpha.test", token_hash="x" * 64, expires_at="2999-01-01T00:00:00Z"
    )
    member_view = gql(world.a_member, host=world.a).data(
        "{ client { pendingInvitations { email } members { email } } }"
    )
    assert member_view["client"]["pendingInvitations"] == [] and len(member_view["client"]["members"]) == 2
    lead_view = gql(world.a_lead, host=world.a).data("{ client { pendingInvitations { email } } }")
    assert lead_view["client"]["pendingInvitations"] == [{"email": "new@alpha.test"}]


def probe_provisioning_job(world, gql):
    job = ProvisioningJob.objects.create(slug="bravo-two", request={}, client=world.b)
    query = '{ provisioningJob(id: "%s") { slug client { slug name } } }' % job.pk
    for graphql in outsiders(world, gql) + [gql(world.technician), gql(world.account_manager)]:
        result = graphql.execute(query)
        assert_nothing_of_b(result)
        assert result.get("data", {}).get("provisioningJob") is None
    assert gql(world.admin).data(query)["provisioningJob"]["client"]["slug"] == "bravo"


def probe_account_managers(world, gql):
    for graphql in (gql(world.a_lead, host=world.a), gql(None)):
        result = graphql.execute("{ accountManagers { email } }")
        assert result["errors"][0]["extensions"]["code"] in {"PERMISSION_DENIED", "NOT_AUTHENTICATED"}


def probe_login(world, gql):
    # Signing in on B's host as an A user succeeds as a person but reaches none of B's data.
    graphql = gql(None, host=world.b)
    result = graphql.data(
        'mutation { login(input: {email: "lead@alpha.test", password: "%s"}) { nextStep viewer { email memberships { client { slug } } currentClient { slug } } } }'
        % PASSWORD
    )
    assert_nothing_of_b(result)
    assert_nothing_of_b(graphql.execute("{ client { slug name } }"))


def probe_verify_otp(world, gql):
    result = gql(world.limited_technician, verified=False, host=world.b).data(
        'mutation { verifyOtp(token: "%s") { viewer { memberships { client { slug } } currentClient { slug } } errors { code } } }'
        % world.otp_code(world.limited_technician)
    )
    assert_nothing_of_b(result)


def probe_start_otp_enrolment(world, gql):
    result = gql(world.a_lead, host=world.b).data(
        "mutation { startOtpEnrolment { otpauthUri errors { code } } }"
    )
    assert_nothing_of_b(result)


def probe_confirm_otp_enrolment(world, gql):
    result = gql(world.a_lead, host=world.b).data(
        'mutation { confirmOtpEnrolment(token: "123456") { viewer { currentClient { slug } } errors { code } } }'
    )
    assert_nothing_of_b(result)


def probe_logout(world, gql):
    assert_nothing_of_b(gql(world.a_lead, host=world.b).data("mutation { logout { ok } }"))


def refusal(result, field, payload_field):
    """The code of a refused mutation: the root-field gate's error, or the payload's first error."""
    if result.get("errors"):
        assert result["data"] is None or result["data"].get(field) is None
        return result["errors"][0]["extensions"]["code"]
    payload = result["data"][field]
    assert payload[payload_field] is None and payload["errors"]
    return payload["errors"][0]["code"]


def probe_provision_client(world, gql):
    mutation = (
        'mutation { provisionClient(input: {name: "Bravo Copy", slug: "bravo", industry: LEGAL, tier: STANDARD, '
        'itLeadEmail: "x@y.test", itLeadName: "X"}) { job { id } errors { code field } } }'
    )
    for graphql in outsiders(world, gql) + [gql(world.technician), gql(world.account_manager)]:
        assert refusal(graphql.execute(mutation), "provisionClient", "job") in {
            "PERMISSION_DENIED",
            "OTP_REQUIRED",
            "NOT_AUTHENTICATED",
        }
    # Even an admin cannot take B's address.
    assert gql(world.admin).data(mutation)["provisionClient"]["errors"][0]["code"] == "DUPLICATE_SLUG"


def probe_invite_client_user(world, gql):
    mutation = (
        'mutation { inviteClientUser(input: {clientSlug: "bravo", email: "spy@evil.test", fullName: "Spy", '
        "role: IT_LEAD}) { invitation { id } errors { code } } }"
    )
    for graphql in outsiders(world, gql):
        assert refusal(graphql.execute(mutation), "inviteClientUser", "invitation") in {
            "PERMISSION_DENIED",
            "OTP_REQUIRED",
            "NOT_AUTHENTICATED",
            "NOT_FOUND",
        }
    assert not Invitation.objects.filter(email="spy@evil.test").exists()
    # A member of A may not invite into A either; the IT lead may.
    own = mutation.replace("bravo", "alpha")
    assert (
        gql(world.a_member, host=world.a).data(own)["inviteClientUser"]["errors"][0]["code"]
        == "PERMISSION_DENIED"
    )
    assert gql(world.a_lead, host=world.a).data(own)["inviteClientUser"]["errors"] == []


def probe_accept_invitation(world, gql):
    # A token for B accepted on A's host by someone else joins only B and reveals nothing extra.
    invalid = gql(None, host=world.a).data(
        'mutation { acceptInvitation(input: {token: "forged", fullName: "X", password: "long-enough-pw-1"}) '
        "{ viewer { memberships { client { slug } } } errors { code } } }"
    )["acceptInvitation"]
    assert invalid["errors"][0]["code"] == "INVALID_INVITATION" and invalid["viewer"] is None


def probe_change_client_status(world, gql):
    mutation = (
        'mutation { changeClientStatus(clientSlug: "bravo", status: SUSPENDED) '
        "{ client { slug name } errors { code } } }"
    )
    for graphql in [
        *outsiders(world, gql),
        gql(world.technician),
        gql(world.account_manager),
        gql(world.b_lead, host=world.b),
        gql(world.admin, host=world.b),  # staff, but not on the MSP host
    ]:
        result = graphql.execute(mutation)
        assert refusal(result, "changeClientStatus", "client")
        assert_nothing_of_b(result)
    assert Client.objects.get(pk=world.b.pk).status == "active"


def probe_delete_client(world, gql):
    mutation = (
        'mutation { deleteClient(clientSlug: "bravo", confirmSlug: "bravo") { deletedSlug errors { code } } }'
    )
    for graphql in [
        *outsiders(world, gql),
        gql(world.technician),
        gql(world.account_manager),
        gql(world.b_lead, host=world.b),
        gql(world.admin, host=world.b),
    ]:
        assert refusal(graphql.execute(mutation), "deleteClient", "deletedSlug")
    assert Client.objects.filter(pk=world.b.pk).exists()
    wrong = mutation.replace('confirmSlug: "bravo"', 'confirmSlug: "alpha"')
    assert gql(world.admin).data(wrong)["deleteClient"]["errors"] == [{"code": "CONFIRMATION_MISMATCH"}]
    assert Client.objects.filter(pk=world.b.pk).exists()


def probe_invitation(world, gql):
    # Only the holder of a real token learns a company's name; a guess learns nothing.
    for graphql in outsiders(world, gql):
        result = graphql.data('{ invitation(token: "guessed") { usable companyName fullName } }')
        assert result["invitation"] == {"usable": False, "companyName": None, "fullName": None}


def _b_ticket(world) -> int:
    """A ticket of client B (number), raised by B's IT lead."""
    from django_tenants.utils import tenant_context

    from services.support.actions import NewTicket, create_ticket

    with tenant_context(world.b):
        return create_ticket(world.b, NewTicket(title="Bravo secret outage"), actor=world.b_lead).number


def _ticket_outsiders(world, gql) -> list:
    return [*outsiders(world, gql), gql(world.a_lead, host="testserver")]


def probe_queue(world, gql):
    _b_ticket(world)
    query = "{ queue(first: 50) { totalCount edges { node { title client { slug name } } } } }"
    for graphql in _ticket_outsiders(world, gql):
        assert_nothing_of_b(graphql.execute(query))
    assert "Bravo" in json.dumps(gql(world.technician).data(query))  # the probe can see a leak


def probe_ticket(world, gql):
    number = _b_ticket(world)
    for graphql in _ticket_outsiders(world, gql):
        for args in (f'number: {number}, clientSlug: "bravo"', f"number: {number}"):
            result = graphql.execute("{ ticket(%s) { title timeline { body } client { slug } } }" % args)
            assert_nothing_of_b(result)
            assert "secret outage" not in json.dumps(result)
    assert "secret outage" in json.dumps(
        gql(world.technician).data('{ ticket(number: %d, clientSlug: "bravo") { title } }' % number)
    )


def probe_tickets(world, gql):
    _b_ticket(world)
    for graphql in _ticket_outsiders(world, gql):
        for args in ('(clientSlug: "bravo")', ""):
            result = graphql.execute("{ tickets%s { title requesterName } }" % args)
            assert "secret outage" not in json.dumps(result)


def probe_sla_compliance(world, gql):
    for graphql in _ticket_outsiders(world, gql):
        result = graphql.execute('{ slaCompliance(clientSlug: "bravo") { month met breached } }')
        assert result.get("data") in (None, {"slaCompliance": None}) or "errors" in result


def _ticket_mutation_probe(mutation: str):
    def probe(world, gql):
        number = _b_ticket(world)
        for graphql in _ticket_outsiders(world, gql):
            result = graphql.execute(mutation.replace("NUMBER", str(number)))
            assert "secret outage" not in json.dumps(result)
            payload = next(iter((result.get("data") or {}).values()), None)
            assert payload is None or (payload["ticket"] is None and payload["errors"])
        from django_tenants.utils import tenant_context

        from services.support.models import Comment, Ticket, TimeEntry

        with tenant_context(world.b):
            assert Ticket.objects.count() == 1  # nothing planted
            ticket = Ticket.objects.get(number=number)
            assert (ticket.status, ticket.priority, ticket.assignee_id) == ("new", "P4", None)
            assert not Comment.objects.exists() and not TimeEntry.objects.exists()
            assert not ticket.watchers.exists()

    return probe


def _b_notification(world):
    from services.workqueue.models import Notification

    return Notification.objects.create(
        user=world.b_lead, client=world.b, kind="sla_warning", title="Bravo secret outage", dedupe_key="probe"
    )


def probe_notifications(world, gql):
    _b_notification(world)
    for graphql in _ticket_outsiders(world, gql) + [gql(world.technician)]:
        for query in ("{ notifications { title } }", "{ unreadNotificationCount }"):
            result = graphql.execute(query)
            assert "secret outage" not in json.dumps(result)
            assert (result.get("data") or {}).get("unreadNotificationCount") in (None, 0)


def probe_mark_notifications_read(world, gql):
    note = _b_notification(world)
    for graphql in _ticket_outsiders(world, gql):
        graphql.execute('mutation { markNotificationsRead(ids: ["%s"]) { updated } }' % note.pk)
        graphql.execute("mutation { markNotificationsRead { updated } }")
    note.refresh_from_db()
    assert note.read_at is None


def probe_sla_catalog(world, gql):
    for graphql in outsiders(world, gql)[:5] + [gql(None)]:
        result = graphql.execute("{ slaCatalog { policies { name } } }")
        assert result.get("data") is None and result["errors"][0]["extensions"]["code"] in {
            "PERMISSION_DENIED",
            "NOT_AUTHENTICATED",
        }


def probe_client_sla(world, gql):
    from services.catalog.models import ClientSla, SlaPolicy

    secret = SlaPolicy.objects.create(
        name="Bravo secret outage plan", calendar=SlaPolicy.objects.get(name="Standard").calendar
    )
    ClientSla.objects.create(client=world.b, policy=secret)
    for graphql in _ticket_outsiders(world, gql):
        for args in ('(clientSlug: "bravo")', ""):
            assert "secret outage" not in json.dumps(
                graphql.execute("{ clientSla%s { policy { name } } }" % args)
            )


def _catalog_mutation_probe(mutation: str):
    def probe(world, gql):
        from services.catalog.models import BusinessCalendar, ClientSla, SlaPolicy, SlaTarget, TriageRule

        names = list(SlaPolicy.objects.values_list("name", "is_default"))
        before = (
            BusinessCalendar.objects.count(),
            ClientSla.objects.count(),
            TriageRule.objects.count(),
            list(SlaTarget.objects.values_list("first_response_minutes", flat=True)),
        )
        policy_id = SlaTarget.objects.values_list("policy_id", flat=True)[0]
        for graphql in [*_ticket_outsiders(world, gql), gql(world.technician)]:
            result = graphql.execute(mutation.replace("POLICY", str(policy_id)))
            payload = next(iter((result.get("data") or {}).values()), None)
            assert payload is None or payload["errors"]
        after = (
            BusinessCalendar.objects.count(),
            ClientSla.objects.count(),
            TriageRule.objects.count(),
            list(SlaTarget.objects.values_list("first_response_minutes", flat=True)),
        )
        assert after == before
        assert list(SlaPolicy.objects.values_list("name", "is_default")) == names

    return probe


def probe_contacts(world, gql):
    for graphql in [*_ticket_outsiders(world, gql), gql(world.a_member, host=world.a)]:
        for args in ('(clientSlug: "bravo")', ""):
            result = graphql.execute("{ contacts%s { fullName email } }" % args)
            assert_nothing_of_b(result.get("data"))  # errors may echo the slug the caller sent
    assert gql(world.a_member, host=world.a).execute("{ contacts { email } }")["errors"][0]["extensions"][
        "code"
    ] == ("PERMISSION_DENIED")
    assert len(gql(world.a_lead, host=world.a).data("{ contacts { email } }")["contacts"]) == 2


def probe_assignable_staff(world, gql):
    for graphql in _ticket_outsiders(world, gql):
        result = graphql.execute('{ assignableStaff(clientSlug: "bravo") { email } }')
        assert result.get("data") is None and result["errors"]
    # The technician limited to A is not offered for B.
    emails = [
        row["email"]
        for row in gql(world.admin).data('{ assignableStaff(clientSlug: "bravo") { email } }')[
            "assignableStaff"
        ]
    ]
    assert world.limited_technician.email not in emails and world.technician.email in emails


def probe_status_page(world, gql):
    from django_tenants.utils import tenant_context

    from services.infrastructure.monitoring_models import ClientService
    from services.outreach import broadcasts
    from services.outreach.models import Segment

    with tenant_context(world.b):
        ClientService.objects.create(name="bravo secret service", category="connectivity")
    legal = Segment.objects.create(name="Legal", rules=[{"field": "industry", "values": ["legal"]}])
    broadcasts.create_broadcast(
        actor=world.account_manager,
        data=broadcasts.NewBroadcast(
            kind="announcement", title="bravo secret notice", body="<p>b</p>", segment=legal
        ),
    )
    query = (
        "{ statusPage%s { full services { name } incidents { title } work { title } hierarchy { key } "
        "broadcasts { title bodyHtml } } }"
    )
    for graphql in _ticket_outsiders(world, gql):
        for args in ('(clientSlug: "bravo")', ""):
            result = graphql.execute(query % args)
            # (The refusal names the slug that was asked for, nothing else of B.)
            assert "bravo secret" not in json.dumps(result) and "Bravo Legal" not in json.dumps(result)
            if "bravo" in args:
                assert (result.get("data") or {}).get("statusPage") is None
    # A's own people see A's page; B's lead sees B's.
    assert gql(world.a_lead, host=world.a).data(query % "")["statusPage"]["full"] is True
    assert "bravo secret" in json.dumps(gql(world.b_lead, host=world.b).data(query % ""))


# ---------------------------------------------------------------- monitoring (infrastructure)


def _b_monitor(world):
    """A service of client B with a monitor that is down (ticket raised, index row down)."""
    from datetime import timedelta

    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from services.infrastructure import monitoring_actions
    from services.infrastructure.monitoring import CheckResultIn, record_check_results

    with tenant_context(world.b):
        service = monitoring_actions.create_service(
            world.b, monitoring_actions.ServiceInput(name="Bravo VPN secret"), actor=world.technician
        )
        monitor = monitoring_actions.create_monitor(
            world.b,
            service.pk,
            monitoring_actions.MonitorInput(name="Bravo tunnel", kind="push", failures_to_down=1),
            actor=world.technician,
        )
        now = timezone.now()
        window = monitoring_actions.schedule_maintenance(
            world.b,
            service.pk,
            actor=world.technician,
            starts_at=now + timedelta(days=1),
            ends_at=now + timedelta(days=1, hours=2),
            reason="Bravo patching",
        )
        service.window_id = window.pk  # type: ignore[attr-defined]
        record_check_results(
            world.b,
            [CheckResultIn(status="down", observed_at=now - timedelta(seconds=1), monitor_key=monitor.key)],
            now=now,
        )
    return service, monitor


def _monitoring_query_probe(query: str):
    def probe(world, gql):
        _service, monitor = _b_monitor(world)
        text = query.replace("MONITOR", str(monitor.pk))
        no_slug = text.replace('clientSlug: "SLUG", ', "").replace('(clientSlug: "SLUG")', "")
        for graphql in _ticket_outsiders(world, gql):
            for attempt in (text.replace("SLUG", "bravo"), no_slug):
                # errors may echo the slug the caller sent
                assert_nothing_of_b(graphql.execute(attempt).get("data"))
        assert "Bravo" in json.dumps(gql(world.technician).data(text.replace("SLUG", "bravo")))

    return probe


def probe_down_now(world, gql):
    _b_monitor(world)
    query = "{ downNow { clientSlug clientName serviceName monitorName } }"
    for graphql in _ticket_outsiders(world, gql):
        assert_nothing_of_b(graphql.execute(query))
    assert "Bravo" in json.dumps(gql(world.technician).data(query))  # the probe can see a leak


def _monitoring_mutation_probe(mutation: str):
    def probe(world, gql):
        from django_tenants.utils import tenant_context

        from services.infrastructure.monitoring_models import ClientService, MaintenanceWindow, Monitor

        service, monitor = _b_monitor(world)
        text = (
            mutation.replace("SERVICE", str(service.pk))
            .replace("MONITOR", str(monitor.pk))
            .replace("WINDOW", str(service.window_id))
        )
        with tenant_context(world.b):
            before = (
                list(ClientService.objects.values_list("name", "is_active")),
                list(Monitor.objects.values_list("name", "is_paused", "target")),
                MaintenanceWindow.objects.count(),
            )
        for graphql in [*_ticket_outsiders(world, gql), gql(world.account_manager)]:
            result = graphql.execute(text.replace("SLUG", "bravo"))
            assert_nothing_of_b(result.get("data"))
            payload = next(iter((result.get("data") or {}).values()), None)
            assert payload is None or payload["errors"]
        with tenant_context(world.b):
            after = (
                list(ClientService.objects.values_list("name", "is_active")),
                list(Monitor.objects.values_list("name", "is_paused", "target")),
                MaintenanceWindow.objects.count(),
            )
        assert after == before

    return probe


MONITORING_PROBES: dict[str, Callable] = {
    "clientServices": _monitoring_query_probe(
        '{ clientServices(clientSlug: "SLUG") { name monitors { name key } openOutages { ticketNumber } } }'
    ),
    "monitorStateHistory": _monitoring_query_probe(
        '{ monitorStateHistory(clientSlug: "SLUG", monitorId: "MONITOR") { reason toState } '
        'clientServices(clientSlug: "SLUG") { name } }'
    ),
    "serviceAvailability": _monitoring_query_probe(
        '{ serviceAvailability(clientSlug: "SLUG", year: 2026, month: 12) { serviceId downSeconds } '
        'clientServices(clientSlug: "SLUG") { name } }'
    ),
    "maintenanceWindows": _monitoring_query_probe(
        '{ maintenanceWindows(clientSlug: "SLUG") { reason } clientServices(clientSlug: "SLUG") { name } }'
    ),
    "downNow": probe_down_now,
    "createClientService": _monitoring_mutation_probe(
        'mutation { createClientService(clientSlug: "SLUG", input: {name: "Planted", category: OTHER}) '
        "{ service { name } errors { code } } }"
    ),
    "updateClientService": _monitoring_mutation_probe(
        'mutation { updateClientService(clientSlug: "SLUG", id: "SERVICE", input: {name: "Renamed", category: OTHER, '
        "isActive: false}) { service { name } errors { code } } }"
    ),
    "createMonitor": _monitoring_mutation_probe(
        'mutation { createMonitor(clientSlug: "SLUG", serviceId: "SERVICE", input: {name: "Planted", kind: PUSH}) '
        "{ monitor { name } errors { code } } }"
    ),
    "updateMonitor": _monitoring_mutation_probe(
        'mutation { updateMonitor(clientSlug: "SLUG", id: "MONITOR", input: {name: "Renamed", kind: PUSH}) '
        "{ monitor { name } errors { code } } }"
    ),
    "setMonitorPaused": _monitoring_mutation_probe(
        'mutation { setMonitorPaused(clientSlug: "SLUG", id: "MONITOR", paused: true) { monitor { name } errors { code } } }'
    ),
    "deleteMonitor": _monitoring_mutation_probe(
        'mutation { deleteMonitor(clientSlug: "SLUG", id: "MONITOR") { deletedId errors { code } } }'
    ),
    "scheduleMaintenance": _monitoring_mutation_probe(
        'mutation { scheduleMaintenance(clientSlug: "SLUG", serviceId: "SERVICE", startsAt: "2030-01-01T00:00:00Z", '
        'endsAt: "2030-01-01T02:00:00Z", reason: "Planted") { window { reason } errors { code } } }'
    ),
    "cancelMaintenance": _monitoring_mutation_probe(
        'mutation { cancelMaintenance(clientSlug: "SLUG", id: "WINDOW") { cancelledId errors { code } } }'
    ),
}


def _b_ingest_token(world):
    from services.ingest.actions import create_token

    return create_token(world.b, actor=world.admin, name="Bravo RMM").token


def probe_ingest_tokens(world, gql):
    token = _b_ingest_token(world)
    for graphql in [*_ticket_outsiders(world, gql), gql(world.a_lead, host=world.a)]:
        for args in ('(clientSlug: "bravo")', ""):
            result = graphql.execute("{ ingestTokens%s { keyId name } }" % args)
            assert token.key_id not in json.dumps(result)
            assert_nothing_of_b(result.get("data"))
    # A's IT lead may not list even A's tokens (staff only).
    assert gql(world.a_lead, host=world.a).execute("{ ingestTokens { keyId } }")["errors"][0]["extensions"][
        "code"
    ] == ("PERMISSION_DENIED")
    assert [
        t["keyId"]
        for t in gql(world.admin).data('{ ingestTokens(clientSlug: "bravo") { keyId } }')["ingestTokens"]
    ] == [token.key_id]


def probe_monitoring_connection(world, gql):
    _b_ingest_token(world)
    for graphql in [*_ticket_outsiders(world, gql), gql(world.a_member, host=world.a)]:
        for args in ('(clientSlug: "bravo")', ""):
            result = graphql.execute("{ monitoringConnection%s { activeTokenCount } }" % args)
            # Nothing, or A's own (none): B's one token would show as 1.
            assert (result.get("data") or {}).get("monitoringConnection") in (None, {"activeTokenCount": 0})
    lead = gql(world.a_lead, host=world.a).data("{ monitoringConnection { activeTokenCount } }")
    assert lead == {"monitoringConnection": {"activeTokenCount": 0}}


def probe_create_ingest_token(world, gql):
    from services.ingest.models import IngestToken

    mutation = 'mutation { createIngestToken(clientSlug: "bravo", name: "x") { secret errors { code } } }'
    outsiders_ = [*_ticket_outsiders(world, gql), gql(world.b_lead, host=world.b), gql(world.account_manager)]
    for graphql in outsiders_:
        result = graphql.execute(mutation)
        payload = (result.get("data") or {}).get("createIngestToken")
        assert payload is None or (payload["errors"] and payload["secret"] is None), result
    assert not IngestToken.objects.filter(client=world.b).exists()


def probe_revoke_ingest_token(world, gql):
    from services.ingest.models import IngestToken

    token = _b_ingest_token(world)
    mutation = 'mutation { revokeIngestToken(id: "%s") { token { keyId } errors { code } } }' % to_global_id(
        "IngestToken", token.pk
    )
    for graphql in [
        *_ticket_outsiders(world, gql),
        gql(world.b_lead, host=world.b),
        gql(world.account_manager),
    ]:
        result = graphql.execute(mutation)
        payload = (result.get("data") or {}).get("revokeIngestToken")
        assert payload is None or (payload["errors"] and payload["token"] is None), result
    assert IngestToken.objects.get(pk=token.pk).revoked_at is None


def probe_stripe_overview(world, gql):
    """Reconciliation reports name every client's invoices: MSP admins only."""
    from billing.models import DifferenceKind, StripeDifference, StripeReconciliation

    report = StripeReconciliation.objects.create(status="completed", difference_count=1)
    StripeDifference.objects.create(
        reconciliation=report,
        kind=DifferenceKind.MISSING_IN_LEDGER,
        client=world.b,
        stripe_invoice_id="in_bravo_secret",
        detail="Bravo Legal secret invoice",
    )
    for user in (
        world.a_lead,
        world.a_member,
        world.limited_technician,
        world.technician,
        world.account_manager,
    ):
        for host in (world.a, "testserver"):
            result = gql(user, host=host).execute(
                "{ stripeOverview { reconciliations { differences { detail } } } }"
            )
            assert result.get("data") is None
            assert result["errors"][0]["extensions"]["code"] in {"PERMISSION_DENIED", "NOT_AUTHENTICATED"}
            assert_nothing_of_b(result)
    data = gql(world.admin).data("{ stripeOverview { reconciliations { differences { clientName } } } }")
    assert data["stripeOverview"]["reconciliations"][0]["differences"][0]["clientName"] == "Bravo Legal"


def probe_run_stripe_reconciliation(world, gql):
    from billing.models import StripeReconciliation

    for user in (
        world.a_lead,
        world.a_member,
        world.limited_technician,
        world.technician,
        world.account_manager,
    ):
        result = gql(user).execute(
            "mutation { runStripeReconciliation { reconciliation { id } errors { code } } }"
        )
        payload = (result.get("data") or {}).get("runStripeReconciliation")
        codes = (
            {e["code"] for e in payload["errors"]} if payload else {result["errors"][0]["extensions"]["code"]}
        )
        assert codes <= {"PERMISSION_DENIED", "NOT_AUTHENTICATED", "OTP_REQUIRED"} and codes
    assert not StripeReconciliation.objects.exists()


PROBES: dict[str, Callable] = {
    "statusPage": probe_status_page,
    "ingestTokens": probe_ingest_tokens,
    "monitoringConnection": probe_monitoring_connection,
    "createIngestToken": probe_create_ingest_token,
    "revokeIngestToken": probe_revoke_ingest_token,
    "stripeOverview": probe_stripe_overview,
    "runStripeReconciliation": probe_run_stripe_reconciliation,
    "contacts": probe_contacts,
    "assignableStaff": probe_assignable_staff,
    "slaCatalog": probe_sla_catalog,
    "clientSla": probe_client_sla,
    "saveBusinessCalendar": _catalog_mutation_probe(
        'mutation { saveBusinessCalendar(input: {name: "x", timezone: "UTC", alwaysOpen: true}) { errors { code } } }'
    ),
    "saveSlaTargets": _catalog_mutation_probe(
        'mutation { saveSlaTargets(policyId: "POLICY", targets: [{priority: P1, resolutionMinutes: 1}, '
        "{priority: P2, resolutionMinutes: 1}, {priority: P3, resolutionMinutes: 1}, {priority: P4, resolutionMinutes: 1}]) "
        "{ errors { code } } }"
    ),
    "saveSlaPolicy": _catalog_mutation_probe(
        'mutation { saveSlaPolicy(input: {id: "POLICY", name: "Hijacked", calendarId: "1", isDefault: true}) '
        "{ errors { code } } }"
    ),
    "saveTriageRule": _catalog_mutation_probe(
        "mutation { saveTriageRule(impact: LOW, urgency: LOW, priority: P1) { errors { code } } }"
    ),
    "setClientSla": _catalog_mutation_probe(
        'mutation { setClientSla(clientSlug: "bravo", noSla: true) { errors { code } } }'
    ),
    "notifications": probe_notifications,
    "unreadNotificationCount": probe_notifications,
    "markNotificationsRead": probe_mark_notifications_read,
    "queue": probe_queue,
    "ticket": probe_ticket,
    "tickets": probe_tickets,
    "slaCompliance": probe_sla_compliance,
    "createTicket": lambda world, gql: _ticket_mutation_probe(
        'mutation { createTicket(input: {clientSlug: "bravo", title: "planted", impact: HIGH, urgency: HIGH}) '
        "{ ticket { title } errors { code } } }"
    )(world, gql),
    "triageTicket": _ticket_mutation_probe(
        'mutation { triageTicket(clientSlug: "bravo", number: NUMBER, impact: HIGH, urgency: HIGH) { ticket { title } errors { code } } }'
    ),
    "assignTicket": _ticket_mutation_probe(
        'mutation { assignTicket(clientSlug: "bravo", number: NUMBER) { ticket { title } errors { code } } }'
    ),
    "changeTicketStatus": _ticket_mutation_probe(
        'mutation { changeTicketStatus(clientSlug: "bravo", number: NUMBER, status: RESOLVED) { ticket { title } errors { code } } }'
    ),
    "replyToTicket": _ticket_mutation_probe(
        'mutation { replyToTicket(clientSlug: "bravo", number: NUMBER, body: "x") { ticket { title } errors { code } } }'
    ),
    "addInternalNote": _ticket_mutation_probe(
        'mutation { addInternalNote(clientSlug: "bravo", number: NUMBER, body: "x") { ticket { title } errors { code } } }'
    ),
    "watchTicket": _ticket_mutation_probe(
        'mutation { watchTicket(clientSlug: "bravo", number: NUMBER, watching: true) { ticket { title } errors { code } } }'
    ),
    "addTicketWatcher": _ticket_mutation_probe(
        'mutation { addTicketWatcher(clientSlug: "bravo", number: NUMBER, watcherEmail: "lead@alpha.test") '
        "{ ticket { title } errors { code } } }"
    ),
    "logTime": _ticket_mutation_probe(
        'mutation { logTime(clientSlug: "bravo", number: NUMBER, minutes: 5) { ticket { title } errors { code } } }'
    ),
    "viewer": probe_viewer,
    "clients": probe_clients,
    "client": probe_client,
    "provisioningJob": probe_provisioning_job,
    "accountManagers": probe_account_managers,
    "login": probe_login,
    "verifyOtp": probe_verify_otp,
    "startOtpEnrolment": probe_start_otp_enrolment,
    "confirmOtpEnrolment": probe_confirm_otp_enrolment,
    "logout": probe_logout,
    "provisionClient": probe_provision_client,
    "inviteClientUser": probe_invite_client_user,
    "acceptInvitation": probe_accept_invitation,
    "changeClientStatus": probe_change_client_status,
    "deleteClient": probe_delete_client,
    "invitation": probe_invitation,
    **ASSET_PROBES,
    **MONITORING_PROBES,
    **SECURITY_PROBES,
}
# Outreach (services/outreach): its probes live beside its tests.
PROBES.update(OUTREACH_PROBES)


# Billing's probes live with its tests (tests/billing/isolation_probes.py).
PROBES.update(BILLING_PROBES)


def test_every_root_field_has_an_isolation_probe():
    graphql_schema = schema.graphql_schema
    root_fields = set(graphql_schema.query_type.fields) | set(graphql_schema.mutation_type.fields)
    missing = root_fields - set(PROBES)
    assert not missing, f"Root fields without an isolation probe in {__file__}: {sorted(missing)}"
    assert not set(PROBES) - root_fields, "Probes for fields that no longer exist"


@pytest.mark.parametrize("field", sorted(PROBES))
def test_isolation_probe(field, world, gql):
    PROBES[field](world, gql)


def test_relay_ids_do_not_open_other_clients(world, gql):
    from tenants.graphql.types import ClientType

    class Info:
        class context:
            user = world.a_lead

    assert ClientType.get_node(Info, world.b.pk) is None
    assert ClientType.get_node(Info, world.a.pk) == world.a
    # No root field resolves an arbitrary global id, so B's id opens nothing of B.
    query_fields = set(schema.graphql_schema.query_type.fields)
    assert not query_fields & {"node", "nodes"}
    b_id = to_global_id("Client", world.b.pk)
    for graphql in outsiders(world, gql):
        result = graphql.execute(
            "query($id: ID!) { node(id: $id) { id ... on Client { name slug } } }", {"id": b_id}
        )
        assert not (result.get("data") or {}).get("node"), (graphql.host, result)
        assert_nothing_of_b(result)


@pytest.mark.parametrize("path", ["/", "/company", "/clients/bravo", "/admin/", "/admin/tenants/client/"])
def test_urls_of_b_show_an_a_user_nothing_of_b(world, path):
    http = HttpClient(HTTP_HOST="bravo.localhost")
    http.force_login(world.a_lead)
    response = http.get(path, follow=True)
    body = response.content.decode()
    for marker in B_MARKERS[1:]:
        assert marker not in body


def test_unknown_host_is_refused(world):
    assert HttpClient(HTTP_HOST="charlie.localhost").get("/").status_code == 404


def test_tenant_scope_fails_closed_without_a_client(world, gql):
    # Staff on the MSP host must name a client; no slug means no client, never "all".
    assert gql(world.admin).data("{ client { slug } }") == {"client": None}
