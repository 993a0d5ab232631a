"""Checks against real loopback servers, and the runner that records them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django_tenants.utils import tenant_context

from services.infrastructure import checks
from services.infrastructure.monitoring_models import Monitor
from services.infrastructure.runner import run_checks
from tests.conftest import World
from tests.services.infrastructure.loopback import (
    closed_port,
    http_server,
    self_signed,
    silent_server,
    tcp_listener,
)
from tests.services.infrastructure.monitoring_helpers import T0, monitor, service


def test_http_up_status_and_keyword() -> None:
    with http_server() as base:
        up = checks.check_http(f"{base}/health", timeout=2, keyword="OPERATIONAL")
        assert (up.status, up.message) == ("up", "HTTP 200.") and up.latency_ms is not None
        missing = checks.check_http(f"{base}/health", timeout=2, keyword="maintenance")
        assert missing.status == "down" and "not on the page" in missing.message
        error = checks.check_http(f"{base}/status/503", timeout=2)
        assert (error.status, error.message) == ("down", "HTTP 503 (expected 2xx or 3xx).")
        expected = checks.check_http(f"{base}/status/401", timeout=2, expected_status=401)
        assert expected.status == "up"
        redirect = checks.check_http(f"{base}/status/302", timeout=2)
        assert redirect.status == "up"


def test_http_refused_and_timeout() -> None:
    refused = checks.check_http(f"http://{closed_port()}/", timeout=2)
    assert (refused.status, refused.message) == ("down", "Connection refused.")
    with silent_server() as url:
        slow = checks.check_http(url, timeout=0.3)
    assert (slow.status, slow.message) == ("down", "Timed out after 0.3 s.")


def test_https_certificate_expiry_and_trust(tmp_path: Path) -> None:
    server, trusting = self_signed(tmp_path, days=5)
    with http_server(server) as base:
        soon = checks.check_http(f"{base}/", timeout=2, cert_warning_days=14, ssl_context=trusting)
        assert soon.status == "degraded" and "certificate expires in 4 days" in soon.message
        assert soon.cert_expires_at is not None
        assert timedelta(days=4) < soon.cert_expires_at - datetime.now(UTC) <= timedelta(days=5)
        off = checks.check_http(f"{base}/", timeout=2, cert_warning_days=0, ssl_context=trusting)
        assert off.status == "up"
        untrusted = checks.check_http(f"{base}/", timeout=2)
        assert untrusted.status == "down" and untrusted.message.startswith("Certificate not trusted")


def test_tcp_open_and_closed() -> None:
    with tcp_listener() as target:
        assert checks.check_tcp(target, timeout=2).status == "up"
    closed = checks.check_tcp(closed_port(), timeout=2)
    assert (closed.status, closed.message) == ("down", "Connection refused.")


@pytest.mark.django_db
def test_runner_checks_and_records_results(world: World) -> None:
    with http_server() as base, tcp_listener() as port, tenant_context(world.a):
        svc = service(world.a, world.technician)
        web = monitor(
            world.a, world.technician, svc, "Portal", "http", target=f"{base}/health", keyword="OPERATIONAL"
        )
        tcp = monitor(world.a, world.technician, svc, "VPN port", "tcp", target=port, timeout_seconds=2)
        dead = monitor(
            world.a, world.technician, svc, "Old port", "tcp", target=closed_port(), failures_to_down=1
        )
        beat = monitor(world.a, world.technician, svc, "Backup job", "heartbeat", interval_seconds=3600)
        now = datetime.now(UTC)
        outcome = run_checks(world.a, [web.pk, tcp.pk, dead.pk, beat.pk], now=now)
        states = dict(Monitor.objects.values_list("name", "state"))
        # The heartbeat's first ping is not due yet (created at T0 + an hour + grace is past,
        # so it is missed: created long before `now`).
        assert states == {"Portal": "up", "VPN port": "up", "Old port": "down", "Backup job": "down"}
        assert outcome.accepted == 4 and outcome.outages_opened == 2
        assert Monitor.objects.get(pk=beat.pk).last_message.startswith("No ping received since")


@pytest.mark.django_db
def test_a_heartbeat_not_yet_due_is_left_alone(world: World) -> None:
    with tenant_context(world.a):
        beat = monitor(
            world.a,
            world.technician,
            service(world.a, world.technician),
            "Backup",
            "heartbeat",
            interval_seconds=3600,
        )
        outcome = run_checks(world.a, [beat.pk], now=T0 + timedelta(minutes=30))
        assert outcome.accepted == 0
