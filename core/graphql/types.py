"""Building blocks every app's GraphQL types use: enums from model choices, counted
connections, and the conversion of graphene enum arguments to stored values."""

from __future__ import annotations

from typing import Any

import graphene
from graphene import relay


def enum_value(value: Any) -> Any:
    """Graphene hands enum arguments over as enum members; actions take the stored value."""
    return getattr(value, "value", value)


def enum_from_choices(name: str, choices: Any, description: str) -> type[graphene.Enum]:
    """A GraphQL enum named `name` whose members are a Django `TextChoices`' values (upper-cased)."""
    return graphene.Enum(name, [(value.upper(), value) for value in choices.values], description=description)


def code_enum(name: str, codes: list[str]) -> type[graphene.Enum]:
    """An app's error-code enum."""
    return graphene.Enum(name, [(code, code) for code in codes])


class CountedConnection(relay.Connection):
    class Meta:
        abstract = True

    total_count = graphene.Int(required=True, description="All matches, not just this page.")

    def resolve_total_count(root, info: Any) -> int:
        return int(root.length)


class CappedCountConnection(CountedConnection):
    """A connection whose total is counted only when asked for, and only up to a cap.

    With `LazyCountConnectionField` nothing is counted unless `totalCount` or
    `totalCountIsCapped` is selected; then one `COUNT(*)` over at most `count_cap + 1` rows
    (`SELECT COUNT(*) FROM (… LIMIT cap + 1)`), so the cost stops growing with the matches.
    Past the cap `totalCount` is the cap and `totalCountIsCapped` is true: "10,000+".
    """

    class Meta:
        abstract = True

    total_count_is_capped = graphene.Boolean(
        required=True,
        description="True when there are more matches than `totalCount` (counting stopped at its cap).",
    )

    count_cap = 10_000

    @staticmethod
    def capped_total(root: Any) -> tuple[int, bool]:
        cached = getattr(root, "_capped_total", None)
        if cached is None:
            if root.length is not None:
                cached = (int(root.length), False)
            else:
                cap = type(root).count_cap
                found = root.iterable.order_by()[: cap + 1].count()
                cached = (min(found, cap), found > cap)
            root._capped_total = cached
        return cached  # type: ignore[no-any-return]

    def resolve_total_count(root, info: Any) -> int:
        return CappedCountConnection.capped_total(root)[0]

    def resolve_total_count_is_capped(root, info: Any) -> bool:
        return CappedCountConnection.capped_total(root)[1]


def idempotency_key_argument() -> graphene.String:
    """The optional `idempotencyKey` of a mutation that creates something (core.idempotency).
    Its length is checked with the other texts (`max_lengths`: `IDEMPOTENCY_KEY_MAX`)."""
    return graphene.String(
        description="One per form submission (a UUID made by the browser), the same for every retry of "
        "it: the submission sent again answers with the first one's result and stores nothing twice."
    )


class HistoryChange(graphene.ObjectType):
    field = graphene.String(required=True)
    before = graphene.String()
    after = graphene.String()


class HistoryEntryType(graphene.ObjectType):
    """One recorded change of one row (core/history.py): written by database triggers."""

    class Meta:
        name = "HistoryEntry"

    at = graphene.DateTime(required=True)
    kind = graphene.String(required=True, description="created, changed or deleted")
    subject = graphene.String(required=True, description="What kind of row: Ticket, Client, Membership…")
    label = graphene.String(required=True, description="The row in words.")
    actor_name = graphene.String(required=True, description="Who did it; empty when no signed-in person did.")
    changes = graphene.List(graphene.NonNull(HistoryChange), required=True)
