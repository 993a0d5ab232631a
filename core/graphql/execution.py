"""The execution context every GraphQL request runs in.

`PortalExecutionContext` is graphql-sync-dataloaders' context (sync DataLoaders, so a list
costs a constant number of queries) with one addition: **plain leaf fields are read
directly**. graphql-core resolves every field the same way — a resolve-info object, the
field's arguments, the middleware, the resolver, then `complete_value` — about 10 µs a
field; a 100-row queue page has ~1,500 scalar fields (ids, titles, deadlines, states) that
are nothing but attributes of a row already in memory.

A field takes the direct path only when that path gives exactly what the general one would:

- it is below the root (root fields always pass the gate in `core.graphql.middleware`);
- it has no arguments (so the middleware's argument checks have nothing to check);
- its type is a scalar or an enum (possibly non-null), and its resolver is graphene's
  default attribute/dict resolver, a relay `id` of a `DjangoObjectType` (the row's primary
  key as a global id), or a resolver marked `@row_value` — a promise that it reads only the
  row in hand (and rows loaded with it), needs no `info` and runs no query;
- the only middleware mounted is `FieldMiddleware`, whose remaining job below the root is to
  run a tenant row's resolvers inside that row's schema — so for a tenant row the value is
  read only when it is already a loaded column in the instance (no query is possible); a
  deferred column, a property or anything else on a tenant row goes the general way;
- a `@row_value` resolver of a tenant row runs only when the row's schema is the current
  one (the middleware would not switch either); it is called with `info=None`, so one that
  needs `info` after all fails and the general path answers instead;
- the value is not null (a null for a non-null field, an exception, or a value the type
  cannot serialise goes the general way, which reports it as graphql-core would).

The value is serialised with the type's own `serialize`, as `complete_leaf_value` does.
`tests/core/graphql/test_execution.py` checks the SPA's documents give byte-identical answers
with and without the direct path.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from django.db.models.query_utils import DeferredAttribute
from graphene.relay.node import GlobalID
from graphene.types.resolver import attr_resolver, dict_or_attr_resolver, dict_resolver
from graphene_django.types import DjangoObjectType
from graphql import (
    GraphQLError,
    GraphQLObjectType,
    GraphQLOutputType,
    is_leaf_type,
    is_non_null_type,
)
from graphql.execution.execute import get_field_def
from graphql.pyutils import Path, Undefined
from graphql_sync_dataloaders import DeferredExecutionContext
from graphql_sync_dataloaders.sync_future import SyncFuture

from core.graphql.middleware import FieldMiddleware
from core.tenancy import SCHEMA_ATTRIBUTE, current_schema_name

_SLOW = object()  # "take the general path for this field"
_DEFAULT_RESOLVERS = {attr_resolver: "attr", dict_or_attr_resolver: "dict_or_attr", dict_resolver: "dict"}
ROW_VALUE = "_graphql_row_value"

F = TypeVar("F", bound=Callable[..., Any])


def row_value(resolver: F) -> F:
    """Mark a leaf field's resolver as reading only the row in hand (and rows loaded with it):
    no `info`, no arguments, no query. The executor may then call it directly."""
    setattr(resolver, ROW_VALUE, True)
    return resolver


# (class, attribute name) -> whether reading the attribute of an instance gives what is in
# the instance's __dict__ when the name is there (no property or other data descriptor in
# the way; Django's column descriptors read the __dict__ first).
_plain_attribute: dict[tuple[type, str], bool] = {}


def reads_instance_dict(cls: type, attname: str) -> bool:
    key = (cls, attname)
    known = _plain_attribute.get(key)
    if known is None:
        attr = inspect.getattr_static(cls, attname, None)
        known = (
            attr is None
            or isinstance(attr, DeferredAttribute)
            or not (hasattr(type(attr), "__set__") or hasattr(type(attr), "__delete__"))
        )
        _plain_attribute[key] = known
    return known


class Leaf:
    """How to read one plain leaf field of a selection directly."""

    __slots__ = ("attname", "call", "default", "kind", "non_null", "serialize")

    def __init__(
        self,
        attname: str,
        default: Any,
        kind: str,
        non_null: bool,
        serialize: Any,
        call: Callable[[Any], Any] | None = None,
    ):
        self.attname = attname
        self.default = default
        self.kind = kind  # "attr", "dict", "dict_or_attr" (graphene's resolvers), "call"
        self.non_null = non_null
        self.serialize = serialize
        self.call = call

    def read(self, source: Any) -> Any:
        """The serialised value, or `_SLOW` when the general path must decide."""
        attname = self.attname
        try:
            if self.call is not None:
                values = getattr(source, "__dict__", None)
                schema = values.get(SCHEMA_ATTRIBUTE) if values is not None else None
                if schema is not None and schema != current_schema_name():
                    return _SLOW
                value = self.call(source)
            elif isinstance(source, dict):
                if self.kind == "attr":
                    return _SLOW
                value = source.get(attname, self.default)
            elif self.kind == "dict":
                return _SLOW
            else:
                values = getattr(source, "__dict__", None)
                if values is not None and SCHEMA_ATTRIBUTE in values:
                    # A tenant row: only a column already loaded, never a query.
                    if attname not in values or not reads_instance_dict(type(source), attname):
                        return _SLOW
                    value = values[attname]
                else:
                    value = getattr(source, attname, self.default)
            if value is None or value is Undefined or isinstance(value, (Exception, SyncFuture)):
                return None if value is None and not self.non_null else _SLOW
            serialized = self.serialize(value)
        except Exception:
            return _SLOW
        if serialized is None or serialized is Undefined:
            return _SLOW
        return serialized


def plain_leaf(schema: Any, parent_type: GraphQLObjectType, field_nodes: list[Any]) -> Leaf | None:
    node = field_nodes[0]
    if node.arguments:
        return None
    field_def = get_field_def(schema, parent_type, node)
    if field_def is None or field_def.args:
        return None
    field_type: Any = field_def.type
    non_null = is_non_null_type(field_type)
    inner: Any = field_type.of_type if non_null else field_type
    if not is_leaf_type(inner):
        return None
    resolver: Any = field_def.resolve
    name = node.name.value
    if getattr(resolver, ROW_VALUE, False):
        return Leaf(name, None, "call", non_null, inner.serialize, call=partial(resolver, info=None))
    if not isinstance(resolver, partial):
        return None
    if resolver.func in _DEFAULT_RESOLVERS and len(resolver.args) == 2 and not resolver.keywords:
        attname, default = resolver.args
        return Leaf(attname, default, _DEFAULT_RESOLVERS[resolver.func], non_null, inner.serialize)
    if (
        resolver.func == GlobalID.id_resolver
        and len(resolver.args) == 2
        and resolver.args[0] is DjangoObjectType.resolve_id
    ):
        node_type, type_name = resolver.args[1], resolver.keywords.get("parent_type_name") or parent_type.name
        return Leaf(
            name, None, "call", non_null, inner.serialize, call=partial(global_id, node_type, type_name)
        )
    return None


def global_id(node_type: Any, type_name: str, row: Any) -> str:
    """A `DjangoObjectType`'s relay id, as `GlobalID.id_resolver` gives it (from a loaded pk)."""
    values = row.__dict__
    pk = values.get(row._meta.pk.attname, _SLOW) if SCHEMA_ATTRIBUTE in values else row.pk
    if pk is _SLOW:
        raise LookupError("primary key not loaded")
    return node_type.to_global_id(type_name, pk)  # type: ignore[no-any-return]


