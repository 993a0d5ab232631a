"""The remote-work hierarchy: connectivity → security → software → operating metrics →
innovation, each layer resting on the one below.

`evaluate(signals, thresholds)` is pure: it reads a `HierarchySignals` (gathered by
`services.status.selectors.load_signals`) and returns one `Layer` per step, each with its own
state, the state shown (a layer shows green only when it and every layer below are green),
and the reasons, each pointing at its evidence (a key the SPA turns into a route).

A signal that is `None` has no data (nothing monitored, nothing imported); a layer with no
data at all is `NO_DATA`; a layer with some of its signals missing is at best `AMBER`: it
cannot be called healthy on partial evidence. docs/status-page.md explains every rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class LayerState(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NO_DATA = "no_data"


class ServiceState(StrEnum):
    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"
    MAINTENANCE = "maintenance"  # inside a planned maintenance window, no monitor down
    UNKNOWN = "unknown"


class Evidence(StrEnum):
    """Where a reason's evidence lives; the SPA maps each to a route for its audience."""

    SERVICES = "services"
    MFA = "mfa"
    SECURITY_INCIDENTS = "security_incidents"
    DEVICES = "devices"
    SLA = "sla"
    TICKETS = "tickets"
    IMPROVEMENTS = "improvements"
    HIERARCHY = "hierarchy"


LAYER_ORDER = ("connectivity", "security", "software", "operating_metrics", "innovation")
LAYER_LABELS = {
    "connectivity": "Connectivity",
    "security": "Security",
    "software": "Software",
    "operating_metrics": "Operating metrics",
    "innovation": "Innovation",
}

_RANK = {LayerState.GREEN: 0, LayerState.AMBER: 1, LayerState.RED: 2}


@dataclass(frozen=True)
class Thresholds:
    """Defaults of the rules (docs/status-page.md); `settings.STATUS_THRESHOLDS` overrides any."""

    mfa_green_percent: float = 95.0
    mfa_amber_percent: float = 80.0
    protection_green_percent: float = 95.0
    protection_red_percent: float = 80.0  # protected share below this → red
    patched_green_percent: float = 90.0
    patched_red_percent: float = 70.0  # current share below this → red
    managed_green_percent: float = 90.0
    sla_green_percent: float = 95.0
    sla_amber_percent: float = 85.0
    ticket_growth_amber_percent: float = 50.0  # opened last 30 days vs the 30 before
    ticket_growth_min_tickets: int = 10  # fewer new tickets than this is not a trend
    improvement_stalled_days: int = 30
    improvement_recent_days: int = 90


@dataclass(frozen=True)
class ServiceSignal:
    """One service the MSP runs for the client, as the status page sees it now."""

    name: str
    state: ServiceState
    availability_percent: float | None = None  # this month so far
    promised_percent: float | None = None


@dataclass(frozen=True)
class DeviceCounts:
    """Active devices of the client: managed share, endpoint protection and patch state."""

    active: int = 0
    managed: int = 0
    protected: int = 0
    protection_outdated: int = 0
    protection_missing: int = 0
    protection_unknown: int = 0
    patch_current: int = 0
    patch_pending: int = 0
    patch_overdue: int = 0
    patch_unknown: int = 0


@dataclass(frozen=True)
class ImprovementCounts:
    """Improvement work agreed with the client (tickets of the improvement category)."""

    proposed: int = 0  # NEW: not yet agreed
    active: int = 0  # agreed, open, touched within the stalled window
    stalled: int = 0  # agreed, open, untouched for longer than the stalled window
    completed_recently: int = 0  # resolved/closed within the recent window


@dataclass(frozen=True)
class HierarchySignals:
    """Everything the rules read. `None` means the source has no data for this client."""

    connectivity_services: Sequence[ServiceSignal] = ()
    collaboration_services: Sequence[ServiceSignal] = ()
    mfa_covered: int | None = None
    mfa_total: int | None = None
    open_security_incidents: int | None = None
    open_major_security_incidents: int | None = None  # high or critical severity
    devices: DeviceCounts | None = None
    sla_met: int | None = None
    sla_breached: int | None = None
    tickets_opened_last_30_days: int | None = None
    tickets_opened_previous_30_days: int | None = None
    open_tickets_breached: int | None = None
    improvements: ImprovementCounts | None = None


