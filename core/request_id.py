"""A request id for every HTTP request: set once, put on every log line of the request,
sent back as `X-Request-ID`, and quoted in typed INTERNAL errors so a person can report it."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
# An id from a proxy is kept only when it is short and plain (it ends up in logs).
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str | None:
    return _current.get()


def new_request_id(incoming: str | None = None) -> str:
    return incoming if incoming and _ACCEPTABLE.match(incoming) else uuid.uuid4().hex


class RequestIdMiddleware:
    """First in the chain: every later middleware and view logs with the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = new_request_id(request.headers.get("X-Request-ID"))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Adds `request_id` to every record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get()
        return True
