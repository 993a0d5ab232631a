"""Builders for monitoring tests (through the real actions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.infrastructure import monitoring_actions as actions
from services.infrastructure.monitoring import CheckResultIn, RecordedResults, record_check_results
from services.infrastructure.monitoring_models import ClientService, Monitor
from tenants.models import Client, User

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def service(client: Client, actor: User, name: str = "Microsoft 365 mail", **fields: Any) -> ClientService:
    return actions.create_service(client, actions.ServiceInput(name=name, **fields), actor=actor, now=T0)


def monitor(
    client: Client,
    actor: User,
    svc: ClientService,
    name: str = "Mail push",
    kind: str = "push",
    **fields: Any,
) -> Monitor:
    return actions.create_monitor(
        client, svc.pk, actions.MonitorInput(name=name, kind=kind, **fields), actor=actor, now=T0
    )


def report(
    client: Client, mon: Monitor, *statuses: str, start: datetime, step: timedelta = timedelta(minutes=1)
) -> RecordedResults:
    """One result per status, `step` apart from `start`."""
    results = [
        CheckResultIn(status=s, observed_at=start + i * step, monitor_key=mon.key, message=f"check {i}")
        for i, s in enumerate(statuses)
    ]
    return record_check_results(client, results, now=start + len(statuses) * step)
