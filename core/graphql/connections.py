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
from graphene.relay import PageInfo
from graphene_django import DjangoConnectionField
from graphene_django.utils import maybe_queryset
from graphql_relay import get_offset_with_default, offset_to_cursor

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


class PageEdge:
    """An edge of a page: its row, and its cursor only when someone asks for it (the SPA's
    lists don't; encoding 100 cursors nobody reads was measurable on a 100-row page)."""

    __slots__ = ("node", "offset")

    def __init__(self, node: Any, offset: int):
        self.node = node
        self.offset = offset

    @property
    def cursor(self) -> str:
        return offset_to_cursor(self.offset)  # type: ignore[no-any-return]


class LazyCountConnectionField(DjangoConnectionField):  # type: ignore[misc]
    """A connection over a queryset that counts only when `totalCount` is selected.

    graphene-django's field runs `COUNT(*)` over every match on each request to compute its
    slice, whether or not anybody asked for the total. Paging forward (`first` / `after`) does
    not need it: this field reads one row past the page to know `hasNextPage`, and leaves the
    count to the connection type (`CappedCountConnection`: only when `totalCount` or
    `totalCountIsCapped` is selected, and at most up to its cap). Paging backwards (`last` /
    `before`) needs the end of the list, so it falls back to the counting implementation.
    """

    @classmethod
    def resolve_connection(
        cls, connection: Any, args: Any, iterable: Any, max_limit: int | None = None
    ) -> Any:
        iterable = maybe_queryset(iterable)
        if (
            not isinstance(iterable, QuerySet)
            or args.get("last") is not None
            or args.get("before") is not None
        ):
            return super().resolve_connection(connection, args, iterable, max_limit=max_limit)
        offset = args.pop("offset", None)
        after = args.get("after")
        start = get_offset_with_default(after, -1) + 1
        if offset:
            start += offset  # graphene's offset: rows skipped after `after`
        first = args.get("first")
        if first is None:
            first = max_limit
        rows = list(iterable[start:] if first is None else iterable[start : start + first + 1])
        has_next = first is not None and len(rows) > first
        page = rows if first is None else rows[:first]
        edges = [PageEdge(row, start + index) for index, row in enumerate(page)]
        result = connection(
            edges=edges,
            page_info=PageInfo(
                start_cursor=offset_to_cursor(start) if edges else None,
                end_cursor=offset_to_cursor(start + len(edges) - 1) if edges else None,
                has_previous_page=False,
                has_next_page=has_next,
            ),
        )
        result.iterable = iterable
        result.length = None  # not counted: the connection type counts when asked
        return result
