"""Reads of outreach: the account manager's board and the client 360's parts.

The board reads public tables only (clients, their outreach profile, follow-ups) and is a
constant number of queries whatever the size of the book (pinned in the tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from services.outreach.models import (
    CheckIn,
    ClientOutreach,
    FollowUp,
    HealthBand,
    HealthSnapshot,
    OutreachSettings,
)
from services.outreach.signals import cadence_days
from tenants.models import LIVE_CLIENT_STATUSES, Client

RISK_ORDER = {HealthBand.AT_RISK: 0, HealthBand.WATCH: 1, HealthBand.NO_DATA: 2, HealthBand.HEALTHY: 3}
DUE_SOON_DAYS = 7


@dataclass
class BoardRow:
    client: Client
    profile: ClientOutreach | None
    cadence_days: int
    next_due_on: date | None
    section: str  # overdue / due_this_week / upcoming
    days_overdue: int
    open_follow_ups: int = 0
    overdue_follow_ups: int = 0


@dataclass
class Board:
    rows: list[BoardRow]
    follow_ups: list[FollowUp] = field(default_factory=list)

    def section(self, name: str) -> list[BoardRow]:
        return [row for row in self.rows if row.section == name]


SECTION_ORDER = {"overdue": 0, "due_this_week": 1, "upcoming": 2}


def _risk_key(row: BoardRow) -> tuple[Any, ...]:
    profile = row.profile
    band = profile.health_band if profile else HealthBand.NO_DATA
    score = profile.health_score if profile and profile.health_score is not None else 101
    return (
        SECTION_ORDER[row.section],
        RISK_ORDER.get(HealthBand(band), 2),
        score,
        -row.days_overdue,
        row.client.name.lower(),
    )


def board(
    clients: QuerySet[Client], owner_id: int | None, *, now: datetime | None = None, limit: int = 200
) -> Board:
    """Overdue, due this week and upcoming clients, each section sorted by risk (health band,
    then score, then how late); and the follow-ups the owner still has to do. 3 queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    settings = OutreachSettings.current()
    rows: list[BoardRow] = []
    listed = list(clients.filter(status__in=LIVE_CLIENT_STATUSES).select_related("outreach").order_by("name"))
    ids = [c.pk for c in listed]
    follow_ups = list(
        FollowUp.objects.filter(client__in=ids, done_at=None)
        .select_related("client", "owner")
        .order_by("due_on", "id")
    )
    counts: dict[int, list[int]] = {}
    for follow_up in follow_ups:
        pair = counts.setdefault(follow_up.client_id, [0, 0])
        pair[0] += 1
        pair[1] += follow_up.due_on < today
    for client in listed:
        profile: ClientOutreach | None = getattr(client, "outreach", None)
        cadence = cadence_days(client, profile, settings)
        due = profile.next_due_on if profile and profile.next_due_on else None
        if due is None:
            start = (profile.last_checkin_at if profile else None) or client.created_at
            due = timezone.localdate(start) + timedelta(days=cadence)
        planned = profile.next_planned_at if profile else None
        if due < today and not (planned and planned >= now):
            section = "overdue"
        elif due <= today + timedelta(days=DUE_SOON_DAYS) or (
            planned and planned <= now + timedelta(days=DUE_SOON_DAYS)
        ):
            section = "due_this_week"
        else:
            section = "upcoming"
        open_count, overdue_count = counts.get(client.pk, [0, 0])
        rows.append(
            BoardRow(
                client=client,
                profile=profile,
                cadence_days=cadence,
                next_due_on=due,
                section=section,
                days_overdue=max(0, (today - due).days),
                open_follow_ups=open_count,
                overdue_follow_ups=overdue_count,
            )
        )
    rows.sort(key=_risk_key)
    mine = [f for f in follow_ups if owner_id is None or f.owner_id == owner_id]
    return Board(rows=rows, follow_ups=mine)


def health_history(client: Client, days: int = 180) -> QuerySet[HealthSnapshot]:
    since = timezone.localdate() - timedelta(days=days)
    return HealthSnapshot.objects.filter(client=client, day__gte=since).order_by("day")


def checkins_of(client: Client, limit: int = 50) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(client=client).select_related("owner").order_by("-created_at")[:limit]


def open_follow_ups_of(client: Client) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(client=client, done_at=None).select_related("owner").order_by("due_on", "id")
    )
