"""The health score (explained, no data set aside, history, falls → follow-up once), its
recompute paths, and the account manager's board (constant queries)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from services.outreach import actions
from services.outreach.health import recompute_health, score_of
from services.outreach.models import (
    CheckIn,
    ClientOutreach,
    FollowUp,
    HealthBand,
    HealthSnapshot,
    OutreachSettings,
)
from services.outreach.signals import SIGNALS, Reading
from services.outreach.tasks import dispatch_health_recompute_task, watch_signal_changes_task
from services.support.actions import NewTicket, create_ticket
from services.workqueue.models import WorkItem
from tenants.models import Client

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def test_the_score_explains_each_signal_and_sets_aside_signals_without_data(monkeypatch):
    from dataclasses import replace

    # A source made unavailable through the registry says so in the explanation.
    monkeypatch.setitem(
        SIGNALS, "overdue_invoices", replace(SIGNALS["overdue_invoices"], installed=lambda: False)
    )
    settings = OutreachSettings(weights={}, thresholds={})
    readings: dict[str, Reading | None] = {key: None for key in SIGNALS}
    readings["open_p1_p2"] = Reading(value=1, display="1 open P1, 0 open P2", subscore=60.0)
    readings["checkin_recency"] = Reading(value=10, display="10 days", subscore=100.0)
    health = score_of(readings, settings)
    # Weights 15 (P1/P2) and 15 (recency); every other signal has no data: set aside.
    assert health.score == 80
    rows = {row["key"]: row for row in health.explanation}
    assert rows["open_p1_p2"]["contribution"] == 30.0 and rows["checkin_recency"]["contribution"] == 50.0
    assert rows["open_p1_p2"]["rule"].startswith("100 with none open")
    assert rows["overdue_invoices"]["hasData"] is False
    assert rows["overdue_invoices"]["value"] is None and rows["overdue_invoices"]["contribution"] is None
    assert "not connected" in rows["overdue_invoices"]["display"]
    assert sum(r["contribution"] for r in rows.values() if r["hasData"]) == pytest.approx(health.score)


def test_no_signal_with_data_is_no_score_not_a_guess():
    nothing: dict[str, Reading | None] = {key: None for key in SIGNALS}
    health = score_of(nothing, OutreachSettings(weights={}, thresholds={}))
    assert (health.score, health.band) == (None, HealthBand.NO_DATA)


def test_recompute_reads_live_signals_and_writes_one_snapshot_per_day(world):
    with tenant_context(world.a):
        create_ticket(
            world.a, NewTicket(title="Server down", impact="high", urgency="high"), actor=world.a_lead
        )
    recompute_health([world.a], now=timezone.now())
    recompute_health([world.a], now=timezone.now())
    profile = ClientOutreach.objects.get(client=world.a)
    rows = {row["key"]: row for row in profile.health_explanation}
    assert rows["open_p1_p2"]["value"] == 1.0 and rows["open_p1_p2"]["subscore"] == 60.0
    assert rows["sla_compliance"]["hasData"] is False  # nothing judged yet: no data
    assert rows["sentiment"]["hasData"] is False
    assert HealthSnapshot.objects.filter(client=world.a).count() == 1
    assert profile.next_due_on is not None


def test_recompute_is_a_constant_number_of_queries(world, django_assert_num_queries):
    recompute_health([world.a, world.b])  # the settings row and the profiles exist
    # One query per signal (security incidents, MFA one UNION ALL over the batch's schemas,
    # overdue invoices one over billing's public table; availability the closed months and the
    # monitors, and for clients with monitors their state history and maintenance windows —
    # pinned in test_signal_sources), then the writes.
    with django_assert_num_queries(16):
        recompute_health([world.a])
    with django_assert_num_queries(16):
        recompute_health([world.a, world.b])


def test_a_fall_into_a_lower_band_opens_one_follow_up_with_the_reason(world):
    ClientOutreach.objects.create(
        client=world.a,
        health_score=90,
        health_band=HealthBand.HEALTHY,
        health_explanation=[],
        last_checkin_at=timezone.now() - timedelta(days=400),
    )
    actions.log_checkin(
        world.a,
        actor=world.account_manager,
        data=actions.NewCheckIn(kind="call", subject="Unhappy", sentiment="negative", held_at=timezone.now()),
    )
    ClientOutreach.objects.filter(client=world.a).update(health_band=HealthBand.HEALTHY, health_score=90)
    with tenant_context(world.a):
        for title in ("Mail down", "Files gone"):
            create_ticket(world.a, NewTicket(title=title, impact="high", urgency="high"), actor=world.a_lead)
    recompute_health([world.a])
    follow_up = FollowUp.objects.get(client=world.a)
    assert follow_up.owner_id == world.account_manager.pk
    assert "fell from 90" in follow_up.detail and "Open P1/P2 tickets" in follow_up.detail
    ClientOutreach.objects.filter(client=world.a).update(health_band=HealthBand.HEALTHY)
    recompute_health([world.a])
    assert FollowUp.objects.filter(client=world.a).count() == 1  # once


def test_a_check_in_recomputes_through_the_outbox(world, eager_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        actions.log_checkin(
            world.a,
            actor=world.account_manager,
            data=actions.NewCheckIn(kind="call", subject="Fine", sentiment="positive"),
        )
    rows = {r["key"]: r for r in ClientOutreach.objects.get(client=world.a).health_explanation}
    assert rows["sentiment"]["hasData"] and rows["sentiment"]["subscore"] == 100.0
    assert rows["checkin_recency"]["subscore"] == 100.0


def test_the_change_watch_recomputes_clients_whose_tickets_moved(world):
    recompute_health([world.a, world.b])
    assert watch_signal_changes_task.apply().get() == 0
    with tenant_context(world.b):
        create_ticket(world.b, NewTicket(title="VPN", impact="high", urgency="high"), actor=world.b_lead)
    assert WorkItem.objects.filter(client=world.b).exists()
    assert watch_signal_changes_task.apply().get() == 1
    rows = {r["key"]: r for r in ClientOutreach.objects.get(client=world.b).health_explanation}
    assert rows["open_p1_p2"]["value"] == 1.0


def test_the_nightly_fan_out_sends_one_task_per_live_client(world, eager_tasks):
    # Eager: each per-client task runs at once, in its client's schema.
    assert dispatch_health_recompute_task.apply().get() == 2
    assert set(HealthSnapshot.objects.values_list("client_id", flat=True)) == {world.a.pk, world.b.pk}


BOARD = """
{ outreachBoard {
    clients { slug name section daysOverdue healthScore healthBand nextDueOn lastCheckInAt openFollowUps }
    overdueCount dueThisWeekCount upcomingCount
    followUps { title dueOn overdue owner { email } clientSlug }
} }
"""


def _section(board, name):
    return [row["slug"] for row in board["clients"] if row["section"] == name]


def test_the_board_sorts_by_due_section_and_risk(world, gql):
    today = timezone.localdate()
    ClientOutreach.objects.create(
        client=world.a, next_due_on=today - timedelta(days=3), health_score=80, health_band=HealthBand.HEALTHY
    )
    ClientOutreach.objects.create(
        client=world.b, next_due_on=today - timedelta(days=1), health_score=30, health_band=HealthBand.AT_RISK
    )
    board = gql(world.account_manager).data(BOARD)["outreachBoard"]
    assert _section(board, "OVERDUE") == ["bravo", "alpha"]  # riskiest first
    assert board["clients"][1]["daysOverdue"] == 3 and board["overdueCount"] == 2
    ClientOutreach.objects.filter(client=world.a).update(next_due_on=today + timedelta(days=3))
    ClientOutreach.objects.filter(client=world.b).update(next_due_on=today + timedelta(days=40))
    board = gql(world.account_manager).data(BOARD)["outreachBoard"]
    assert (_section(board, "DUE_THIS_WEEK"), _section(board, "UPCOMING")) == (
        ["alpha"],
        ["bravo"],
    )


def test_the_board_is_a_constant_number_of_queries(world, gql, django_assert_max_num_queries):
    graphql = gql(world.account_manager)
    graphql.data(BOARD)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            graphql.data(BOARD)
        return len(captured)

    small = count()
    base = Client.objects.get(pk=world.a.pk)
    extra = []
    for index in range(5):
        extra.append(
            Client.objects.create(
                name=f"Extra {index}",
                slug=f"extra-{index}",
                schema_name=f"extra_{index}",
                status="active",
                account_manager=world.account_manager,
                tier=base.tier,
            )
        )
        actions.add_follow_up(
            extra[-1],
            actor=world.account_manager,
            data=actions.NewFollowUp(title="Call", due_on=timezone.localdate()),
        )
    assert count() == small
    assert len(gql(world.account_manager).data(BOARD)["outreachBoard"]["followUps"]) == 5


def test_an_account_manager_sees_only_their_book_and_technicians_nothing(
    world, gql, staff_gql, other_manager
):
    assert staff_gql(other_manager).data(BOARD)["outreachBoard"]["clients"] == []
    result = gql(world.technician).execute(BOARD)
    assert result["data"]["outreachBoard"] is None and result["errors"][0]["extensions"]["code"] == (
        "PERMISSION_DENIED"
    )
    assert CheckIn.objects.count() == 0
