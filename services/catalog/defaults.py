"""A sensible starting catalog, created once (idempotent) so a new MSP can work at once."""

from __future__ import annotations

from django.db import transaction

from services.catalog.models import BusinessCalendar, Priority, SlaPolicy, SlaTarget, WorkingWindow

# Targets in business minutes: (first response, next update, resolution, measured 24x7).
STANDARD_TARGETS = {
    Priority.P1: (30, 60, 4 * 60, True),
    Priority.P2: (60, 4 * 60, 8 * 60, False),
    Priority.P3: (4 * 60, 8 * 60, 3 * 8 * 60, False),
    Priority.P4: (8 * 60, None, 5 * 8 * 60, False),
}


def ensure_default_catalog() -> SlaPolicy:
    """The "Standard" policy on a UK business-hours calendar (the default for clients)."""
    with transaction.atomic():
        calendar, created = BusinessCalendar.objects.get_or_create(
            name="UK business hours",
            defaults={"timezone": "Europe/London", "holiday_country": "GB", "holiday_subdivision": "ENG"},
        )
        if created:
            WorkingWindow.objects.bulk_create(
                [
                    window
                    for weekday in range(5)
                    for window in (
                        WorkingWindow(
                            calendar=calendar, weekday=weekday, start_minute=9 * 60, end_minute=12 * 60 + 30
                        ),
                        WorkingWindow(
                            calendar=calendar, weekday=weekday, start_minute=13 * 60, end_minute=17 * 60 + 30
                        ),
                    )
                ]
            )
        BusinessCalendar.objects.get_or_create(name="Around the clock", defaults={"always_open": True})
        policy, created = SlaPolicy.objects.get_or_create(
            name="Standard",
            defaults={
                "calendar": calendar,
                "warning_thresholds": [0.75, 0.9],
                "is_default": not SlaPolicy.objects.filter(is_default=True).exists(),
                "description": "P1 around the clock; P2–P4 in UK business hours with public holidays.",
            },
        )
        if created:
            SlaTarget.objects.bulk_create(
                [
                    SlaTarget(
                        policy=policy,
                        priority=priority,
                        first_response_minutes=first,
                        next_update_minutes=update,
                        resolution_minutes=resolution,
                        around_the_clock=around,
                    )
                    for priority, (first, update, resolution, around) in STANDARD_TARGETS.items()
                ]
            )
    return policy
