"""Security incidents in the technician queue: one `WorkItem` per incident, written in the
incident's transaction, warned about and flagged by the SLA sweep exactly like tickets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from services.security import actions
from services.security.actions import NewIncident
from services.security.selectors import incident_counts, open_incidents
from services.workqueue.models import BreachState, Notification, WorkItem, WorkItemKind
from services.workqueue.selectors import queue_queryset
from services.workqueue.sweep import sweep_sla_alerts
from tenants.actions import msp_url

pytestmark = pytest.mark.usefixtures("eager_tasks")

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _critical(world, **extra):
    with tenant_context(world.a):
        incident = actions.create_incident(
            world.a,
            NewIncident(
                title="Ransomware note on a file server", kind="malware", severity="critical", **extra
            ),
            actor=world.technician,
            now=T0,
        )
    return incident, WorkItem.objects.get(
        client=world.a, kind=WorkItemKind.SECURITY_INCIDENT, object_id=incident.pk
    )


def test_the_sweep_warns_and_flags_an_incident_breach_with_a_link_to_the_incident(
    world, django_capture_on_commit_callbacks
):
    incident, item = _critical(world, assignee_id=world.technician.pk)
    assert [entry["label"] for entry in item.alert_schedule] == ["75%", "90%", "breached"]
    with django_capture_on_commit_callbacks(execute=True):
        warned = sweep_sla_alerts(T0 + timedelta(minutes=12))
    assert (warned.warned, warned.notifications) == (1, 2)  # the assignee and the account manager
    with django_capture_on_commit_callbacks(execute=True):
        breach = sweep_sla_alerts(T0 + timedelta(minutes=16))
    assert breach.breached == 1
    item.refresh_from_db()
    assert item.breach_state == BreachState.BREACHED
    note = Notification.objects.filter(user=world.technician).order_by("-pk").first()
    assert note is not None
    assert note.title == f"Alpha Health SEC-{incident.number}: acknowledge SLA breached"
    assert note.link == msp_url(f"/security/alpha/incidents/{incident.number}")
    assert "Open the incident" in note.body
    assert any(message.to == [world.technician.email] for message in mail.outbox)
    # Acknowledging moves the deadline to containment: its warnings are new.
    with tenant_context(world.a):
        actions.change_status(
            world.a,
            incident.number,
            actor=world.technician,
            status="acknowledged",
            now=T0 + timedelta(minutes=20),
        )
    item.refresh_from_db()
    assert (item.next_deadline_clock, item.notified_stage, item.breach_state) == (
        "contain",
        0,
        BreachState.ON_TRACK,
    )


def test_incidents_share_the_queue_with_tickets_sorted_by_deadline(world):
    incident, item = _critical(world)
    rows = list(queue_queryset(world.technician, now=T0, client_slug="alpha"))
    assert item in rows
    assert (item.priority, item.service_line, item.title) == ("P1", "security", incident.title)
    assert item not in queue_queryset(world.technician, now=T0, client_slug="bravo")


def test_closing_takes_the_incident_out_of_the_queue_and_reopening_brings_it_back(world):
    incident, item = _critical(world)
    with tenant_context(world.a):
        actions.change_status(
            world.a, incident.number, actor=world.technician, status="resolved", now=T0 + timedelta(hours=1)
        )
        item.refresh_from_db()
        assert (item.is_open, item.alert_schedule, item.next_alert_at) == (False, [], None)
        actions.change_status(
            world.a,
            incident.number,
            actor=world.technician,
            status="acknowledged",
            now=T0 + timedelta(hours=2),
        )
        item.refresh_from_db()
        assert (item.is_open, item.next_deadline_clock) == (True, "contain")


def test_status_page_selectors(world):
    with tenant_context(world.a):
        for severity, title in (
            ("low", "Lost USB stick"),
            ("critical", "Ransomware"),
            ("high", "Phish clicked"),
        ):
            actions.create_incident(
                world.a,
                NewIncident(title=title, kind="other", severity=severity),
                actor=world.technician,
                now=T0,
            )
        done = actions.create_incident(
            world.a, NewIncident(title="Old", kind="other", severity="medium"), actor=world.technician, now=T0
        )
        actions.change_status(world.a, done.number, actor=world.technician, status="resolved", now=T0)
        assert [i.title for i in open_incidents(world.a)] == ["Ransomware", "Phish clicked", "Lost USB stick"]
        counts = incident_counts(world.a, now=T0 + timedelta(hours=2))
        assert counts.open == 3
        assert counts.by_severity == {"critical": 1, "high": 1, "medium": 0, "low": 1}
        assert counts.unacknowledged == 3
        # Critical (15 min) and high (1 h) acknowledge deadlines have passed by 11:00.
        assert counts.breached == 2
        assert counts.resolved_last_30_days == 1
    with tenant_context(world.b):
        assert incident_counts(world.b).open == 0


def test_a_technician_who_loses_the_client_keeps_none_of_its_open_incidents(world):
    from services.security.models import IncidentActivity
    from tenants.actions import revoke_client_access

    incident, item = _critical(world, assignee_id=world.limited_technician.pk)
    assert item.assignee_id == world.limited_technician.pk
    revoke_client_access(world.limited_technician, world.a, actor=world.admin)
    item.refresh_from_db()
    assert item.assignee_id is None
    with tenant_context(world.a):
        entry = IncidentActivity.objects.filter(incident_id=incident.pk, kind="assigned").last()
        assert entry is not None and entry.is_internal
        assert entry.detail["previous_assignee_id"] == world.limited_technician.pk


QUEUE_ROWS = """
query { queue(first: 50, clientSlug: "alpha") {
  edges { node { kind number status statusLabel reference } }
} }
"""


def test_the_queue_query_serves_an_incident_row_with_its_own_status_and_reference(world, gql):
    # Regression: an incident's status (not a ticket status) was mapped to the TextChoices
    # member TicketStatus.IN_PROGRESS, which graphene could not serialise: the whole queue
    # answered with errors and the page never finished loading.
    incident, _item = _critical(world)
    with tenant_context(world.a):
        actions.change_status(world.a, incident.number, actor=world.technician, status="acknowledged", now=T0)
    data = gql(world.technician).data(QUEUE_ROWS)  # asserts the answer has no errors
    rows = [edge["node"] for edge in data["queue"]["edges"]]
    assert {
        "kind": "SEC_INCIDENT",
        "number": incident.number,
        "status": "IN_PROGRESS",
        "statusLabel": "Acknowledged",
        "reference": f"SEC-{incident.number}",
    } in rows