@dataclass(frozen=True)
class Reason:
    text: str
    state: LayerState
    evidence: Evidence


@dataclass(frozen=True)
class Layer:
    key: str
    label: str
    own_state: LayerState
    state: LayerState  # shown: green only when this and every layer below are green
    reasons: list[Reason] = field(default_factory=list)


def percent(part: int, whole: int) -> float | None:
    return None if whole <= 0 else round(100.0 * part / whole, 1)


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") + " %"


def _combine(reasons: list[Reason], missing: list[Reason]) -> LayerState:
    """The worst state among the reasons; partial data caps the layer at amber."""
    if not reasons:
        return LayerState.NO_DATA
    worst = max(
        (r.state for r in reasons if r.state in _RANK), key=_RANK.__getitem__, default=LayerState.GREEN
    )
    if missing and worst == LayerState.GREEN:
        return LayerState.AMBER
    return worst


def _services(services: Sequence[ServiceSignal], what: str) -> list[Reason]:
    reasons: list[Reason] = []
    for service in services:
        if service.state == ServiceState.DOWN:
            reasons.append(Reason(f"{service.name} is down.", LayerState.RED, Evidence.SERVICES))
        elif service.state == ServiceState.DEGRADED:
            reasons.append(Reason(f"{service.name} is degraded.", LayerState.AMBER, Evidence.SERVICES))
        elif service.state == ServiceState.MAINTENANCE:
            reasons.append(
                Reason(f"{service.name} is in planned maintenance.", LayerState.AMBER, Evidence.SERVICES)
            )
        elif service.state == ServiceState.UNKNOWN:
            reasons.append(
                Reason(f"{service.name} has not reported yet.", LayerState.AMBER, Evidence.SERVICES)
            )
        if (
            service.availability_percent is not None
            and service.promised_percent is not None
            and service.availability_percent < service.promised_percent
        ):
            reasons.append(
                Reason(
                    f"{service.name} was available {_fmt(service.availability_percent)} this month; "
                    f"{_fmt(service.promised_percent)} is promised.",
                    LayerState.AMBER,
                    Evidence.SERVICES,
                )
            )
    if services and not reasons:
        reasons.append(Reason(f"All {len(services)} {what} are up.", LayerState.GREEN, Evidence.SERVICES))
    return reasons


def connectivity(s: HierarchySignals, t: Thresholds) -> tuple[list[Reason], list[Reason]]:
    if not s.connectivity_services:
        return [], [
            Reason("No VPN, internet or home-office monitor yet.", LayerState.NO_DATA, Evidence.SERVICES)
        ]
    return _services(s.connectivity_services, "connectivity services"), []


