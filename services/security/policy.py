"""A client's security response policy: acknowledge / contain / resolve targets per severity.

Targets come from the client's own `SecurityResponseTarget` rows where it has them, else the
MSP's defaults below. Severities measured `around_the_clock` count every second (24x7);
the others count business time on the calendar of the client's service-desk SLA policy (its
business hours and public holidays), or 24x7 when the client has no SLA policy at all.

The engine knows three measures per priority (first response, next update, resolution); a
security clock is one of them on a projection of the incident's event log
(`services.security.clocks`), so each clock gets its own engine policy here.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.catalog.sla_policies import effective_policy_id, engine_policy, load_policy
from services.security.models import SecurityClock, SecurityResponseTarget, Severity
from services.sla import engine
from tenants.models import Client

# MSP defaults in minutes: (acknowledge, contain, resolve, measured 24x7). Critical and high
# run around the clock: an attacker does not keep office hours.
DEFAULT_TARGETS: dict[str, tuple[int | None, int | None, int | None, bool]] = {
    Severity.CRITICAL: (15, 4 * 60, 24 * 60, True),
    Severity.HIGH: (60, 8 * 60, 3 * 24 * 60, True),
    Severity.MEDIUM: (4 * 60, 2 * 8 * 60, 5 * 8 * 60, False),
    Severity.LOW: (8 * 60, 5 * 8 * 60, 10 * 8 * 60, False),
}
# The longest target a client may set (as for SLA policies): a year of minutes.
MAX_TARGET_MINUTES = 365 * 24 * 60


@dataclass(frozen=True)
class SeverityTargets:
    severity: str
    acknowledge_minutes: int | None
    contain_minutes: int | None
    resolve_minutes: int | None
    around_the_clock: bool
    is_default: bool

    def minutes(self, clock: str) -> int | None:
        if clock == SecurityClock.ACKNOWLEDGE:
            return self.acknowledge_minutes
        if clock == SecurityClock.CONTAIN:
            return self.contain_minutes
        return self.resolve_minutes


@dataclass(frozen=True)
class ResponsePolicy:
    """The targets in force for a client, and the calendar business-time severities use."""

    targets: dict[str, SeverityTargets]
    calendar: engine.BusinessCalendar
    calendar_name: str

    @property
    def is_default(self) -> bool:
        return all(target.is_default for target in self.targets.values())

    def engine_policy(self, clock: str) -> engine.SlaPolicy:
        """The engine policy measuring `clock`: acknowledge as the first-response measure,
        contain and resolve as the resolution measure (of their own projections)."""
        around = engine.BusinessCalendar.twenty_four_seven(str(self.calendar.tzinfo), name="24x7")
        per_priority: dict[str, engine.PriorityTargets] = {}
        for severity, target in self.targets.items():
            minutes = target.minutes(clock)
            seconds = None if minutes is None else minutes * 60
            calendar = around if target.around_the_clock else None
            if clock == SecurityClock.ACKNOWLEDGE:
                per_priority[severity] = engine.PriorityTargets(
                    first_response_seconds=seconds, calendar=calendar
                )
            else:
                per_priority[severity] = engine.PriorityTargets(resolution_seconds=seconds, calendar=calendar)
        label = SecurityClock(clock).label.lower()
        return engine.SlaPolicy(
            name=f"Security response ({label})", calendar=self.calendar, targets=per_priority
        )


def default_targets() -> dict[str, SeverityTargets]:
    return {
        str(severity): SeverityTargets(str(severity), ack, contain, resolve, around, True)
        for severity, (ack, contain, resolve, around) in DEFAULT_TARGETS.items()
    }


def client_targets() -> dict[str, SeverityTargets]:
    """The targets in force in the current client schema: its rows over the MSP defaults."""
    targets = default_targets()
    for row in SecurityResponseTarget.objects.all():
        targets[row.severity] = SeverityTargets(
            row.severity,
            row.acknowledge_minutes,
            row.contain_minutes,
            row.resolve_minutes,
            row.around_the_clock,
            False,
        )
    return targets


def business_calendar(client: Client) -> tuple[engine.BusinessCalendar, str]:
    """The calendar of the client's SLA policy (cached engine objects), else 24x7 UTC."""
    policy_id = effective_policy_id(client)
    if policy_id is None:
        return engine.BusinessCalendar.twenty_four_seven("UTC", name="24x7"), "24x7 (no SLA calendar)"
    policy = load_policy(policy_id)
    return engine_policy(policy).calendar, policy.calendar.name


def response_policy(client: Client) -> ResponsePolicy:
    """The client's response policy (run in its schema)."""
    calendar, name = business_calendar(client)
    return ResponsePolicy(targets=client_targets(), calendar=calendar, calendar_name=name)
