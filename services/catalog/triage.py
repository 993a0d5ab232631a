"""Impact × urgency → priority, with business-critical requesters raising urgency a step."""

from __future__ import annotations

from dataclasses import dataclass

from services.catalog.models import Impact, Priority, TriageRule, Urgency

# The ITIL default, used for any cell the MSP has not configured.
DEFAULT_MATRIX: dict[tuple[str, str], str] = {
    (Impact.HIGH, Urgency.HIGH): Priority.P1,
    (Impact.HIGH, Urgency.MEDIUM): Priority.P2,
    (Impact.HIGH, Urgency.LOW): Priority.P3,
    (Impact.MEDIUM, Urgency.HIGH): Priority.P2,
    (Impact.MEDIUM, Urgency.MEDIUM): Priority.P3,
    (Impact.MEDIUM, Urgency.LOW): Priority.P4,
    (Impact.LOW, Urgency.HIGH): Priority.P3,
    (Impact.LOW, Urgency.MEDIUM): Priority.P4,
    (Impact.LOW, Urgency.LOW): Priority.P4,
}
URGENCY_STEP_UP = {Urgency.LOW: Urgency.MEDIUM, Urgency.MEDIUM: Urgency.HIGH, Urgency.HIGH: Urgency.HIGH}


@dataclass(frozen=True)
class TriageResult:
    priority: str
    reason: dict[str, object]


def triage(impact: str, urgency: str, *, business_critical_requester: bool) -> TriageResult:
    """The priority for a request, and how it was derived (stored on the ticket)."""
    effective_urgency = URGENCY_STEP_UP[Urgency(urgency)] if business_critical_requester else Urgency(urgency)
    configured = (
        TriageRule.objects.filter(impact=impact, urgency=effective_urgency)
        .values_list("priority", flat=True)
        .first()
    )
    priority = configured or DEFAULT_MATRIX[(Impact(impact), effective_urgency)]
    return TriageResult(
        priority=str(priority),
        reason={
            "impact": impact,
            "urgency": urgency,
            "effective_urgency": str(effective_urgency),
            "business_critical_requester": business_critical_requester,
            "source": "matrix" if configured else "default matrix",
        },
    )
