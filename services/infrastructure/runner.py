"""Runs a client's due checks: network checks in parallel threads (each bounded by its
monitor's timeout), heartbeat deadlines from the monitor's last ping, then records every
result in one call of `record_check_results`."""

from __future__ import annotations

import ssl
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from django.utils import timezone

from core.tenancy import require_schema
from services.infrastructure import checks
from services.infrastructure.monitoring import CheckResultIn, RecordedResults, record_check_results
from services.infrastructure.monitoring_models import Monitor, MonitorKind
from tenants.models import Client

MAX_THREADS = 16


def _run_one(monitor: Monitor, ssl_context: ssl.SSLContext | None) -> tuple[datetime, checks.CheckOutcome]:
    started = timezone.now()
    if monitor.kind == MonitorKind.HTTP:
        outcome = checks.check_http(
            monitor.target,
            timeout=monitor.timeout_seconds,
            expected_status=monitor.expected_status,
            keyword=monitor.keyword,
            cert_warning_days=monitor.cert_warning_days,
            now=started,
            ssl_context=ssl_context,
        )
    else:
        outcome = checks.check_tcp(monitor.target, timeout=monitor.timeout_seconds)
    return started, outcome


def heartbeat_deadline(monitor: Monitor) -> datetime:
    last = monitor.last_result_at if monitor.last_result_status in ("up", "degraded") else None
    base = last or monitor.created_at
    return base + timedelta(seconds=monitor.interval_seconds + monitor.heartbeat_grace_seconds)


def run_checks(
    client: Client,
    monitor_ids: Sequence[int],
    *,
    now: datetime | None = None,
    ssl_context: ssl.SSLContext | None = None,
) -> RecordedResults:
    """Check `monitor_ids` of `client` now (inside its schema). Paused monitors, monitors of
    archived services and push monitors are skipped; a heartbeat is reported missed only
    when its deadline really passed (a ping may have arrived since it was claimed)."""
    require_schema(client)
    now = now or timezone.now()
    monitors = list(
        Monitor.objects.filter(pk__in=monitor_ids, is_paused=False, service__is_active=True).order_by("pk")
    )
    results: list[CheckResultIn] = []
    network = [m for m in monitors if m.kind in (MonitorKind.HTTP, MonitorKind.TCP)]
    for monitor in monitors:
        if monitor.kind == MonitorKind.HEARTBEAT and now >= heartbeat_deadline(monitor):
            last_ping = monitor.last_result_at if monitor.last_result_status in ("up", "degraded") else None
            missed = checks.missed_heartbeat(last_ping, monitor.created_at)
            results.append(
                CheckResultIn(status="down", observed_at=now, monitor_id=monitor.pk, message=missed.message)
            )
    if network:
        with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(network))) as pool:
            outcomes = list(pool.map(lambda m: _run_one(m, ssl_context), network))
        certs: list[Monitor] = []
        for monitor, (started, outcome) in zip(network, outcomes, strict=True):
            results.append(
                CheckResultIn(
                    status=outcome.status,
                    observed_at=started,
                    monitor_id=monitor.pk,
                    latency_ms=outcome.latency_ms,
                    message=outcome.message,
                )
            )
            if outcome.cert_expires_at is not None and outcome.cert_expires_at != monitor.cert_expires_at:
                monitor.cert_expires_at = outcome.cert_expires_at
                certs.append(monitor)
        if certs:
            Monitor.objects.bulk_update(certs, ["cert_expires_at"])
    return record_check_results(client, results, now=timezone.now() if now is None else now)
