"""Relay connections over rows of a client's schema.

`DjangoConnectionField` counts and slices the queryset *after* the root resolver has
returned, i.e. after it has left the client's schema (`client_schema(...)`), so the page
would be read from whatever schema the connection is on then. A resolver of a
`TenantConnectionField` returns `InSchema(queryset)` from inside the schema instead; the
count and the page are then read in that schema (and the rows remember it, so their
fields resolve there too: `core.tenancy`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from graphene_django import DjangoConnectionField

from core.tenancy import current_schema_name, in_schema


@dataclass
class InSchema:
    """A queryset and the schema it must be read in (the current one by default)."""

    queryset: QuerySet[Any]
    schema_name: str = field(default_factory=current_schema_name)


class TenantConnectionField(DjangoConnectionField):  # type: ignore[misc]
    """A connection whose resolver returns `InSchema`: paged and counted in that schema."""

    @classmethod
    def resolve_queryset(cls, connection: Any, iterable: Any, info: Any, args: Any) -> Any:
        if isinstance(iterable, InSchema):
            return iterable  # filtered by the resolver already (it authorises what it returns)
        return super().resolve_queryset(connection, iterable, info, args)

    @classmethod
    def resolve_connection(
        cls, connection: Any, args: Any, iterable: Any, max_limit: int | None = None
    ) -> Any:
        if isinstance(iterable, InSchema):
            with in_schema(iterable.schema_name):
                return super().resolve_connection(connection, args, iterable.queryset, max_limit=max_limit)
        return super().resolve_connection(connection, args, iterable, max_limit=max_limit)
