"""The heartbeat ping URL: a cron job or backup script calls it when it has run."""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core import ratelimit
from services.infrastructure.monitoring_actions import record_heartbeat_ping

RATE_SCOPE = "heartbeat-ping"

clock = time.time  # unix time; the tests freeze it


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def heartbeat_ping(request: HttpRequest, token: str) -> HttpResponse:
    """`/monitoring/ping/<token>`: records an "up" result for the heartbeat monitor whose
    token this is (found through the public index by the token's SHA-256). 404 for an
    unknown token, the same whatever the reason, so tokens can't be probed.

    At most `HEARTBEAT_PING_RATE_LIMIT_REQUESTS` pings per token per window are looked at
    (counted before the token is looked up, keyed by its SHA-256, so unknown tokens are
    limited the same way); beyond that 429 with `Retry-After` and nothing is written."""
    decision = ratelimit.take(
        RATE_SCOPE,
        hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest(),
        limit=int(settings.HEARTBEAT_PING_RATE_LIMIT_REQUESTS),
        window_seconds=int(settings.HEARTBEAT_PING_RATE_LIMIT_WINDOW_SECONDS),
        now=clock(),
        redis_url=settings.REDIS_URL,
    )
    if not decision.allowed:
        return HttpResponse(
            "Too many pings: try again later.\n",
            status=429,
            content_type="text/plain",
            headers={"Retry-After": str(decision.retry_after)},
        )
    if not record_heartbeat_ping(token):
        return HttpResponse("Unknown ping URL.\n", status=404, content_type="text/plain")
    return HttpResponse("OK\n", content_type="text/plain")