def security(s: HierarchySignals, t: Thresholds) -> tuple[list[Reason], list[Reason]]:
    reasons: list[Reason] = []
    missing: list[Reason] = []
    coverage = percent(s.mfa_covered or 0, s.mfa_total or 0)
    if coverage is None:
        missing.append(Reason("No MFA data yet (no accounts known).", LayerState.NO_DATA, Evidence.MFA))
    else:
        state = (
            LayerState.GREEN
            if coverage >= t.mfa_green_percent
            else LayerState.AMBER
            if coverage >= t.mfa_amber_percent
            else LayerState.RED
        )
        reasons.append(
            Reason(
                f"MFA covers {s.mfa_covered} of {s.mfa_total} accounts ({_fmt(coverage)}; "
                f"{_fmt(t.mfa_green_percent)} expected).",
                state,
                Evidence.MFA,
            )
        )
    if s.open_security_incidents is None:
        missing.append(Reason("No security incident data.", LayerState.NO_DATA, Evidence.SECURITY_INCIDENTS))
    else:
        major = s.open_major_security_incidents or 0
        if major:
            reasons.append(
                Reason(
                    f"{major} high-severity security incident(s) open.",
                    LayerState.RED,
                    Evidence.SECURITY_INCIDENTS,
                )
            )
        elif s.open_security_incidents:
            reasons.append(
                Reason(
                    f"{s.open_security_incidents} security incident(s) open.",
                    LayerState.AMBER,
                    Evidence.SECURITY_INCIDENTS,
                )
            )
        else:
            reasons.append(
                Reason("No open security incidents.", LayerState.GREEN, Evidence.SECURITY_INCIDENTS)
            )
    devices = s.devices
    reported = (devices.active - devices.protection_unknown) if devices else 0
    if devices is None or reported <= 0:
        missing.append(Reason("No endpoint protection reported yet.", LayerState.NO_DATA, Evidence.DEVICES))
    else:
        share = percent(devices.protected, devices.active) or 0.0
        if devices.protection_missing or share < t.protection_red_percent:
            state = LayerState.RED
        elif share < t.protection_green_percent or devices.protection_outdated:
            state = LayerState.AMBER
        else:
            state = LayerState.GREEN
        detail = ", ".join(
            part
            for part in (
                f"{devices.protection_missing} missing" if devices.protection_missing else "",
                f"{devices.protection_outdated} outdated" if devices.protection_outdated else "",
                f"{devices.protection_unknown} not reported" if devices.protection_unknown else "",
            )
            if part
        )
        reasons.append(
            Reason(
                f"Endpoint protection on {devices.protected} of {devices.active} devices ({_fmt(share)})"
                + (f"; {detail}." if detail else "."),
                state,
                Evidence.DEVICES,
            )
        )
    return reasons, missing


def software(s: HierarchySignals, t: Thresholds) -> tuple[list[Reason], list[Reason]]:
    reasons: list[Reason] = []
    missing: list[Reason] = []
    devices = s.devices
    if devices is None or devices.active == 0:
        missing.append(Reason("No devices recorded yet.", LayerState.NO_DATA, Evidence.DEVICES))
    else:
        managed = percent(devices.managed, devices.active) or 0.0
        reasons.append(
            Reason(
                f"{devices.managed} of {devices.active} devices are managed ({_fmt(managed)}).",
                LayerState.GREEN if managed >= t.managed_green_percent else LayerState.AMBER,
                Evidence.DEVICES,
            )
        )
        reported = devices.patch_current + devices.patch_pending + devices.patch_overdue
        if reported == 0:
            missing.append(Reason("No patch status reported yet.", LayerState.NO_DATA, Evidence.DEVICES))
        else:
            current = percent(devices.patch_current, devices.active) or 0.0
            if current < t.patched_red_percent:
                state = LayerState.RED
            elif current < t.patched_green_percent or devices.patch_overdue:
                state = LayerState.AMBER
            else:
                state = LayerState.GREEN
            reasons.append(
                Reason(
                    f"{devices.patch_current} of {devices.active} devices fully patched ({_fmt(current)}); "
                    f"{devices.patch_overdue} overdue, {devices.patch_pending} pending.",
                    state,
                    Evidence.DEVICES,
                )
            )
    if not s.collaboration_services:
        missing.append(
            Reason(
                "No collaboration service (mail, chat, files) monitored.",
                LayerState.NO_DATA,
                Evidence.SERVICES,
            )
        )
    else:
        reasons.extend(_services(s.collaboration_services, "collaboration services"))
    return reasons, missing


