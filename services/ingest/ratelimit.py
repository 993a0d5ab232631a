"""Per-client rate limit of ingest requests: `core.ratelimit`'s fixed window, scope "ingest".

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

from django.conf import settings

from core import ratelimit
from core.ratelimit import Decision

SCOPE = "ingest"

__all__ = ["SCOPE", "Decision", "key_for", "take"]


def key_for(client_id: int, window: int) -> str:
    return ratelimit.key_for(SCOPE, str(client_id), window)


def take(client_id: int, *, now: float) -> Decision:
    """Count one request of `client_id` at unix time `now` and say whether it may go on."""
    return ratelimit.take(
        SCOPE,
        str(client_id),
        limit=int(settings.INGEST_RATE_LIMIT_REQUESTS),
        window_seconds=int(settings.INGEST_RATE_LIMIT_WINDOW_SECONDS),
        now=now,
        redis_url=settings.INGEST_RATE_LIMIT_REDIS_URL,
        backoff_seconds=float(settings.INGEST_RATE_LIMIT_BACKOFF_SECONDS),
    )
