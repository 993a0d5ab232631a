"""Per-client rate limit of ingest requests: a fixed window counted in Redis.

`INGEST_RATE_LIMIT_REQUESTS` requests per `INGEST_RATE_LIMIT_WINDOW_SECONDS` per client
(0 turns the limit off). The counter key names the client and the window
(`<prefix>:ingest-rate:<client id>:<window number>`), so every web process shares it, and
it expires with its window. A request over the limit is answered 429 with `Retry-After`,
the seconds until the window ends.

Redis unreachable: the request is let through (monitoring data matters more than the
limit) and the limiter stays out of the way for `INGEST_RATE_LIMIT_BACKOFF_SECONDS`, so
a Redis outage costs at most one short timeout per process, not one per request.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings

logger = logging.getLogger(__name__)

_client: Any = None
_skip_until = 0.0


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the window ends (the Retry-After of a 429)


def _redis() -> Any:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(
            settings.INGEST_RATE_LIMIT_REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
        )
    return _client


def key_for(client_id: int, window: int) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "msp")
    return f"{prefix}:ingest-rate:{client_id}:{window}"


def take(client_id: int, *, now: float) -> Decision:
    """Count one request of `client_id` at unix time `now` and say whether it may go on."""
    global _skip_until
    limit = int(settings.INGEST_RATE_LIMIT_REQUESTS)
    window_seconds = max(1, int(settings.INGEST_RATE_LIMIT_WINDOW_SECONDS))
    window = int(now // window_seconds)
    retry_after = max(1, math.ceil((window + 1) * window_seconds - now))
    if limit <= 0 or time.monotonic() < _skip_until:
        return Decision(True, limit, limit, retry_after)
    key = key_for(client_id, window)
    try:
        pipe = _redis().pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, window_seconds + 1)
        count = int(pipe.execute()[0])
    except redis.RedisError as exc:
        _skip_until = time.monotonic() + float(settings.INGEST_RATE_LIMIT_BACKOFF_SECONDS)
        logger.warning(
            "ingest rate limit unavailable, requests let through", extra={"error": type(exc).__name__}
        )
        return Decision(True, limit, limit, retry_after)
    return Decision(count <= limit, limit, max(0, limit - count), retry_after)
