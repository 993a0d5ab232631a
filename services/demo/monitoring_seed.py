"""Demo services and monitors that work offline: push and heartbeat monitors with a month
of history, and HTTP monitors of the portal's own /healthz. Past outages and maintenance
are history (written as such, without tickets); today's state comes through the real
`record_check_results`, so the live path is exercised and nothing raises a ticket."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from services.infrastructure import monitoring_actions as actions
from services.infrastructure.monitoring import CheckResultIn, record_check_results
from services.infrastructure.monitoring_models import (
    ClientService,
    MaintenanceWindow,
    Monitor,
    MonitorStateChange,
    Outage,
)
from tenants.actions import msp_url
from tenants.models import Client, User

# name, category, business-critical, promise, monitors: (name, kind, target, interval, history)
# history: list of (days ago, minutes down) outages; "maintenance": (days ago, hours) windows.
SERVICES: list[dict[str, Any]] = [
    {
        "name": "Microsoft 365 mail",
        "category": "collaboration",
        "critical": True,
        "promise": "99.9",
        "monitors": [("Exchange Online mailflow", "push", "", 300, [(11, 38)])],
        "maintenance": [(6, 2)],
    },
    {
        "name": "VPN",
        "category": "connectivity",
        "critical": True,
        "promise": "99.5",
        "monitors": [("VPN concentrator", "push", "", 60, [(19, 95), (3, 12)])],
        "maintenance": [],
    },
    {
        "name": "Office internet",
        "category": "connectivity",
        "critical": False,
        "promise": "99.0",
        "monitors": [("Primary line", "push", "", 60, [(8, 240)])],
        "maintenance": [],
    },
    {
        "name": "Home-office connectivity",
        "category": "connectivity",
        "critical": False,
        "promise": "98.0",
        "monitors": [("Home-office agents", "push", "", 300, [(14, 60), (2, 25)])],
        "maintenance": [],
    },
    {
        "name": "File server backup",
        "category": "line_of_business",
        "critical": False,
        "promise": "99.0",
        "monitors": [("Nightly backup job", "heartbeat", "", 86_400, [])],
        "maintenance": [],
    },
    {
        "name": "Client portal",
        "category": "other",
        "critical": False,
        "promise": "99.9",
        "monitors": [("Portal health", "http", "HEALTHZ", 300, [])],
        "maintenance": [],
    },
]


def _history(monitor: Monitor, start: datetime, now: datetime, outages: list[tuple[int, int]]) -> None:
    """Up since `start`, with the given outages (closed, no ticket: this is the past)."""
    changes = [
        MonitorStateChange(
            monitor=monitor, from_state="unknown", to_state="up", at=start, reason="First check"
        )
    ]
    for days_ago, minutes in sorted(outages, reverse=True):
        began = now - timedelta(days=days_ago, hours=3)
        ended = began + timedelta(minutes=minutes)
        changes += [
            MonitorStateChange(
                monitor=monitor, from_state="up", to_state="down", at=began, reason="No result from the agent"
            ),
            MonitorStateChange(
                monitor=monitor, from_state="down", to_state="up", at=ended, reason="Recovered"
            ),
        ]
        Outage.objects.create(
            monitor=monitor, started_at=began, ended_at=ended, first_message="No result from the agent"
        )
    MonitorStateChange.objects.bulk_create(changes)
    Monitor.objects.filter(pk=monitor.pk).update(created_at=start, state="up", state_since=changes[-1].at)


def seed_monitoring(
    client: Client, technician: User, *, degraded: bool = False, now: datetime | None = None
) -> None:
    """Services and monitors for `client` (inside its schema); does nothing when it has any."""
    if ClientService.objects.exists():
        return
    now = now or timezone.now()
    start = now - timedelta(days=30)
    with transaction.atomic():
        for spec in SERVICES:
            service = actions.create_service(
                client,
                actions.ServiceInput(
                    name=spec["name"],
                    category=spec["category"],
                    is_business_critical=spec["critical"],
                    promised_availability=spec["promise"],
                ),
                actor=technician,
                now=start,
            )
            for name, kind, target, interval, outages in spec["monitors"]:
                monitor = actions.create_monitor(
                    client,
                    service.pk,
                    actions.MonitorInput(
                        name=name,
                        kind=kind,
                        target=msp_url("healthz") if target == "HEALTHZ" else target,
                        interval_seconds=interval,
                    ),
                    actor=technician,
                    now=start,
                )
                _history(monitor, start, now, outages)
                monitor.refresh_from_db()
                status = (
                    "degraded" if degraded and kind == "push" and spec["category"] == "connectivity" else "up"
                )
                record_check_results(
                    client,
                    [
                        CheckResultIn(
                            status=status,
                            observed_at=now - timedelta(seconds=30),
                            monitor_id=monitor.pk,
                            latency_ms=42,
                            message="Slow: 3 of 40 home offices report packet loss"
                            if status == "degraded"
                            else "OK",
                        )
                    ],
                    now=now,
                )
            for days_ago, hours in spec["maintenance"]:
                began = now - timedelta(days=days_ago, hours=1)
                MaintenanceWindow.objects.create(
                    service=service,
                    starts_at=began,
                    ends_at=began + timedelta(hours=hours),
                    reason="Mailbox migration (planned)",
                    created_by_id=technician.pk,
                    created_at=start,
                )
        # One planned window ahead, through the real action.
        mail = ClientService.objects.get(name="Microsoft 365 mail")
        actions.schedule_maintenance(
            client,
            mail.pk,
            actor=technician,
            starts_at=now + timedelta(days=3),
            ends_at=now + timedelta(days=3, hours=2),
            reason="Exchange hybrid certificate renewal",
            now=now,
        )
