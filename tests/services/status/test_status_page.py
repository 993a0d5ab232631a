"""The status page against real data: the loader, who sees what (members, IT leads, staff),
isolation between clients and a constant query count however many devices and tickets."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from services.infrastructure.models import Device
from services.infrastructure.monitoring import CheckResultIn, record_check_results
from services.infrastructure.monitoring_models import ClientService, Monitor
from services.security.models import SecurityIncident
from services.status.hierarchy import LayerState
from services.status.selectors import load_status
from services.support.actions import NewTicket, change_status, create_ticket
from services.support.models import SlaOutcome, Ticket

FULL_QUERY = """query($slug: String) { statusPage(clientSlug: $slug) {
  full generatedAt monthStart
  services { name state since availabilityPercent promisedPercent dailyUptime layer }
  incidents { kind title severity status startedAt reference }
  openSecurityIncidents openMajorSecurityIncidents mfaCovered mfaTotal mfaPercent mfaHistory { day percent }
  slaMonthMet slaMonthBreached slaMonthPercent
  devices { active managed protected protectionOutdated protectionMissing protectionUnknown
            patchCurrent patchPending patchOverdue patchUnknown }
  work { kind number reference title priority status serviceLine assigneeName nextDeadlineAt breachState
         updatedAt }
  workTotal ticketsOpenedLast30Days ticketsOpenedPrevious30Days
  improvements { proposed active stalled completedRecently }
  hierarchy { key label ownState state reasons { text state evidence } }
  broadcasts { id kind title bodyHtml publishedAt segmentName emailRoles deflection { suggested } }
} }"""

# The whole request as the SPA sends it (session, host → tenant, 2FA and access checks
# included): pinned exactly, so an N+1 and a new constant query both fail.
# The first view of a day also computes and stores the closed days' availability (three of
# the queries: the history and maintenance since the earliest missing day, the insert).
STATUS_PAGE_QUERIES = 32  # 30 + the outreach broadcasts (does the user reach it, the list)
# Staff on the MSP host: one statement fewer (the client portal host switches search_path once more).
STAFF_STATUS_PAGE_QUERIES = 31
STATUS_PAGE_STORED_DAYS_QUERIES = 29  # uptime recomputed, closed days read from their rows
STATUS_PAGE_CACHED_QUERIES = 24  # the uptime figures from the cache (same minute, no state change)


def _devices(count: int, **fields) -> None:
    Device.objects.bulk_create(
        Device(name=f"pc-{Device.objects.count() + i}", device_type="laptop", **fields) for i in range(count)
    )


def _service(world, name: str, category: str, *, down: bool = False, monitors: int = 1) -> ClientService:
    """A service with monitors that reported three results (down or up) a minute apart."""
    service = ClientService.objects.create(name=name, category=category)
    start = timezone.now() - timedelta(minutes=10)
    created = start - timedelta(minutes=1)
    results = []
    for index in range(monitors):
        monitor = Monitor.objects.create(
            service=service,
            name=f"{name} check {index}",
            key=f"{name.lower().replace(' ', '-')}-{index}",
            kind="push",
            created_at=created,
            state_since=created,
        )
        results += [
            CheckResultIn(
                status="down" if down else "up",
                observed_at=start + timedelta(minutes=m),
                monitor_id=monitor.pk,
            )
            for m in range(3)
        ]
    record_check_results(world.a, results)
    return service


def _incident(number: int, severity: str, status: str = "new") -> SecurityIncident:
    return SecurityIncident.objects.create(
        number=number, title=f"Incident {number}", kind="phishing", severity=severity, status=status
    )


def _ticket(world, title: str, **fields) -> Ticket:
    return create_ticket(world.a, NewTicket(title=title, **fields), actor=world.a_lead)


def _outcome(ticket: Ticket, clock: str, result: str, judged_at) -> None:
    SlaOutcome.objects.create(
        ticket=ticket,
        clock=clock,
        result=result,
        priority=ticket.priority,
        policy_id=1,
        target_minutes=60,
        business_minutes_used=30,
        minutes_over=-30 if result == "met" else 30,
        due_at=judged_at,
        judged_at=judged_at,
    )


def test_loader_reads_devices_sla_tickets_and_improvements(world):
    now = timezone.now()
    with tenant_context(world.a):
        _devices(8, protection_status="protected", patch_status="current")
        _devices(1, protection_status="missing", patch_status="overdue", is_managed=False)
        _devices(1, protection_status="outdated", patch_status="pending")
        _devices(3, is_active=False, protection_status="missing")  # retired: not counted
        _service(world, "VPN", "connectivity", down=True)
        _service(world, "Microsoft 365", "collaboration")
        _service(world, "CRM", "line_of_business")
        outage = Ticket.objects.get(title__startswith="VPN is down")
        _incident(1, "high")
        _incident(2, "low", status="acknowledged")
        _incident(3, "critical", status="resolved")
        ordinary = _ticket(world, "Printer")
        _outcome(ordinary, "first_response", "met", now - timedelta(days=1))
        _outcome(ordinary, "first_resolution", "breached", now - timedelta(days=1))
        _outcome(outage, "first_response", "met", now - timedelta(days=45))  # too old for 30 days
        _outcome(outage, "next_update", "breached", now - timedelta(days=1))  # not a judged clock
        active = _ticket(world, "Roll out Teams rooms", category="Improvement")
        change_status(world.a, active.number, actor=world.technician, status="in_progress")
        stalled = _ticket(world, "Passwordless pilot", category="improvement")
        change_status(world.a, stalled.number, actor=world.technician, status="open")
        Ticket.objects.filter(pk=stalled.pk).update(updated_at=now - timedelta(days=40))
        _ticket(world, "Idea: SSO for the CRM", category="Improvement")  # proposed, not agreed
        Ticket.objects.filter(pk=ordinary.pk).update(created_at=now - timedelta(days=40))

        snapshot = load_status(world.a, now=timezone.now(), full=True)

    devices = snapshot.devices
    assert devices is not None
    assert (devices.active, devices.managed, devices.protected) == (10, 9, 8)
    assert (devices.protection_missing, devices.protection_outdated, devices.protection_unknown) == (1, 1, 0)
    assert (devices.patch_current, devices.patch_pending, devices.patch_overdue) == (8, 1, 1)
    assert [(s.name, s.state, s.layer) for s in snapshot.services] == [
        ("CRM", "up", None),
        ("Microsoft 365", "up", "collaboration"),
        ("VPN", "down", "connectivity"),
    ]
    vpn = snapshot.services[2]
    assert len(vpn.daily_uptime) == 30 and vpn.daily_uptime[-1] is not None and vpn.daily_uptime[-1] < 100
    assert vpn.promised_percent == 99.9 and vpn.availability_percent is not None
    assert sorted((i.kind, i.reference) for i in snapshot.incidents) == [
        ("outage", outage.number),
        ("security", 1),
        ("security", 2),
    ]
    assert (snapshot.open_security_incidents, snapshot.open_major_security_incidents) == (2, 1)
    assert snapshot.mfa_total is not None and snapshot.mfa_total >= 2  # the client's portal users
    assert (snapshot.tickets_opened_last_30_days, snapshot.tickets_opened_previous_30_days) == (4, 1)
    improvements = snapshot.improvements
    assert improvements is not None
    assert (improvements.proposed, improvements.active, improvements.stalled) == (1, 1, 1)
    # What the MSP works on: every open ticket of the client from the work index (incidents
    # made here without the security actions have no work item).
    assert snapshot.work_total == 5 and {w.title for w in snapshot.work} >= {outage.title, "Printer"}
    layers = {layer.key: layer for layer in snapshot.hierarchy or []}
    assert layers["connectivity"].own_state == LayerState.RED
    assert layers["connectivity"].reasons[0].text == "VPN is down."
    assert layers["security"].own_state == LayerState.RED  # a device without protection
    assert layers["software"].own_state == LayerState.AMBER  # 80 % patched, one overdue
    ops = layers["operating_metrics"]
    assert any("50 %" in r.text and "1 met, 1 breached" in r.text for r in ops.reasons)
    assert ops.own_state == LayerState.RED
    assert layers["innovation"].own_state == LayerState.AMBER
    # Shown states: a non-green layer keeps its own state, whatever lies below.
    assert [layer.state for layer in snapshot.hierarchy or []] == [
        LayerState.RED,
        LayerState.RED,
        LayerState.AMBER,
        LayerState.RED,
        LayerState.AMBER,
    ]


def test_sla_this_month_counts_only_this_month(world):
    now = timezone.now().replace(day=15, hour=12)
    with tenant_context(world.a):
        ticket = _ticket(world, "Mail")
        _outcome(ticket, "first_response", "met", now - timedelta(days=1))
        _outcome(ticket, "first_resolution", "met", now - timedelta(days=20))  # last month, within 30 days
        snapshot = load_status(world.a, now=now, full=True)
    assert (snapshot.sla_month_met, snapshot.sla_month_breached) == (1, 0)
    ops = next(layer for layer in snapshot.hierarchy or [] if layer.key == "operating_metrics")
    assert any("2 met, 0 breached" in r.text for r in ops.reasons)


def test_it_lead_gets_the_full_page(world, gql):
    with tenant_context(world.a):
        _devices(2, protection_status="protected", patch_status="current")
        _service(world, "Internet at HQ", "connectivity", down=True)
    status = gql(world.a_lead, host=world.a).data(FULL_QUERY)["statusPage"]
    assert status["full"] is True
    assert status["devices"]["active"] == 2
    assert status["incidents"][0]["reference"] is not None
    assert [layer["key"] for layer in status["hierarchy"]] == [
        "connectivity",
        "security",
        "software",
        "operating_metrics",
        "innovation",
    ]
    assert status["hierarchy"][0]["state"] == "RED"
    assert status["services"][0]["state"] == "DOWN" and len(status["services"][0]["dailyUptime"]) == 30
    assert all(layer["reasons"] for layer in status["hierarchy"])


def test_work_lists_every_kind_of_open_work_with_its_reference(world, gql):
    """Tickets, security incidents and phishing reports awaiting triage are all MSP work."""
    from services.workqueue.models import WorkItem

    with tenant_context(world.a):
        ticket = _ticket(world, "Printer")
    for kind, number, title in (("sec_incident", 3, "Malware on a laptop"), ("phishing", 7, "Invoice lure")):
        WorkItem.objects.create(
            client=world.a,
            kind=kind,
            object_id=number,
            number=number,
            title=title,
            priority="P2",
            status="new",
            service_line="security",
        )
    work = gql(world.a_lead, host=world.a).data(FULL_QUERY)["statusPage"]["work"]
    assert sorted((w["kind"], w["reference"]) for w in work) == [
        ("PHISHING", "Phishing report"),
        ("SEC_INCIDENT", "SEC-3"),
        ("TICKET", f"#{ticket.number}"),
    ]


def test_member_gets_services_and_outages_only(world, gql):
    with tenant_context(world.a):
        _devices(2)
        _service(world, "Internet at HQ", "connectivity", down=True)
        _incident(1, "high")
    status = gql(world.a_member, host=world.a).data(FULL_QUERY)["statusPage"]
    assert status["full"] is False
    assert [(i["kind"], i["reference"]) for i in status["incidents"]] == [("OUTAGE", None)]
    assert status["services"][0]["state"] == "DOWN"
    for hidden in ("devices", "hierarchy", "improvements", "workTotal", "slaMonthMet", "mfaTotal"):
        assert status[hidden] is None, hidden
    assert status["work"] == [] and status["mfaHistory"] == []


@pytest.mark.parametrize("who", ["admin", "technician", "account_manager", "limited_technician"])
def test_staff_see_the_full_page_of_a_client_they_reach(world, gql, who):
    status = gql(getattr(world, who)).data(FULL_QUERY, {"slug": "alpha"})["statusPage"]
    assert status["full"] is True and len(status["hierarchy"]) == 5


def test_nobody_reaches_another_clients_status(world, gql):
    with tenant_context(world.b):
        ClientService.objects.create(name="bravo secret service", category="connectivity")
    for graphql in (
        gql(world.a_lead, host=world.a),
        gql(world.a_lead),
        gql(world.a_member, host=world.b),
        gql(world.limited_technician),
    ):
        result = graphql.execute(FULL_QUERY, {"slug": "bravo"})
        assert "bravo secret" not in str(result)
        assert result.get("data") is None or result["data"]["statusPage"] is None or "errors" in result
    # Without a slug on the MSP host there is no client to show.
    assert "errors" in gql(world.technician).execute(FULL_QUERY)
    anonymous = gql(None).execute('{ statusPage(clientSlug: "bravo") { full } }')
    assert anonymous["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


def test_status_page_query_count_is_constant(world, gql, django_assert_num_queries):
    lead = gql(world.a_lead, host=world.a)
    with tenant_context(world.a):
        _devices(3, protection_status="protected")
        _service(world, "VPN", "connectivity", down=True)
        _incident(1, "high")
    with django_assert_num_queries(STATUS_PAGE_QUERIES):
        lead.data(FULL_QUERY)
    with tenant_context(world.a):
        _devices(60, protection_status="missing", patch_status="overdue")
        for i in range(4):
            _service(world, f"Service {i}", "collaboration", down=i % 2 == 0, monitors=3)
            _ticket(world, f"more {i}", category="Improvement")
            _incident(10 + i, "medium")
    with django_assert_num_queries(STATUS_PAGE_QUERIES):
        status = lead.data(FULL_QUERY)["statusPage"]
    assert status["devices"]["active"] == 63 and len(status["services"]) == 5
    assert len(status["incidents"]) == 1 + 6 + 5  # outages (one per down monitor) and incidents


def test_staff_query_count_is_the_same(world, gql, django_assert_num_queries):
    tech = gql(world.technician)
    with tenant_context(world.a):
        _service(world, "VPN", "connectivity")
    with django_assert_num_queries(STAFF_STATUS_PAGE_QUERIES):
        tech.data(FULL_QUERY, {"slug": "alpha"})


def test_uptime_figures_are_cached_until_a_monitor_changes_state(
    world, gql, django_assert_num_queries, monkeypatch
):
    lead = gql(world.a_lead, host=world.a)
    with tenant_context(world.a):
        _service(world, "VPN", "connectivity")
    # The page's clock stands still (the cache key has the minute in it).
    frozen = timezone.now().replace(second=30)
    monkeypatch.setattr("services.status.graphql.queries.timezone", SimpleNamespace(now=lambda: frozen))
    with django_assert_num_queries(STATUS_PAGE_QUERIES):
        first = lead.data(FULL_QUERY)["statusPage"]
    # Within the minute and with no state change, the month's and the days' figures come
    # from the cache; the live state, incidents and everything else are read again.
    with django_assert_num_queries(STATUS_PAGE_CACHED_QUERIES):
        again = lead.data(FULL_QUERY)["statusPage"]
    assert again["services"] == first["services"]
    with tenant_context(world.a):
        monitor = Monitor.objects.get(service__name="VPN")
        record_check_results(
            world.a,
            [
                CheckResultIn(
                    status="down",
                    observed_at=frozen - timedelta(minutes=5 - n),
                    monitor_id=monitor.pk,
                )
                for n in range(3)
            ],
            now=frozen,
        )
    # A state change misses the cache: only today is computed, the closed days are read.
    with django_assert_num_queries(STATUS_PAGE_STORED_DAYS_QUERIES):
        after = lead.data(FULL_QUERY)["statusPage"]
    assert after["services"][0]["state"] == "DOWN"
    assert after["services"][0]["dailyUptime"][:-1] == first["services"][0]["dailyUptime"][:-1]
    assert after["services"][0]["dailyUptime"][-1] < first["services"][0]["dailyUptime"][-1]


def test_the_status_page_shows_the_broadcasts_addressed_to_the_client(world, gql):
    from services.outreach import broadcasts
    from services.outreach.models import Segment

    b_only = Segment.objects.create(name="Legal", rules=[{"field": "industry", "values": ["legal"]}])
    broadcasts.create_broadcast(
        actor=world.account_manager,
        data=broadcasts.NewBroadcast(
            kind="announcement", title="Bravo only", body="<p>x</p>", segment=b_only
        ),
    )
    broadcasts.create_broadcast(
        actor=world.account_manager,
        data=broadcasts.NewBroadcast(
            kind="howto", title="Reset your VPN", body="<p>Open the app<script>alert(1)</script></p>"
        ),
    )
    lead = gql(world.a_lead, host=world.a)
    lead.data(FULL_QUERY)
    counts = []
    for _ in range(2):  # constant: one broadcast or two
        with CaptureQueriesContext(connection) as captured:
            page = lead.data(FULL_QUERY)["statusPage"]
        counts.append(len(captured))
        broadcasts.create_broadcast(
            actor=world.account_manager,
            data=broadcasts.NewBroadcast(kind="announcement", title="Maintenance Sunday", body="<p>z</p>"),
        )
    assert counts[0] == counts[1]
    titles = [b["title"] for b in page["broadcasts"]]
    assert titles == ["Maintenance Sunday", "Reset your VPN"]  # newest first; never B's
    row = page["broadcasts"][1]
    assert "<script" not in row["bodyHtml"] and row["kind"] == "HOWTO"
    assert (row["segmentName"], row["emailRoles"], row["deflection"]) == (
        None,
        None,
        None,
    )  # staff-only parts
    again = gql(world.b_lead, host=world.b).data(FULL_QUERY)["statusPage"]
    assert {b["title"] for b in again["broadcasts"]} == {"Bravo only", "Reset your VPN", "Maintenance Sunday"}
