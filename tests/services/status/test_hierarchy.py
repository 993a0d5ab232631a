"""The remote-work hierarchy rules: pure, table-driven, no database."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.status.hierarchy import (
    LAYER_ORDER,
    DeviceCounts,
    Evidence,
    HierarchySignals,
    ImprovementCounts,
    LayerState,
    ServiceSignal,
    ServiceState,
    Thresholds,
    evaluate,
)

G, A, R, N = LayerState.GREEN, LayerState.AMBER, LayerState.RED, LayerState.NO_DATA
UP, DEGRADED, DOWN = ServiceState.UP, ServiceState.DEGRADED, ServiceState.DOWN

HEALTHY_DEVICES = DeviceCounts(active=100, managed=100, protected=100, patch_current=100)

HEALTHY = HierarchySignals(
    connectivity_services=[ServiceSignal("VPN", UP, 99.95, 99.9), ServiceSignal("Internet", UP)],
    collaboration_services=[ServiceSignal("Microsoft 365", UP, 100.0, 99.9)],
    mfa_covered=98,
    mfa_total=100,
    open_security_incidents=0,
    open_major_security_incidents=0,
    devices=HEALTHY_DEVICES,
    sla_met=40,
    sla_breached=1,
    tickets_opened_last_30_days=20,
    tickets_opened_previous_30_days=18,
    open_tickets_breached=0,
    improvements=ImprovementCounts(active=1, completed_recently=2),
)


def own(signals: HierarchySignals, layer: str) -> LayerState:
    return next(x for x in evaluate(signals) if x.key == layer).own_state


def test_all_healthy_is_green_everywhere_with_a_reason_each():
    layers = evaluate(HEALTHY)
    assert [x.key for x in layers] == list(LAYER_ORDER)
    assert [x.state for x in layers] == [G] * 5
    assert all(x.reasons for x in layers)


def test_nothing_known_is_no_data_everywhere():
    layers = evaluate(HierarchySignals())
    assert [x.state for x in layers] == [N] * 5
    # Each says what is missing, pointing at where it would show.
    assert layers[0].reasons[0].evidence == Evidence.SERVICES
    assert {r.evidence for r in layers[1].reasons} == {
        Evidence.MFA,
        Evidence.SECURITY_INCIDENTS,
        Evidence.DEVICES,
    }


@pytest.mark.parametrize(
    ("change", "layer", "expected"),
    [
        # connectivity
        ({"connectivity_services": []}, "connectivity", N),
        ({"connectivity_services": [ServiceSignal("VPN", DOWN)]}, "connectivity", R),
        ({"connectivity_services": [ServiceSignal("VPN", DEGRADED)]}, "connectivity", A),
        ({"connectivity_services": [ServiceSignal("VPN", ServiceState.UNKNOWN)]}, "connectivity", A),
        ({"connectivity_services": [ServiceSignal("VPN", ServiceState.MAINTENANCE)]}, "connectivity", A),
        ({"connectivity_services": [ServiceSignal("VPN", UP, 99.5, 99.9)]}, "connectivity", A),
        ({"connectivity_services": [ServiceSignal("VPN", UP, 99.9, 99.9)]}, "connectivity", G),
        (
            {"connectivity_services": [ServiceSignal("VPN", UP), ServiceSignal("Home", DOWN)]},
            "connectivity",
            R,
        ),
        # security: MFA
        ({"mfa_covered": 95, "mfa_total": 100}, "security", G),
        ({"mfa_covered": 94, "mfa_total": 100}, "security", A),
        ({"mfa_covered": 80, "mfa_total": 100}, "security", A),
        ({"mfa_covered": 79, "mfa_total": 100}, "security", R),
        ({"mfa_covered": None, "mfa_total": None}, "security", A),  # partial data caps at amber
        ({"mfa_covered": 0, "mfa_total": 0}, "security", A),
        # security: incidents
        ({"open_security_incidents": 2, "open_major_security_incidents": 0}, "security", A),
        ({"open_security_incidents": 2, "open_major_security_incidents": 1}, "security", R),
        ({"open_security_incidents": None, "open_major_security_incidents": None}, "security", A),
        # security: endpoint protection
        ({"devices": replace(HEALTHY_DEVICES, protected=99, protection_missing=1)}, "security", R),
        ({"devices": replace(HEALTHY_DEVICES, protected=99, protection_outdated=1)}, "security", A),
        ({"devices": replace(HEALTHY_DEVICES, protected=90, protection_unknown=10)}, "security", A),
        ({"devices": replace(HEALTHY_DEVICES, protected=70, protection_unknown=30)}, "security", R),
        ({"devices": replace(HEALTHY_DEVICES, protected=0, protection_unknown=100)}, "security", A),
        (
            {"devices": None, "mfa_covered": None, "mfa_total": None, "open_security_incidents": None},
            "security",
            N,
        ),
        # software
        ({"devices": None}, "software", A),
        ({"devices": None, "collaboration_services": []}, "software", N),
        ({"devices": replace(HEALTHY_DEVICES, managed=89)}, "software", A),
        ({"devices": replace(HEALTHY_DEVICES, patch_current=95, patch_overdue=5)}, "software", A),
        ({"devices": replace(HEALTHY_DEVICES, patch_current=95, patch_pending=5)}, "software", G),
        ({"devices": replace(HEALTHY_DEVICES, patch_current=85, patch_pending=15)}, "software", A),
        ({"devices": replace(HEALTHY_DEVICES, patch_current=60, patch_pending=40)}, "software", R),
        ({"devices": replace(HEALTHY_DEVICES, patch_current=0, patch_unknown=100)}, "software", A),
        ({"collaboration_services": [ServiceSignal("Teams", DOWN)]}, "software", R),
        ({"collaboration_services": []}, "software", A),
        # operating metrics
        ({"sla_met": 95, "sla_breached": 5}, "operating_metrics", G),
        ({"sla_met": 94, "sla_breached": 6}, "operating_metrics", A),
        ({"sla_met": 84, "sla_breached": 16}, "operating_metrics", R),
        ({"sla_met": 0, "sla_breached": 0}, "operating_metrics", A),  # nothing judged: partial
        ({"tickets_opened_last_30_days": 40, "tickets_opened_previous_30_days": 20}, "operating_metrics", A),
        ({"tickets_opened_last_30_days": 30, "tickets_opened_previous_30_days": 20}, "operating_metrics", G),
        ({"tickets_opened_last_30_days": 9, "tickets_opened_previous_30_days": 2}, "operating_metrics", G),
        ({"tickets_opened_last_30_days": 10, "tickets_opened_previous_30_days": 0}, "operating_metrics", A),
        ({"open_tickets_breached": 1}, "operating_metrics", A),
        (
            {"sla_met": None, "sla_breached": None, "tickets_opened_last_30_days": None},
            "operating_metrics",
            N,
        ),
        # innovation
        ({"improvements": None}, "innovation", N),
        ({"improvements": ImprovementCounts(proposed=3)}, "innovation", N),
        ({"improvements": ImprovementCounts(stalled=2)}, "innovation", R),
        ({"improvements": ImprovementCounts(stalled=1, active=1)}, "innovation", A),
        ({"improvements": ImprovementCounts(completed_recently=1)}, "innovation", G),
    ],
)
def test_layer_rules(change, layer, expected):
    assert own(replace(HEALTHY, **change), layer) == expected


def test_green_only_when_every_layer_below_is_green():
    layers = evaluate(replace(HEALTHY, connectivity_services=[ServiceSignal("VPN", DOWN)]))
    assert [x.own_state for x in layers] == [R, G, G, G, G]
    assert [x.state for x in layers] == [R, A, A, A, A]
    assert layers[1].reasons[0].evidence == Evidence.HIERARCHY
    assert "Connectivity" in layers[1].reasons[0].text
    # The layers' own reasons are still there below the "rests on" one.
    assert any(r.evidence == Evidence.MFA for r in layers[1].reasons)


def test_a_red_or_no_data_layer_keeps_its_own_state_above_a_weak_one():
    layers = evaluate(replace(HEALTHY, mfa_covered=10, improvements=None))
    assert [x.state for x in layers] == [G, R, A, A, N]
    assert "Security" in layers[2].reasons[0].text


def test_worst_reason_first():
    layer = evaluate(
        replace(HEALTHY, mfa_covered=85, open_major_security_incidents=1, open_security_incidents=1)
    )[1]
    assert [r.state for r in layer.reasons][:2] == [R, A]


def test_thresholds_are_configurable():
    stricter = Thresholds(mfa_green_percent=99.0)
    assert next(x for x in evaluate(HEALTHY, stricter) if x.key == "security").own_state == A
