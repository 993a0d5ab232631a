"""Typed errors for queries (GraphQLError with an `extensions.code`) and mutations
(an `errors` list of `{field, message, code}` with a code enum per app)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import graphene
from graphql import GraphQLError

from core.errors import AccessDenied, ActionError, FieldError

T = TypeVar("T")


def query_error(exc: AccessDenied) -> GraphQLError:
    return GraphQLError(str(exc), extensions={"code": exc.code})


def guard_query(fn: Callable[[], T]) -> T:
    """Run a query resolver body; access problems become a coded GraphQL error."""
    try:
        return fn()
    except AccessDenied as exc:
        raise query_error(exc) from None


def error_fields(code_enum: type[graphene.Enum]) -> dict[str, Any]:
    return {
        "field": graphene.String(description="The input field at fault (camelCase), or null."),
        "message": graphene.String(required=True, description="What was wrong and what to do."),
        "code": code_enum(required=True),
    }


def to_error_list(exc: Exception, error_type: type[graphene.ObjectType], allowed: set[str]) -> list[Any]:
    """Map an action's exception onto the mutation's error type, codes limited to its enum."""
    if isinstance(exc, ActionError):
        items = exc.errors
    elif isinstance(exc, AccessDenied):
        items = [FieldError(exc.code, str(exc))]
    else:
        raise exc
    return [
        error_type(
            field=item.field, message=item.message, code=item.code if item.code in allowed else "INVALID"
        )
        for item in items
    ]
