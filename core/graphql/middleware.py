"""graphene middleware that every field resolution goes through.

- `RootFieldGate`: every root query and mutation field is denied until the person passes the
  gate (signed in, second factor verified where required) unless it is on an explicit list
  of public fields (sign-in, OTP verification and enrolment, invitation acceptance, logout,
  `viewer`). A new field is therefore protected without anyone remembering to protect it.
- `RowSchemaMiddleware`: a tenant row's fields resolve inside the schema the row was loaded
  from (see `core.tenancy`), so a resolver reading a relation lazily reads the right
  client's tables even though the root resolver that loaded the row has returned.
- `QueryTextArguments`: a NUL byte in any text argument of a query is a typed INVALID
  error before the resolver runs (PostgreSQL can't compare text with NUL; mutations get the
  same check, as a payload error, from the base mutation).
- `ConnectionArguments`: a connection's paging arguments are checked before its resolver
  runs (`first`/`last`/`offset` not negative, `after`/`before` a cursor this API issued): a typed
  INVALID error instead of an exception from graphql-relay.
- `FieldMiddleware`: the four above as one layer, which is what the project mounts.
  graphql-core calls every middleware around every field it resolves (a 100-row queue page
  resolves ~2,200 fields), so one call that skips what cannot apply — the gate below the root,
  the argument checks on fields without arguments, the schema switch for rows that are not a
  client's or are already in their schema — instead of four nested calls per field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet
from django.db.models.manager import BaseManager
from graphql import GraphQLError, OperationType
from graphql_relay import cursor_to_offset

from core.errors import AccessDenied
from core.tenancy import current_schema_name, in_schema, schema_of

INTROSPECTION_FIELDS = frozenset({"__schema", "__type", "__typename"})


class RootFieldGate:
    """Deny root fields not on `public_fields` unless `check(user)` passes.

    `check` raises `AccessDenied` (with codes such as NOT_AUTHENTICATED or OTP_REQUIRED);
    the project wires in the identity app's gate, so this module imports no app.
    """

    def __init__(self, check: Callable[[Any], Any], public_fields: Iterable[str]):
        self.check = check
        self.public_fields = frozenset(public_fields)

    def resolve(self, next_: Callable[..., Any], root: Any, info: Any, **args: Any) -> Any:
        if info.path.prev is None:
            self.check_root_field(info)
        return next_(root, info, **args)

    def check_root_field(self, info: Any) -> None:
        name = info.field_name
        if name not in self.public_fields and name not in INTROSPECTION_FIELDS:
            try:
                self.check(info.context.user)
            except AccessDenied as exc:
                raise GraphQLError(str(exc), extensions={"code": exc.code}) from None


class RowSchemaMiddleware:
    def resolve(self, next_: Callable[..., Any], root: Any, info: Any, **args: Any) -> Any:
        schema = schema_of(root) if root is not None else None
        if schema is None:
            return next_(root, info, **args)
        return resolve_in_schema(schema, next_, root, info, args)


def resolve_in_schema(
    schema: str, next_: Callable[..., Any], root: Any, info: Any, args: dict[str, Any]
) -> Any:
    """`next_` inside `schema` (no switch when already there), lazy querysets read inside it."""
    if current_schema_name() == schema:
        return _read_lazy(next_(root, info, **args))
    with in_schema(schema):
        return _read_lazy(next_(root, info, **args))


def _read_lazy(result: Any) -> Any:
    # A lazy queryset would otherwise be read after the schema is left again.
    if isinstance(result, BaseManager):
        return list(result.all())
    if isinstance(result, QuerySet):
        return list(result)
    return result


class ConnectionArguments:
    def resolve(self, next_: Callable[..., Any], root: Any, info: Any, **args: Any) -> Any:
        check_connection_arguments(args)
        return next_(root, info, **args)


def check_connection_arguments(args: dict[str, Any]) -> None:
    for name in ("first", "last", "offset"):
        value = args.get(name)
        if value is not None and value < 0:
            raise GraphQLError(
                f"`{name}` must be zero or more.", extensions={"code": "INVALID", "field": name}
            )
    for name in ("after", "before"):
        value = args.get(name)
        offset = cursor_to_offset(value) if isinstance(value, str) else None
        if value is not None and (offset is None or offset < 0):
            raise GraphQLError(
                f"`{name}` is not a cursor from this list.", extensions={"code": "INVALID", "field": name}
            )


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(item) for item in value)
    return False


class QueryTextArguments:
    def resolve(self, next_: Callable[..., Any], root: Any, info: Any, **args: Any) -> Any:
        if args:
            check_text_arguments(info, args)
        return next_(root, info, **args)


def check_text_arguments(info: Any, args: dict[str, Any]) -> None:
    if info.operation.operation is OperationType.QUERY:
        for name, value in args.items():
            if _has_nul(value):
                raise GraphQLError(
                    "Remove the NUL character (\\0) from this text.",
                    extensions={"code": "INVALID", "field": name},
                )


class FieldMiddleware:
    """`RootFieldGate`, `RowSchemaMiddleware`, `QueryTextArguments` and `ConnectionArguments`,
    in that order, as one middleware (see the module's docstring)."""

    def __init__(self, gate: RootFieldGate):
        self.gate = gate

    def resolve(self, next_: Callable[..., Any], root: Any, info: Any, **args: Any) -> Any:
        if info.path.prev is None:
            self.gate.check_root_field(info)
        if args:
            check_text_arguments(info, args)
            check_connection_arguments(args)
        if root is None:
            return next_(root, info, **args)
        schema = schema_of(root)
        if schema is None:
            return next_(root, info, **args)
        return resolve_in_schema(schema, next_, root, info, args)
