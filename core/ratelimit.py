"""A fixed-window request counter in Redis, shared by every web process.

`take(scope, ident, limit=…, window_seconds=…, now=…)` counts one request of `ident` in the
window containing unix time `now` (key `<prefix>:<scope>-rate:<ident>:<window number>`,
expiring with its window) and says whether it is within `limit`. A limit of 0 or less turns
it off. Redis unreachable: the request is let through and the limiter stays out of the way
for `backoff_seconds`, so an outage costs one short timeout per process, not one per request.
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

_clients: dict[str, Any] = {}
_skip_until: dict[str, float] = {}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the window ends (the Retry-After of a 429)


def _redis(url: str) -> Any:
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    return _clients[url]


def key_for(scope: str, ident: str, window: int) -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "msp")
    return f"{prefix}:{scope}-rate:{ident}:{window}"


def take(
    scope: str,
    ident: str,
    *,
    limit: int,
    window_seconds: int,
    now: float,
    redis_url: str,
    backoff_seconds: float = 10.0,
) -> Decision:
    """Count one request of `ident` at unix time `now` and say whether it may go on."""
    window_seconds = max(1, int(window_seconds))
    window = int(now // window_seconds)
    retry_after = max(1, math.ceil((window + 1) * window_seconds - now))
    if limit <= 0 or time.monotonic() < _skip_until.get(scope, 0.0):
        return Decision(True, limit, max(limit, 0), retry_after)
    key = key_for(scope, ident, window)
    try:
        pipe = _redis(redis_url).pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, window_seconds + 1)
        count = int(pipe.execute()[0])
    except redis.RedisError as exc:
        _skip_until[scope] = time.monotonic() + backoff_seconds
        logger.warning(
            "rate limit unavailable, requests let through",
            extra={"scope": scope, "error": type(exc).__name__},
        )
        return Decision(True, limit, limit, retry_after)
    return Decision(count <= limit, limit, max(0, limit - count), retry_after)
