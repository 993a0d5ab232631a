"""When PostgreSQL is away: a clear 503, never a 500 page or a traceback.

`DatabaseUnavailableMiddleware` answers every request that failed because the database
could not be reached (`django.db.OperationalError` / `InterfaceError`): an HTML page for
browsers, a typed GraphQL error `SERVICE_UNAVAILABLE` on `/graphql/`, JSON for clients
that ask for it, each with `Retry-After`. The failure may happen in a view (caught by
`process_exception`) or in a middleware before any view runs, such as the tenant lookup by
host name; Django turns the latter into a 500 response inside the inner middleware, so a
`got_request_exception` receiver marks the request and this middleware swaps the answer.

Connections come back by themselves once the server is up again: `CONN_HEALTH_CHECKS`
makes Django test a persistent connection before reusing it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django import db
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse, JsonResponse

from core.request_id import current_request_id

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (db.OperationalError, db.InterfaceError)
RETRY_AFTER_SECONDS = 30
MESSAGE = "The portal cannot reach its database right now. Nothing was changed; try again in a minute."

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Service unavailable</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 36rem; margin: 4rem auto; padding: 0 1rem">
<h1>The portal is briefly unavailable</h1>
<p>{message}</p>
<p>If it lasts, tell your MSP and quote request id <code>{request_id}</code>.</p>
</body></html>
"""


def unavailable_response(request: HttpRequest) -> HttpResponse:
    request_id = current_request_id() or "unknown"
    response: HttpResponse
    if request.path.startswith("/graphql"):
        response = JsonResponse(
            {
                "errors": [
                    {
                        "message": MESSAGE,
                        "extensions": {"code": "SERVICE_UNAVAILABLE", "requestId": request_id},
                    }
                ]
            },
            status=503,
        )
    elif "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse(
            {"status": "unavailable", "message": MESSAGE, "requestId": request_id}, status=503
        )
    else:
        response = HttpResponse(
            PAGE.format(message=MESSAGE, request_id=request_id), status=503, content_type="text/html"
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _mark(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Sent while Django handles an exception raised anywhere inside the middleware chain."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_UNAVAILABLE):
        request._database_unavailable = True  # type: ignore[attr-defined]


got_request_exception.connect(_mark, dispatch_uid="core.availability.mark")


class DatabaseUnavailableMiddleware:
    """Turns "the database is unreachable" into a 503 (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "_database_unavailable", False):
            logger.warning("database unavailable", extra={"path": request.path})
            return unavailable_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning("database unavailable", extra={"path": request.path})
            return unavailable_response(request)
        return None
