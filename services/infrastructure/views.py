"""The heartbeat ping URL: a cron job or backup script calls it when it has run."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from services.infrastructure.monitoring_actions import record_heartbeat_ping


@csrf_exempt
@require_http_methods(["GET", "POST", "HEAD"])
def heartbeat_ping(request: HttpRequest, token: str) -> HttpResponse:
    """`/monitoring/ping/<token>`: records an "up" result for the heartbeat monitor whose
    token this is (found through the public index by the token's SHA-256). 404 for an
    unknown token, the same whatever the reason, so tokens can't be probed."""
    if not record_heartbeat_ping(token):
        return HttpResponse("Unknown ping URL.\n", status=404, content_type="text/plain")
    return HttpResponse("OK\n", content_type="text/plain")
