"""The pure SLA engine: business calendars, business-time arithmetic and event-sourced SLA clocks.

Nothing here touches Django or a database; everything is deterministic given its arguments.
See docs/sla.md for the conventions it implements. This package's ``__all__`` is the engine's
public interface (docs/sla.md lists it module by module); the modules also hold helpers for
the engine's own use (epoch-second arithmetic, explanation text).
"""

from .businesstime import (
    BusinessTimeError,
    add_business_seconds,
    business_intervals_between,
    business_seconds_between,
    is_business_instant,
    next_business_instant,
)
from .calendar import BusinessCalendar, CalendarError, WorkingWindow
from .clock import (
    ClockExplanation,
    ClockName,
    ClockState,
    ClockStatus,
    EventKind,
    ExcludedSegment,
    PriorityTargets,
    RecordedJudgement,
    SlaClocks,
    SlaEvent,
    SlaEventLogError,
    SlaPolicy,
    SlaPolicyError,
    TargetMeasure,
    compliance_percent,
    evaluate_sla_clocks,
    keep_judgement,
)
from .warning_stages import (
    DEFAULT_WARNING_FRACTIONS,
    WarningStage,
    next_warning_at,
    normalise_fractions,
    warning_stage,
    warning_stage_at,
    warning_stage_for,
    warning_threshold_seconds,
)

__all__ = [
    "DEFAULT_WARNING_FRACTIONS",
    "BusinessCalendar",
    "BusinessTimeError",
    "CalendarError",
    "ClockExplanation",
    "ClockName",
    "ClockState",
    "ClockStatus",
    "EventKind",
    "ExcludedSegment",
    "PriorityTargets",
    "RecordedJudgement",
    "SlaClocks",
    "SlaEvent",
    "SlaEventLogError",
    "SlaPolicy",
    "SlaPolicyError",
    "TargetMeasure",
    "WarningStage",
    "WorkingWindow",
    "add_business_seconds",
    "business_intervals_between",
    "business_seconds_between",
    "compliance_percent",
    "evaluate_sla_clocks",
    "is_business_instant",
    "keep_judgement",
    "next_business_instant",
    "next_warning_at",
    "normalise_fractions",
    "warning_stage",
    "warning_stage_at",
    "warning_stage_for",
    "warning_threshold_seconds",
]
