"""Typed errors, in one place.

- Queries: a `GraphQLError` whose `extensions.code` says what happened. Resolvers raise
  `AccessDenied` (or an `ActionError`); `format_error` turns it into a coded error.
- Mutations: an `errors` list of `{field, message, code}`, with one code enum per app that
  always contains the common codes below (see `core.graphql.mutations.BaseMutation`).
- Anything unexpected becomes code `INTERNAL` with the request id the person can quote;
  the traceback is logged once with that id. No exception text ever reaches the client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import graphene
from graphql import GraphQLError

from core.availability import DATABASE_UNAVAILABLE
from core.availability import MESSAGE as UNAVAILABLE_MESSAGE
from core.errors import AccessDenied, ActionError, FieldError
from core.request_id import current_request_id

logger = logging.getLogger("core.graphql")

T = TypeVar("T")

# Every app's error enum has these; an app adds its own.
COMMON_ERROR_CODES = (
    "REQUIRED",
    "INVALID",
    "TOO_LONG",
    "NOT_FOUND",
    "PERMISSION_DENIED",
    "OTP_REQUIRED",
    "NOT_AUTHENTICATED",
    "INTERNAL",
)

# Codes of errors raised before execution (documented in docs/architecture.md).
REQUEST_ERROR_CODES = (
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "QUERY_TOO_DEEP",
    "QUERY_TOO_COMPLEX",
    "TOO_MANY_ALIASES",
    "PAGE_TOO_LARGE",
    "INTROSPECTION_DISABLED",
    "SERVICE_UNAVAILABLE",
)


def internal_message(request_id: str | None = None) -> str:
    request_id = request_id or current_request_id() or "unknown"
    return (
        "Something went wrong on our side and nothing was changed. "
        f"If it happens again, quote request id {request_id}."
    )


def log_unexpected(exc: BaseException, where: str) -> str:
    """Log the traceback once with the request id; return the id to show."""
    request_id = current_request_id() or "unknown"
    logger.error("unexpected error in %s", where, exc_info=exc, extra={"request_id": request_id})
    return request_id


def query_error(exc: AccessDenied) -> GraphQLError:
    return GraphQLError(str(exc), extensions={"code": exc.code})


def guard_query(fn: Callable[[], T]) -> T:
    """Run a query resolver body; access problems become a coded GraphQL error."""
    try:
        return fn()
    except AccessDenied as exc:
        raise query_error(exc) from None


def format_error(error: Exception) -> dict[str, Any]:
    """The JSON of one error in a response: typed, and never raw exception text."""
    if not isinstance(error, GraphQLError):
        request_id = log_unexpected(error, "graphql request")
        return {
            "message": internal_message(request_id),
            "extensions": {"code": "INTERNAL", "requestId": request_id},
        }
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        formatted: dict[str, Any] = dict(error.formatted)
        extensions: dict[str, Any] = dict(formatted.get("extensions") or {})
        if original is not None and isinstance(original, GraphQLError):
            extensions = {**dict(original.extensions or {}), **extensions}
        if "code" not in extensions:
            # Errors about the request itself (bad variables, unknown fields) carry no code of
            # their own from graphql-core; the view tags parse errors before they get here.
            extensions["code"] = "INVALID" if error.path else "GRAPHQL_VALIDATION_FAILED"
        formatted["extensions"] = extensions
        return formatted
    if isinstance(original, DATABASE_UNAVAILABLE):
        return {
            **_located(error),
            "message": UNAVAILABLE_MESSAGE,
            "extensions": {"code": "SERVICE_UNAVAILABLE", "requestId": current_request_id() or "unknown"},
        }
    if isinstance(original, AccessDenied):
        return {**_located(error), "message": str(original), "extensions": {"code": original.code}}
    if isinstance(original, ActionError):
        first = original.errors[0]
        return {
            **_located(error),
            "message": first.message,
            "extensions": {"code": first.code, "field": first.field},
        }
    request_id = log_unexpected(original, f"field {'.'.join(str(p) for p in error.path or [])}")
    return {
        **_located(error),
        "message": internal_message(request_id),
        "extensions": {"code": "INTERNAL", "requestId": request_id},
    }


def _located(error: GraphQLError) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    return {key: formatted[key] for key in ("locations", "path") if key in formatted}


def error_codes(app_codes: Iterable[str]) -> list[str]:
    """The common codes followed by an app's own, without repeats."""
    codes = list(COMMON_ERROR_CODES)
    codes.extend(code for code in app_codes if code not in codes)
    return codes


def error_fields(code_enum: type[graphene.Enum]) -> dict[str, Any]:
    return {
        "field": graphene.String(description="The input field at fault (camelCase), or null."),
        "message": graphene.String(required=True, description="What was wrong and what to do."),
        "code": code_enum(required=True),
    }


def error_type(name: str, app_codes: Iterable[str], description: str) -> type[graphene.ObjectType]:
    """An app's error type `<name>` with its code enum `<name>Code` (common codes included)."""
    codes = error_codes(app_codes)
    enum = graphene.Enum(f"{name}Code", [(code, code) for code in codes])
    error_class = type(name, (graphene.ObjectType,), {**error_fields(enum), "__doc__": description})
    error_class.codes = frozenset(codes)  # type: ignore[attr-defined]
    return error_class


def to_error_list(
    exc: Exception, error_cls: type[graphene.ObjectType], allowed: set[str] | None = None
) -> list[Any]:
    """Map an action's exception onto the mutation's error type, codes limited to its enum."""
    allowed = allowed if allowed is not None else set(getattr(error_cls, "codes", ()))
    if isinstance(exc, ActionError):
        items = exc.errors
    elif isinstance(exc, AccessDenied):
        items = [FieldError(exc.code, str(exc))]
    else:
        raise exc
    return [
        error_cls(
            field=item.field, message=item.message, code=item.code if item.code in allowed else "INVALID"
        )
        for item in items
    ]
