"""Health endpoints (answered before tenant resolution) and structured request logs."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from msp_portal.health import readiness

logger = logging.getLogger("msp_portal.request")


class HealthCheckMiddleware:
    """`/healthz` (the process is up) and `/readyz` (database and broker reachable).

    Answered before tenant resolution and host checks, so load balancers and container
    health checks can call them by IP or container name.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            checks = readiness()
            ok = all(check["ok"] for check in checks.values())
            return JsonResponse(
                {"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503
            )
        return self.get_response(request)


class RequestLogMiddleware:
    """One structured log line per request: method, path, status, duration, tenant, user id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        tenant = getattr(request, "tenant", None)
        user = getattr(request, "user", None)
        logger.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "schema": getattr(tenant, "schema_name", None),
                "user_id": getattr(user, "pk", None) if user is not None and user.is_authenticated else None,
            },
        )
        return response