class PortalExecutionContext(DeferredExecutionContext):  # type: ignore[misc]
    DIRECT_LEAVES = True  # tests turn it off to compare answers with the general path

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        middlewares = list(manager.middlewares) if manager is not None else []
        # Direct reads are only equivalent under the project's own middleware (or none).
        self.direct_leaves = self.DIRECT_LEAVES and all(isinstance(m, FieldMiddleware) for m in middlewares)
        # id(fields) -> (fields, {response name: Leaf or None}, any Leaf?)
        self._leaf_plans: dict[int, tuple[Any, dict[str, Leaf | None], bool]] = {}

    def handle_field_error(
        self, error: GraphQLError, return_type: GraphQLOutputType, path: Path | None = None
    ) -> None:
        """graphql-sync-dataloaders 0.1.1 calls `handle_field_error(error, return_type)`;
        graphql-core 3.2.14 added a `path` argument. Rebuild the path from the error."""
        if path is None:
            for key in error.path or []:
                path = Path(path, key, None)
        super().handle_field_error(error, return_type, path)

    def leaf_plan(
        self, parent_type: GraphQLObjectType, fields: dict[str, list[Any]]
    ) -> tuple[dict[str, Leaf | None], bool]:
        # collect_subfields caches the `fields` dict per selection, so every row of a list
        # shares one plan; the plan keeps `fields` alive so its id is not reused.
        entry = self._leaf_plans.get(id(fields))
        if entry is None or entry[0] is not fields:
            plan = {name: plain_leaf(self.schema, parent_type, nodes) for name, nodes in fields.items()}
            entry = (fields, plan, any(leaf is not None for leaf in plan.values()))
            self._leaf_plans[id(fields)] = entry
        return entry[1], entry[2]

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        fields: dict[str, list[Any]],
    ) -> Any:
        if path is None or not self.direct_leaves:
            return super().execute_fields(parent_type, source_value, path, fields)
        plan, has_leaves = self.leaf_plan(parent_type, fields)
        if not has_leaves:
            return super().execute_fields(parent_type, source_value, path, fields)
        direct: dict[str, Any] = {}
        general: dict[str, list[Any]] = {}
        for name, nodes in fields.items():
            leaf = plan[name]
            if leaf is not None:
                value = leaf.read(source_value)
                if value is not _SLOW:
                    direct[name] = value
                    continue
            general[name] = nodes
        if not general:
            return direct
        rest = super().execute_fields(parent_type, source_value, path, general)

        def merge(rest: dict[str, Any]) -> dict[str, Any]:
            # The answer keeps the document's field order.
            return {
                name: direct[name] if name in direct else rest[name]
                for name in fields
                if name in direct or name in rest
            }

        if not isinstance(rest, SyncFuture):
            return merge(rest)
        if rest.done():
            return merge(rest.result())
        future = SyncFuture()
        rest.add_done_callback(lambda: future.set_result(merge(rest.result())))
        return future

    # graphql-sync-dataloaders runs mutations' and queries' fields alike.
    execute_fields_serially = execute_fields
