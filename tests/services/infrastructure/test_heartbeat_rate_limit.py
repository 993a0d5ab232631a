"""The heartbeat ping URL's rate limit: per token, a fixed window in the real Redis, on a
frozen clock (the view's `clock`), 429 with Retry-After beyond it and nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import redis
from django.conf import settings
from django.test import Client as HttpClient
from django_tenants.utils import tenant_context

from core import ratelimit
from services.infrastructure import monitoring_actions as actions
from services.infrastructure import views
from services.infrastructure.monitoring_models import Monitor
from tests.conftest import World
from tests.services.infrastructure.monitoring_helpers import monitor, service

WINDOW_START = 1_796_083_200  # 2026-12-01 00:00:00 UTC, a multiple of 60


@pytest.fixture(autouse=True)
def clean_windows() -> Iterator[None]:
    def clear() -> None:
        connection = redis.Redis.from_url(settings.REDIS_URL)
        pattern = ratelimit.key_for(views.RATE_SCOPE, "*", 0).rsplit(":", 2)[0] + ":*"
        keys = list(connection.scan_iter(match=pattern))
        if keys:
            connection.delete(*keys)

    ratelimit._skip_until.clear()
    clear()
    yield
    clear()
    ratelimit._skip_until.clear()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    class Clock:
        now = float(WINDOW_START)

    monkeypatch.setattr(views, "clock", lambda: Clock.now)
    return Clock


def heartbeat(world: World, name: str) -> tuple[Monitor, str]:
    with tenant_context(world.a):
        beat = monitor(
            world.a,
            world.technician,
            service(world.a, world.technician, name),
            name,
            "heartbeat",
            interval_seconds=60,
        )
        return beat, actions.ping_token(world.a, beat)


@pytest.mark.django_db
def test_a_job_pinging_once_a_minute_is_never_limited(world: World, clock: Any, settings: Any) -> None:
    settings.HEARTBEAT_PING_RATE_LIMIT_REQUESTS = 2
    _, token = heartbeat(world, "Backup")
    http = HttpClient()
    for minute in range(30):
        clock.now = WINDOW_START + minute * 60 + 59.5  # late in each window, the worst case
        assert http.get(f"/monitoring/ping/{token}").status_code == 200


@pytest.mark.django_db
def test_pings_beyond_the_limit_get_429_with_retry_after_and_write_nothing(
    world: World, clock: Any, settings: Any
) -> None:
    settings.HEARTBEAT_PING_RATE_LIMIT_REQUESTS = 3
    settings.HEARTBEAT_PING_RATE_LIMIT_WINDOW_SECONDS = 60
    beat, token = heartbeat(world, "Backup")
    other, other_token = heartbeat(world, "Nightly export")
    http = HttpClient()
    clock.now = WINDOW_START + 15.2
    assert [http.post(f"/monitoring/ping/{token}").status_code for _ in range(3)] == [200, 200, 200]
    with tenant_context(world.a):
        beat.refresh_from_db()
    recorded = beat.last_result_at
    clock.now = WINDOW_START + 20.0
    refused = http.get(f"/monitoring/ping/{token}")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "40"
    with tenant_context(world.a):
        beat.refresh_from_db()
        assert beat.last_result_at == recorded  # nothing written for the refused ping
    # Per token: another heartbeat of the same client is unaffected.
    assert http.get(f"/monitoring/ping/{other_token}").status_code == 200
    # Unknown tokens are counted the same way (their own window), then refused before lookup.
    assert [http.get(f"/monitoring/ping/{token}x").status_code for _ in range(4)] == [404, 404, 404, 429]
    # The next window lets the first token through again.
    clock.now = WINDOW_START + 60.0
    assert http.get(f"/monitoring/ping/{token}").status_code == 200
    with tenant_context(world.a):
        beat.refresh_from_db()
        assert beat.last_result_at is not None and recorded is not None
        assert beat.last_result_at > recorded - timedelta(seconds=1)
        other.refresh_from_db()
        assert other.state == "up"


@pytest.mark.django_db
def test_zero_turns_the_limit_off(world: World, clock: Any, settings: Any) -> None:
    settings.HEARTBEAT_PING_RATE_LIMIT_REQUESTS = 0
    _, token = heartbeat(world, "Backup")
    http = HttpClient()
    assert {http.get(f"/monitoring/ping/{token}").status_code for _ in range(15)} == {200}


@pytest.mark.django_db
def test_without_redis_pings_are_let_through(world: World, clock: Any, settings: Any) -> None:
    settings.HEARTBEAT_PING_RATE_LIMIT_REQUESTS = 1
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    _, token = heartbeat(world, "Backup")
    http = HttpClient()
    assert [http.get(f"/monitoring/ping/{token}").status_code for _ in range(3)] == [200, 200, 200]