def operating_metrics(s: HierarchySignals, t: Thresholds) -> tuple[list[Reason], list[Reason]]:
    reasons: list[Reason] = []
    missing: list[Reason] = []
    compliance = percent(s.sla_met or 0, (s.sla_met or 0) + (s.sla_breached or 0))
    if compliance is None:
        missing.append(Reason("No SLA clock judged in the last 30 days.", LayerState.NO_DATA, Evidence.SLA))
    else:
        state = (
            LayerState.GREEN
            if compliance >= t.sla_green_percent
            else LayerState.AMBER
            if compliance >= t.sla_amber_percent
            else LayerState.RED
        )
        reasons.append(
            Reason(
                f"SLA met {_fmt(compliance)} in the last 30 days "
                f"({s.sla_met} met, {s.sla_breached} breached; "
                f"{_fmt(t.sla_green_percent)} expected).",
                state,
                Evidence.SLA,
            )
        )
    if s.tickets_opened_last_30_days is None or s.tickets_opened_previous_30_days is None:
        missing.append(Reason("No ticket trend yet.", LayerState.NO_DATA, Evidence.TICKETS))
    else:
        now, before = s.tickets_opened_last_30_days, s.tickets_opened_previous_30_days
        growth = percent(now - before, before) if before else None
        rising = now >= t.ticket_growth_min_tickets and (
            (growth is not None and growth > t.ticket_growth_amber_percent) or (before == 0 and now > 0)
        )
        reasons.append(
            Reason(
                f"{now} tickets opened in the last 30 days, {before} in the 30 before"
                + (" — rising sharply." if rising else "."),
                LayerState.AMBER if rising else LayerState.GREEN,
                Evidence.TICKETS,
            )
        )
    if s.open_tickets_breached:
        reasons.append(
            Reason(
                f"{s.open_tickets_breached} open ticket(s) past an SLA target.",
                LayerState.AMBER,
                Evidence.TICKETS,
            )
        )
    return reasons, missing


def innovation(s: HierarchySignals, t: Thresholds) -> tuple[list[Reason], list[Reason]]:
    work = s.improvements
    if work is None or (work.active + work.stalled + work.completed_recently) == 0:
        proposed = f" ({work.proposed} proposed, not yet agreed)" if work and work.proposed else ""
        return [], [
            Reason(f"No improvement work agreed yet{proposed}.", LayerState.NO_DATA, Evidence.IMPROVEMENTS)
        ]
    reasons: list[Reason] = []
    moving = work.active + work.completed_recently
    if work.stalled and not moving:
        reasons.append(
            Reason(
                f"All {work.stalled} agreed improvement(s) untouched for over "
                f"{t.improvement_stalled_days} days.",
                LayerState.RED,
                Evidence.IMPROVEMENTS,
            )
        )
    elif work.stalled:
        reasons.append(
            Reason(
                f"{work.stalled} agreed improvement(s) untouched for over {t.improvement_stalled_days} days.",
                LayerState.AMBER,
                Evidence.IMPROVEMENTS,
            )
        )
    if moving:
        reasons.append(
            Reason(
                f"{work.active} improvement(s) in progress, {work.completed_recently} completed in the last "
                f"{t.improvement_recent_days} days.",
                LayerState.GREEN,
                Evidence.IMPROVEMENTS,
            )
        )
    return reasons, []


RULES: dict[str, Callable[[HierarchySignals, Thresholds], tuple[list[Reason], list[Reason]]]] = {
    "connectivity": connectivity,
    "security": security,
    "software": software,
    "operating_metrics": operating_metrics,
    "innovation": innovation,
}


def evaluate(signals: HierarchySignals, thresholds: Thresholds | None = None) -> list[Layer]:
    """The five layers, bottom (connectivity) first."""
    t = thresholds or Thresholds()
    layers: list[Layer] = []
    below_green = True
    weakest_below: str | None = None
    for key in LAYER_ORDER:
        reasons, missing = RULES[key](signals, t)
        own = _combine(reasons, missing)
        # Worst first so the first reason says why; the missing ones say what is unknown.
        ordered = sorted(reasons, key=lambda r: -_RANK.get(r.state, 0)) + missing
        shown = own
        if own == LayerState.GREEN and not below_green:
            shown = LayerState.AMBER
            ordered.insert(
                0,
                Reason(
                    f"Rests on {LAYER_LABELS[weakest_below or 'connectivity']}, which is not green.",
                    LayerState.AMBER,
                    Evidence.HIERARCHY,
                ),
            )
        layers.append(Layer(key=key, label=LAYER_LABELS[key], own_state=own, state=shown, reasons=ordered))
        if own != LayerState.GREEN and below_green:
            weakest_below = key
        below_green = below_green and own == LayerState.GREEN
    return layers
