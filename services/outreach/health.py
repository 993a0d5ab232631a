"""The health score: signals → sub-scores → weighted score, explained, stored daily.

score = Σ(weight × sub-score) / Σ(weight of the signals that have data). A signal without
data (its source not installed, or nothing to measure yet) keeps its weight out of both
sums: the explanation says so instead of inventing a value. No signal with data → no score.

Every batch is a constant number of queries whatever its size (one per signal, then the
writes in bulk): `recompute_health(clients)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from services.outreach.models import (
    ClientOutreach,
    FollowUp,
    HealthBand,
    HealthSnapshot,
    OutreachSettings,
)
from services.outreach.signals import SIGNALS, Context, Reading, cadence_days
from tenants.models import Client

BAND_ORDER = {HealthBand.AT_RISK: 0, HealthBand.WATCH: 1, HealthBand.HEALTHY: 2}
FALL_FOLLOW_UP_DAYS = 3


@dataclass(frozen=True)
class Health:
    score: int | None
    band: str
    explanation: list[dict[str, Any]]


def band_of(score: int | None, settings: OutreachSettings) -> str:
    if score is None:
        return HealthBand.NO_DATA
    if score < settings.threshold("at_risk_below"):
        return HealthBand.AT_RISK
    if score >= settings.threshold("healthy_from"):
        return HealthBand.HEALTHY
    return HealthBand.WATCH


def score_of(readings: dict[str, Reading | None], settings: OutreachSettings) -> Health:
    """Combine one client's readings into its explained score."""
    total_weight = sum(
        settings.weight(key)
        for key, reading in readings.items()
        if reading is not None and settings.weight(key) > 0
    )
    rows: list[dict[str, Any]] = []
    weighted = 0.0
    for key, signal in SIGNALS.items():
        reading = readings.get(key)
        weight = settings.weight(key)
        row: dict[str, Any] = {
            "key": key,
            "label": signal.label,
            "source": signal.source,
            "rule": signal.rule,
            "weight": weight,
        }
        if reading is None:
            installed = signal.installed()
            row.update(
                hasData=False,
                value=None,
                display="no data" if installed else f"no data ({signal.source} is not connected yet)",
                subscore=None,
                contribution=None,
            )
        else:
            contribution = (weight * reading.subscore / total_weight) if total_weight else 0.0
            weighted += weight * reading.subscore
            row.update(
                hasData=True,
                value=reading.value,
                display=reading.display,
                subscore=reading.subscore,
                contribution=round(contribution, 1),
            )
        rows.append(row)
    score = round(weighted / total_weight) if total_weight else None
    return Health(score=score, band=band_of(score, settings), explanation=rows)


def read_signals(
    clients: Sequence[Client], now: datetime, settings: OutreachSettings
) -> dict[int, dict[str, Reading | None]]:
    ctx = Context(now=now, settings=settings)
    readings: dict[int, dict[str, Reading | None]] = {c.pk: {} for c in clients}
    for key, signal in SIGNALS.items():
        found = signal.read(clients, ctx) if signal.installed() else {}
        for client in clients:
            readings[client.pk][key] = found.get(client.pk)
    return readings


def _fall_reason(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> str:
    """The signals whose contribution fell most (what the account manager should look at)."""
    before = {row["key"]: row for row in old or []}
    drops = []
    for row in new:
        previous = before.get(row["key"])
        if not row["hasData"]:
            continue
        was = (previous or {}).get("subscore")
        if was is None or row["subscore"] < was:
            drops.append(((was or 100) - row["subscore"], row))
    drops.sort(key=lambda item: -item[0])
    parts = [
        f"{row['label']}: {row['display']} (sub-score {row['subscore']:g})" for _, row in drops[:3] if _ > 0
    ]
    return "; ".join(parts) or "several signals moved"


def recompute_health(clients: Sequence[Client], *, now: datetime | None = None) -> dict[int, Health]:
    """Score `clients`, store today's snapshot and the client's current health, and open a
    follow-up for the account manager when the band falls (once per client, band and day)."""
    now = now or timezone.now()
    clients = [c for c in clients if c.is_client]
    if not clients:
        return {}
    settings = OutreachSettings.current()
    readings = read_signals(clients, now, settings)
    results = {c.pk: score_of(readings[c.pk], settings) for c in clients}
    today = timezone.localdate(now)
    with transaction.atomic():
        profiles = {
            p.client_id: p
            for p in ClientOutreach.objects.select_for_update().filter(client__in=[c.pk for c in clients])
        }
        missing = [ClientOutreach(client=c) for c in clients if c.pk not in profiles]
        if missing:
            ClientOutreach.objects.bulk_create(missing, ignore_conflicts=True)
            profiles.update(
                {
                    p.client_id: p
                    for p in ClientOutreach.objects.select_for_update().filter(
                        client__in=[m.client_id for m in missing]
                    )
                }
            )
        follow_ups = []
        for client in clients:
            health = results[client.pk]
            profile = profiles[client.pk]
            old_band = profile.health_band
            if (
                client.account_manager_id
                and old_band in BAND_ORDER
                and health.band in BAND_ORDER
                and BAND_ORDER[health.band] < BAND_ORDER[old_band]  # type: ignore[index]
            ):
                follow_ups.append(
                    FollowUp(
                        client=client,
                        title=f"Health fell to {health.score} ({HealthBand(health.band).label.lower()})",
                        detail=(
                            f"{client.name}'s health fell from {profile.health_score} "
                            f"({HealthBand(old_band).label.lower()}) to {health.score}. "
                            f"Reason: {_fall_reason(profile.health_explanation, health.explanation)}."
                        ),
                        owner_id=client.account_manager_id,
                        due_on=today + timedelta(days=FALL_FOLLOW_UP_DAYS),
                        dedupe_key=f"health-fall:{client.pk}:{health.band}:{today.isoformat()}",
                    )
                )
            if profile.next_due_on is None:
                # A client never checked in with: due one cadence after onboarding.
                start = profile.last_checkin_at or client.created_at
                profile.next_due_on = timezone.localdate(start) + timedelta(
                    days=cadence_days(client, profile, settings)
                )
            profile.health_score = health.score
            profile.health_band = health.band
            profile.health_explanation = health.explanation
            profile.health_computed_at = now
            profile.health_stale = False
            profile.updated_at = now
        ClientOutreach.objects.bulk_update(
            list(profiles.values()),
            [
                "health_score",
                "health_band",
                "health_explanation",
                "health_computed_at",
                "health_stale",
                "next_due_on",
                "updated_at",
            ],
        )
        HealthSnapshot.objects.bulk_create(
            [
                HealthSnapshot(
                    client=client,
                    day=today,
                    score=results[client.pk].score,
                    band=results[client.pk].band,
                    explanation=results[client.pk].explanation,
                    computed_at=now,
                )
                for client in clients
            ],
            update_conflicts=True,
            unique_fields=["client", "day"],
            update_fields=["score", "band", "explanation", "computed_at"],
        )
        if follow_ups:
            # Once: not while an earlier health follow-up of the client is still open.
            open_already = set(
                FollowUp.objects.filter(
                    client__in=[f.client_id for f in follow_ups],
                    done_at=None,
                    dedupe_key__startswith="health-fall:",
                ).values_list("client_id", flat=True)
            )
            FollowUp.objects.bulk_create(
                [f for f in follow_ups if f.client_id not in open_already], ignore_conflicts=True
            )
    return results
