"""Security incident lifecycle and its three SLA clocks (acknowledge, contain, resolve),
computed by the SLA engine from the incident's event log under the client's security
response policy. Frozen instants only.

MSP defaults: critical 15 min / 4 h / 24 h and high 1 h / 8 h / 72 h, both 24x7; medium
4 h / 16 h / 40 h and low 8 h / 40 h / 80 h of business time on the client's SLA calendar (the
default "Standard" policy: UK business hours 09:00-12:30, 13:00-17:30). Monday 23 November
2026 is an ordinary working Monday (GMT == UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django_tenants.utils import tenant_context

from core.errors import ActionError
from services.security import actions
from services.security.actions import NewIncident, TargetInput
from services.security.clocks import incident_clocks
from services.security.models import IncidentActivity, IncidentSlaOutcome, SecurityIncident
from services.security.policy import response_policy
from services.sla import engine
from services.workqueue.models import BreachState, WorkItem, WorkItemKind

MONDAY_NINE = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return MONDAY_NINE + timedelta(hours=hours)


def _incident(world, severity: str = "critical", **extra) -> SecurityIncident:
    return actions.create_incident(
        world.a,
        NewIncident(
            title="Mailbox rule forwarding to outside", kind="account_compromise", severity=severity, **extra
        ),
        actor=world.technician,
        now=MONDAY_NINE,
    )


def _clocks(world, incident, now):
    incident.refresh_from_db()
    checked = incident_clocks(incident, response_policy(world.a), now)
    assert checked.problem is None and checked.clocks is not None
    return checked.clocks


def _item(world, incident) -> WorkItem:
    return WorkItem.objects.get(client=world.a, kind=WorkItemKind.SECURITY_INCIDENT, object_id=incident.pk)


def test_critical_incident_runs_three_clocks_around_the_clock(world):
    with tenant_context(world.a):
        incident = _incident(world)
        clocks = _clocks(world, incident, at(0.1))
        assert [c.name for c in clocks.all()] == ["acknowledge", "contain", "resolve"]
        assert [c.status.state for c in clocks.all()] == [engine.ClockState.RUNNING] * 3
        assert [c.status.due_at for c in clocks.all()] == [at(0.25), at(4), at(24)]
        item = _item(world, incident)
        assert (item.priority, item.service_line, item.status, item.is_open) == (
            "P1",
            "security",
            "new",
            True,
        )
        assert (item.next_deadline_at, item.next_deadline_clock, item.breach_state) == (
            at(0.25),
            "acknowledge",
            "on_track",
        )
        # Warnings at 75 % and 90 % of the 15 minutes, then the breach.
        assert [entry["at"] for entry in item.alert_schedule] == [
            (MONDAY_NINE + timedelta(seconds=675)).isoformat(),
            (MONDAY_NINE + timedelta(seconds=810)).isoformat(),
            at(0.25).isoformat(),
        ]


def test_lifecycle_judges_each_clock_once_and_moves_the_queue_deadline(world):
    with tenant_context(world.a):
        incident = _incident(world)
        actions.change_status(
            world.a, incident.number, actor=world.technician, status="acknowledged", now=at(0.2)
        )
        item = _item(world, incident)
        assert (item.next_deadline_clock, item.next_deadline_at, item.notified_stage) == ("contain", at(4), 0)
        actions.change_status(world.a, incident.number, actor=world.technician, status="contained", now=at(5))
        assert _item(world, incident).next_deadline_clock == "resolve"
        actions.change_status(world.a, incident.number, actor=world.technician, status="resolved", now=at(20))
        outcomes = {
            row.clock: (row.result, row.target_minutes, row.due_at)
            for row in IncidentSlaOutcome.objects.filter(incident=incident)
        }
        assert outcomes == {
            "acknowledge": ("met", 15, at(0.25)),
            "contain": ("breached", 240, at(4)),
            "resolve": ("met", 1440, at(24)),
        }
        item = _item(world, incident)
        assert (item.is_open, item.next_deadline_at, item.breach_state) == (False, None, BreachState.NONE)
        actions.change_status(world.a, incident.number, actor=world.technician, status="closed", now=at(21))
        incident.refresh_from_db()
        assert (incident.status, incident.closed_at) == ("closed", at(21))
        kinds = list(IncidentActivity.objects.filter(incident=incident).values_list("kind", flat=True))
        assert kinds == ["created", "status", "status", "status", "status"]


def test_resolving_straight_from_new_acknowledges_and_contains_at_that_instant(world):
    with tenant_context(world.a):
        incident = _incident(world, "high")
        actions.change_status(world.a, incident.number, actor=world.technician, status="resolved", now=at(2))
        incident.refresh_from_db()
        assert (incident.acknowledged_at, incident.contained_at, incident.resolved_at) == (
            at(2),
            at(2),
            at(2),
        )
        results = dict(IncidentSlaOutcome.objects.filter(incident=incident).values_list("clock", "result"))
        # High: acknowledge 1 h (breached at 2 h), contain 8 h, resolve 72 h (met).
        assert results == {"acknowledge": "breached", "contain": "met", "resolve": "met"}


def test_reopen_runs_containment_and_resolution_again_without_counting_resolved_time(world):
    with tenant_context(world.a):
        incident = _incident(world)
        actions.change_status(world.a, incident.number, actor=world.technician, status="contained", now=at(1))
        actions.change_status(world.a, incident.number, actor=world.technician, status="resolved", now=at(2))
        actions.change_status(
            world.a, incident.number, actor=world.technician, status="acknowledged", now=at(10)
        )
        clocks = _clocks(world, incident, at(11))
        # 1 h of containment used before, 8 h contained/resolved not counted: due 10:00 + 3 h.
        assert (clocks.contain.status.state, clocks.contain.status.due_at) == (
            engine.ClockState.RUNNING,
            at(13),
        )
        assert (clocks.resolve.status.state, clocks.resolve.status.due_at) == (
            engine.ClockState.RUNNING,
            at(32),
        )
        # Acknowledge (at 10:00, 45 minutes late) stays as judged.
        assert clocks.acknowledge.status.state is engine.ClockState.BREACHED
        assert clocks.acknowledge.status.stopped_at == at(1)
        item = _item(world, incident)
        assert (item.is_open, item.next_deadline_clock, item.next_deadline_at) == (True, "contain", at(13))
        actions.change_status(
            world.a, incident.number, actor=world.technician, status="contained", now=at(12)
        )
        cycles = sorted(
            IncidentSlaOutcome.objects.filter(incident=incident, clock="contain").values_list(
                "cycle", "result"
            )
        )
        assert cycles == [(1, "met"), (2, "met")]


def test_containment_lost_restarts_the_contain_clock_only(world):
    with tenant_context(world.a):
        incident = _incident(world)
        actions.change_status(world.a, incident.number, actor=world.technician, status="contained", now=at(1))
        actions.change_status(
            world.a, incident.number, actor=world.technician, status="acknowledged", now=at(2)
        )
        clocks = _clocks(world, incident, at(2.5))
        assert (clocks.contain.status.state, clocks.contain.status.due_at) == (
            engine.ClockState.RUNNING,
            at(5),
        )
        assert clocks.resolve.status.due_at == at(24)


def test_medium_incident_counts_business_hours_of_the_clients_sla_calendar(world):
    with tenant_context(world.a):
        friday_four = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
        incident = actions.create_incident(
            world.a,
            NewIncident(title="Malware on a laptop", kind="malware", severity="medium"),
            actor=world.technician,
            now=friday_four,
        )
        clocks = _clocks(world, incident, friday_four + timedelta(minutes=5))
        # 4 business hours: Friday 16:00-17:30 (1.5 h), Monday 09:00-11:30 (2.5 h).
        assert clocks.acknowledge.status.due_at == datetime(2026, 11, 30, 11, 30, tzinfo=UTC)


def test_severity_change_keeps_used_time_and_stopped_judgements(world):
    with tenant_context(world.a):
        incident = _incident(world, "medium")
        actions.change_status(
            world.a, incident.number, actor=world.technician, status="acknowledged", now=at(1)
        )
        actions.change_severity(
            world.a, incident.number, actor=world.technician, severity="critical", now=at(2)
        )
        clocks = _clocks(world, incident, at(2))
        # Acknowledged in 1 h against medium's 4 h: stays met under the terms it was judged.
        assert (clocks.acknowledge.status.state, clocks.acknowledge.status.target_seconds) == (
            engine.ClockState.MET,
            4 * 3600,
        )
        # Contain now critical (4 h, 24x7) from creation: due 13:00.
        assert clocks.contain.status.due_at == at(4)
        assert _item(world, incident).priority == "P1"


def test_per_client_targets_override_the_msp_defaults_for_that_client_only(world):
    with tenant_context(world.a):
        actions.save_response_targets(
            world.a,
            [
                TargetInput(
                    "critical",
                    acknowledge_minutes=5,
                    contain_minutes=60,
                    resolve_minutes=None,
                    around_the_clock=True,
                )
            ],
            actor=world.admin,
        )
        incident = _incident(world)
        clocks = _clocks(world, incident, at(0))
        assert clocks.acknowledge.status.due_at == at(5 / 60)
        assert clocks.contain.status.due_at == at(1)
        assert clocks.resolve.status.state is engine.ClockState.NOT_APPLICABLE
    with tenant_context(world.b):
        policy = response_policy(world.b)
        assert policy.targets["critical"].acknowledge_minutes == 15 and policy.is_default


def test_changed_targets_move_running_clocks_of_open_incidents(world):
    with tenant_context(world.a):
        incident = _incident(world)
        actions.save_response_targets(
            world.a,
            [
                TargetInput(
                    "critical",
                    acknowledge_minutes=30,
                    contain_minutes=60,
                    resolve_minutes=120,
                    around_the_clock=True,
                )
            ],
            actor=world.account_manager,
        )
        item = _item(world, incident)
        # Evaluated now (long after): acknowledge is overdue under the new 30 minutes.
        assert (item.next_deadline_at, item.breach_state) == (at(0.5), BreachState.BREACHED)


@pytest.mark.parametrize(
    "target, field",
    [
        (TargetInput("critical", 0, 60, 60, True), "targets.0.acknowledge_minutes"),
        (TargetInput("critical", 5, -1, 60, True), "targets.0.contain_minutes"),
        (TargetInput("urgent", 5, 5, 5, True), "targets.0.severity"),
        (TargetInput("low", 5, 5, 10**9, False), "targets.0.resolve_minutes"),
    ],
)
def test_impossible_targets_are_refused_and_nothing_is_saved(world, target, field):
    from services.security.models import SecurityResponseTarget

    with tenant_context(world.a):
        with pytest.raises(ActionError) as refused:
            actions.save_response_targets(world.a, [target], actor=world.admin)
        assert refused.value.errors[0].field == field
        assert not SecurityResponseTarget.objects.exists()


def test_only_admins_and_account_managers_set_targets(world):
    with tenant_context(world.a):
        for actor in (world.technician, world.a_lead):
            with pytest.raises(ActionError) as refused:
                actions.save_response_targets(world.a, [TargetInput("low", 5, 5, 5, False)], actor=actor)
            assert refused.value.errors[0].code == "PERMISSION_DENIED"


def test_invalid_transitions_are_refused(world):
    with tenant_context(world.a):
        incident = _incident(world)
        with pytest.raises(ActionError) as refused:
            actions.change_status(
                world.a, incident.number, actor=world.technician, status="closed", now=at(1)
            )
        assert refused.value.errors[0].code == "INVALID_TRANSITION"
        with pytest.raises(ActionError) as refused:
            actions.change_status(
                world.a, incident.number, actor=world.a_lead, status="acknowledged", now=at(1)
            )
        assert refused.value.errors[0].code == "PERMISSION_DENIED"
