"""The SLA sweep: each warning stage fires once, breaches are flagged, paused tickets are
never paged, and two overlapping sweeps send nothing twice."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django_tenants.utils import tenant_context

from services.support.actions import NewTicket, assign_ticket, change_status, create_ticket, reply
from services.workqueue.models import BreachState, Notification, WorkItem
from services.workqueue.sweep import sweep_sla_alerts
from tenants.actions import msp_url

# Tasks queued through the outbox (e-mails) run when their transaction commits.
pytestmark = pytest.mark.usefixtures("eager_tasks")

# A Tuesday morning in London business hours (UTC == local time in November).
T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _p2_ticket(world, django_capture_on_commit_callbacks=None):
    with tenant_context(world.a):
        ticket = create_ticket(
            world.a,
            NewTicket(title="Email down", impact="medium", urgency="high"),
            actor=world.a_lead,
            now=T0,
        )
        assign_ticket(world.a, ticket.number, actor=world.technician, assignee_id=world.technician.pk, now=T0)
    return WorkItem.objects.get(client=world.a, object_id=ticket.pk)


def test_warning_stages_fire_once_each_and_then_the_breach(world, django_capture_on_commit_callbacks):
    item = _p2_ticket(world)
    assert item.next_deadline_at == T0 + timedelta(hours=1)  # P2 first response: 60 business minutes
    assert [entry["label"] for entry in item.alert_schedule] == ["75%", "90%", "breached"]

    assert sweep_sla_alerts(T0 + timedelta(minutes=30)).examined == 0
    # Each stage reaches the assignee and the client's account manager.
    with django_capture_on_commit_callbacks(execute=True):
        first = sweep_sla_alerts(T0 + timedelta(minutes=46))
    assert (first.warned, first.notifications) == (1, 2)
    assert sweep_sla_alerts(T0 + timedelta(minutes=47)).notifications == 0  # same stage: nothing new
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_sla_alerts(T0 + timedelta(minutes=55)).notifications == 2  # 90 %
        breach = sweep_sla_alerts(T0 + timedelta(minutes=61))
    assert (breach.breached, breach.notifications) == (1, 2)
    item.refresh_from_db()
    assert item.breach_state == BreachState.BREACHED and item.next_alert_at is None
    titles = list(Notification.objects.filter(user=world.technician).values_list("title", flat=True))
    assert len(titles) == 3 and any("breached" in title for title in titles)
    assert [message.to for message in mail.outbox] == [
        [world.technician.email],
        [world.account_manager.email],
    ] * 3
    assert sweep_sla_alerts(T0 + timedelta(hours=5)).notifications == 0


def test_a_late_sweep_sends_only_the_most_severe_stage(world):
    _p2_ticket(world)
    result = sweep_sla_alerts(T0 + timedelta(hours=2))
    assert (result.breached, result.warned, result.notifications) == (1, 0, 2)  # assignee + manager


def test_paused_tickets_page_nobody(world):
    item = _p2_ticket(world)
    with tenant_context(world.a):
        change_status(
            world.a,
            item.number,
            actor=world.technician,
            status="waiting_on_client",
            now=T0 + timedelta(minutes=10),
        )
    item.refresh_from_db()
    assert item.breach_state == BreachState.PAUSED and item.next_alert_at is None
    assert sweep_sla_alerts(T0 + timedelta(days=3)).examined == 0
    assert not Notification.objects.exists()
    # The client answers after lunch: the deadline moves by the paused business time.
    with tenant_context(world.a):
        reply(world.a, item.number, actor=world.a_lead, body="Done", now=T0 + timedelta(hours=2))
    item.refresh_from_db()
    assert item.breach_state == BreachState.ON_TRACK
    assert item.next_deadline_at == T0 + timedelta(hours=2, minutes=50)  # 50 business minutes were left


def test_stages_already_sent_are_not_sent_again_after_a_pause(world):
    item = _p2_ticket(world)
    sweep_sla_alerts(T0 + timedelta(minutes=46))  # 75 % sent
    with tenant_context(world.a):
        change_status(
            world.a,
            item.number,
            actor=world.technician,
            status="waiting_on_vendor",
            now=T0 + timedelta(minutes=50),
        )
        change_status(
            world.a, item.number, actor=world.technician, status="in_progress", now=T0 + timedelta(minutes=70)
        )
    item.refresh_from_db()
    assert item.notified_stage == 1
    assert [entry["label"] for entry in item.alert_schedule] == ["90%", "breached"]


def test_a_first_reply_moves_the_queue_to_the_next_deadline(world):
    item = _p2_ticket(world)
    with tenant_context(world.a):
        reply(world.a, item.number, actor=world.technician, body="Looking", now=T0 + timedelta(minutes=20))
    item.refresh_from_db()
    assert item.next_deadline_clock in {"next_update", "resolution", "first_resolution"}
    assert item.notified_stage == 0


def test_two_overlapping_sweeps_notify_once(world_state, transactional_sweep_world):
    """Two sweeps in two threads (two database connections) at the same instant."""
    results = []
    barrier = threading.Barrier(2)

    def run():
        from django.db import connection

        barrier.wait()
        try:
            results.append(sweep_sla_alerts(T0 + timedelta(minutes=61)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One breach, sent once to each of the two people who follow it (assignee, account manager).
    assert sum(result.notifications for result in results) == 2
    sent = Notification.objects.filter(dedupe_key__startswith=f"sla:{transactional_sweep_world.pk}:")
    assert sorted(sent.values_list("user_id", flat=True)) == sorted(
        [world_state.technician.pk, world_state.account_manager.pk]
    )


def test_assignee_reads_and_clears_their_notifications(world, gql):
    _p2_ticket(world)
    sweep_sla_alerts(T0 + timedelta(hours=2))
    tech = gql(world.technician)
    assert tech.data("{ unreadNotificationCount }")["unreadNotificationCount"] == 1
    rows = tech.data("{ notifications { id title link readAt } }")["notifications"]
    assert rows[0]["link"] == msp_url("/tickets/alpha/1") and rows[0]["readAt"] is None
    assert rows[0]["link"].startswith(("http://", "https://"))
    assert (
        tech.data("mutation { markNotificationsRead { updated } }")["markNotificationsRead"]["updated"] == 1
    )
    assert tech.data("{ unreadNotificationCount }")["unreadNotificationCount"] == 0
