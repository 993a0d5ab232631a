"""Fixtures of the ingest tests: a fixed clock, clean rate-limit windows, token senders."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import redis
from django.conf import settings

from core import ratelimit as core_ratelimit
from services.ingest import ratelimit, views
from services.ingest.actions import create_token
from tenants.models import Client
from tests.services.ingest.helpers import NOW, Sender


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setattr(views, "clock", lambda: NOW)
    return NOW


@pytest.fixture(autouse=True)
def clean_rate_limit() -> Iterator[None]:
    """Each test starts with empty rate-limit windows (the counters live in the real Redis)."""

    def clear() -> None:
        connection = redis.Redis.from_url(settings.INGEST_RATE_LIMIT_REDIS_URL)
        keys = list(
            connection.scan_iter(match=ratelimit.key_for(0, 0).split(":ingest-rate:")[0] + ":ingest-rate:*")
        )
        if keys:
            connection.delete(*keys)

    core_ratelimit._skip_until.clear()
    clear()
    yield
    clear()


@pytest.fixture
def sender(world: Any) -> Any:
    """`sender(client=world.a)` → a Sender with a fresh token of that client."""

    def make(client: Client | None = None, *, host: str = "testserver") -> Sender:
        created = create_token(client or world.a, actor=world.admin, name="Test RMM")
        return Sender(key_id=created.token.key_id, secret=created.secret, host=host)

    return make
