"""The execution context every GraphQL request runs in.

`PortalExecutionContext` is graphql-sync-dataloaders' context (sync DataLoaders, so a list
costs a constant number of queries) with one addition: **plain fields are read directly**.
graphql-core resolves every field the same way — a resolve-info object, the field's
arguments, the middleware, the resolver, then `complete_value` — about 10 µs a field; a
100-row queue page has ~2,200 fields (ids, titles, deadlines, states, the row's client and
assignee) that are nothing but attributes of rows already in memory.

A field takes the direct path only when that path gives exactly what the general one would:

- it is below the root (root fields always pass the gate in `core.graphql.middleware`);
- it has no arguments (so the middleware's argument checks have nothing to check);
- its resolver is graphene's default attribute/dict resolver, a relay `id` of a
  `DjangoObjectType` (the row's primary key as a global id), or a resolver marked
  `@row_value` — a promise that it reads only the row in hand (and rows loaded with it),
  needs no `info` and runs no query;
- its type is a scalar or an enum (serialised with the type's own `serialize`, as
  `complete_leaf_value` does), or an object type without an `is_type_of` or with
  graphene-django's (called first, as `complete_object_value` does); an object's own fields
  are then executed the same way, and DataLoader futures among them are waited for as the
  general path waits for them;
- the only middleware mounted is `FieldMiddleware`, whose remaining job below the root is to
  run a tenant row's resolvers inside that row's schema — so for a tenant row the value is
  read only when it is already a loaded column in the instance (no query is possible); a
  deferred column, a related row, a property or anything else on a tenant row goes the
  general way;
- a `@row_value` resolver of a tenant row runs only when the row's schema is the current
  one (the middleware would not switch either); it is called with `info=None`, so one that
  needs `info` after all fails and the general path answers instead;
- a null for a non-null field, an exception, or a value the type cannot serialise goes the
  general way, which reports it as graphql-core would; an error inside a direct object's
  fields is handled as `execute_field` handles it (a non-null field's error goes up).

`tests/core/graphql/test_execution.py` checks the SPA's documents give byte-identical answers
with and without the direct path, and errors and DataLoader batches on a schema of its own.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar, cast

from django.db.models.query_utils import DeferredAttribute
from graphene.relay.node import GlobalID
from graphene.types.resolver import attr_resolver, dict_or_attr_resolver, dict_resolver
from graphene_django.types import DjangoObjectType
from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLObjectType,
    GraphQLOutputType,
    is_leaf_type,
    is_non_null_type,
    located_error,
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
    """Mark a field's resolver as reading only the row in hand (and rows loaded with it): no
    `info`, no arguments, no query. The executor may then call it directly — for a scalar or
    enum, or for an object whose own fields it then executes."""
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
    """How to read one plain field of a selection directly: a scalar or enum (`read`), or an
    object whose own fields are then executed (`value_of`, `child_type`)."""

    __slots__ = ("attname", "call", "child_type", "default", "field_type", "kind", "non_null", "serialize")

    def __init__(
        self,
        attname: str,
        default: Any,
        kind: str,
        non_null: bool,
        serialize: Any,
        call: Callable[[Any], Any] | None = None,
        child_type: GraphQLObjectType | None = None,
        field_type: Any = None,
    ):
        self.attname = attname
        self.default = default
        self.kind = kind  # "attr", "dict", "dict_or_attr" (graphene's resolvers), "call"
        self.non_null = non_null
        self.serialize = serialize
        self.call = call
        self.child_type = child_type
        self.field_type = field_type

    def value_of(self, source: Any, row: RowFacts | None = None) -> Any:
        """What the field's resolver would return, or `_SLOW` when the general path must
        resolve it (a tenant row's unloaded column or a row of another schema; an error)."""
        if row is None:
            row = RowFacts(source)
        try:
            if self.call is not None:
                return _SLOW if row.other_schema else self.call(source)
            if row.is_dict:
                return _SLOW if self.kind == "attr" else source.get(self.attname, self.default)
            if self.kind == "dict":
                return _SLOW
            if row.schema is not None:
                # A tenant row: only a column already loaded, never a query.
                values, attname = row.values, self.attname
                if attname not in values or not reads_instance_dict(type(source), attname):
                    return _SLOW
                return values[attname]
            return getattr(source, self.attname, self.default)
        except Exception:
            return _SLOW

    def read(self, source: Any, row: RowFacts | None = None) -> Any:
        """The serialised value, or `_SLOW` when the general path must decide."""
        value = self.value_of(source, row)
        if value is None:
            return _SLOW if self.non_null else None
        if value is _SLOW or value is Undefined or isinstance(value, (Exception, SyncFuture)):
            return _SLOW
        try:
            serialized = self.serialize(value)
        except Exception:
            return _SLOW
        if serialized is None or serialized is Undefined:
            return _SLOW
        return serialized


class RowFacts:
    """What every direct read of one object's fields needs to know, worked out once."""

    __slots__ = ("is_dict", "other_schema", "schema", "values")

    def __init__(self, source: Any):
        self.is_dict = isinstance(source, dict)
        values = None if self.is_dict else getattr(source, "__dict__", None)
        self.values: Any = values
        self.schema = values.get(SCHEMA_ATTRIBUTE) if values is not None else None
        # A tenant row of a schema other than the current one: its resolvers must switch.
        self.other_schema = self.schema is not None and self.schema != current_schema_name()


def remembered(serialize: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`serialize` remembering its answers by value's type and value (for enums and relay ids,
    whose serialisation depends on nothing else): a plan lives for one request, so does this."""
    answers: dict[tuple[type, Any], Any] = {}

    def serialize_remembered(value: Any) -> Any:
        key = (type(value), value)
        try:
            return answers[key]
        except KeyError:
            answer = answers[key] = serialize(value)
            return answer
        except TypeError:  # unhashable
            return serialize(value)

    return serialize_remembered


def is_default_resolver(resolver: Any) -> bool:
    return (
        isinstance(resolver, partial)
        and resolver.func in _DEFAULT_RESOLVERS
        and len(resolver.args) == 2
        and not resolver.keywords
    )


def checks_its_rows_simply(object_type: GraphQLObjectType) -> bool:
    """No `is_type_of`, or graphene-django's (a model-class check that needs no `info`); the
    direct path calls it as graphql-core would before completing the object."""
    check = object_type.is_type_of
    return check is None or getattr(check, "__func__", None) is DjangoObjectType.is_type_of.__func__


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
    resolver: Any = field_def.resolve
    name = node.name.value
    if isinstance(inner, GraphQLObjectType):
        if not checks_its_rows_simply(inner):
            return None
        extra = {"child_type": inner, "field_type": field_type}
        if getattr(resolver, ROW_VALUE, False):
            return Leaf(name, None, "call", non_null, None, call=partial(resolver, info=None), **extra)
        if is_default_resolver(resolver):
            attname, default = resolver.args
            return Leaf(attname, default, _DEFAULT_RESOLVERS[resolver.func], non_null, None, **extra)
        return None
    if not is_leaf_type(inner):
        return None
    serialize = remembered(inner.serialize) if isinstance(inner, GraphQLEnumType) else inner.serialize
    if getattr(resolver, ROW_VALUE, False):
        return Leaf(name, None, "call", non_null, serialize, call=partial(resolver, info=None))
    if not isinstance(resolver, partial):
        return None
    if is_default_resolver(resolver):
        attname, default = resolver.args
        return Leaf(attname, default, _DEFAULT_RESOLVERS[resolver.func], non_null, serialize)
    if (
        resolver.func == GlobalID.id_resolver
        and len(resolver.args) == 2
        and resolver.args[0] is DjangoObjectType.resolve_id
    ):
        type_name = resolver.keywords.get("parent_type_name") or parent_type.name
        return Leaf(name, None, "call", non_null, serialize, call=GlobalIds(resolver.args[1], type_name))
    return None


class GlobalIds:
    """A `DjangoObjectType`'s relay id, as `GlobalID.id_resolver` gives it, from a loaded pk
    (remembered by pk: the same assignee on many rows is encoded once)."""

    def __init__(self, node_type: Any, type_name: str):
        self.node_type = node_type
        self.type_name = type_name
        self.answers: dict[Any, str] = {}

    def __call__(self, row: Any) -> str:
        values = row.__dict__
        pk = values.get(row._meta.pk.attname, _SLOW) if SCHEMA_ATTRIBUTE in values else row.pk
        if pk is _SLOW:
            raise LookupError("primary key not loaded")
        answer = self.answers.get(pk)
        if answer is None:
            answer = self.answers[pk] = self.node_type.to_global_id(self.type_name, pk)
        return answer


def is_row_of(object_type: GraphQLObjectType, value: Any) -> bool:
    check = object_type.is_type_of
    if check is None:
        return True
    try:
        return bool(check(value, None))  # type: ignore[arg-type]
    except Exception:
        return False  # the general path reports it


def merged(results: dict[str, Any], general: dict[str, Any]) -> dict[str, Any]:
    """`results` with its general fields filled in from `general` (absent there: left out)."""
    answer = {}
    for name, value in results.items():
        if value is _SLOW:
            if name in general:
                answer[name] = general[name]
        else:
            answer[name] = value
    return answer


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
        results: dict[str, Any] = {}  # in the document's order; _SLOW marks the general ones
        general: dict[str, list[Any]] = {}
        pending: list[tuple[str, SyncFuture, Leaf, list[Any], Path]] = []
        row = RowFacts(source_value)
        for name, nodes in fields.items():
            leaf = plan[name]
            if leaf is not None:
                if leaf.child_type is None:
                    value = leaf.read(source_value, row)
                    if value is not _SLOW:
                        results[name] = value
                        continue
                else:
                    value = leaf.value_of(source_value, row)
                    if value is None and not leaf.non_null:
                        results[name] = None
                        continue
                    if value is not None and value is not _SLOW and is_row_of(leaf.child_type, value):
                        child_path = Path(path, name, parent_type.name)
                        completed = self.complete_child(leaf, nodes, child_path, value)
                        if isinstance(completed, SyncFuture):
                            pending.append((name, completed, leaf, nodes, child_path))
                        results[name] = completed
                        continue
            results[name] = _SLOW
            general[name] = nodes
        if not general and not pending:
            return results
        rest = super().execute_fields(parent_type, source_value, path, general) if general else {}
        if not pending and not isinstance(rest, SyncFuture):
            return merged(results, rest)
        return self.when_settled(results, rest, pending)

    def complete_child(self, leaf: Leaf, nodes: list[Any], child_path: Path, value: Any) -> Any:
        """An object field read directly: its own fields executed, errors handled as
        graphql-core's `execute_field` handles them (a non-null one propagates)."""
        child_type = cast(GraphQLObjectType, leaf.child_type)
        try:
            completed = self.execute_fields(
                child_type, value, child_path, self.collect_subfields(child_type, nodes)
            )
            if isinstance(completed, SyncFuture) and completed.done():
                completed = completed.result()
            return completed
        except Exception as raw_error:
            self.handle_field_error(located_error(raw_error, nodes, child_path.as_list()), leaf.field_type)
            return None

    def when_settled(
        self,
        results: dict[str, Any],
        rest: Any,
        pending: list[tuple[str, SyncFuture, Leaf, list[Any], Path]],
    ) -> Any:
        """A future of the merged answer once the general fields and direct objects waiting
        for a DataLoader batch are done (or the answer now, when they already are)."""
        future = SyncFuture()
        waiting = len(pending) + (1 if isinstance(rest, SyncFuture) and not rest.done() else 0)
        general: dict[str, Any] = {}

        def settle() -> None:
            nonlocal waiting
            waiting -= 1
            if waiting == 0 and not future.done():
                future.set_result(merged(results, general))

        def settle_general() -> None:
            try:
                general.update(rest.result())
            except Exception as exc:  # a non-null general field: the error goes up
                if not future.done():
                    future.set_exception(exc)
                return
            settle()

        def settle_child(
            name: str, child: SyncFuture, leaf: Leaf, nodes: list[Any], child_path: Path
        ) -> None:
            try:
                results[name] = child.result()
            except Exception as raw_error:
                try:
                    error = located_error(raw_error, nodes, child_path.as_list())
                    self.handle_field_error(error, leaf.field_type)
                except Exception as exc:  # a non-null field: the error goes up
                    if not future.done():
                        future.set_exception(exc)
                    return
                results[name] = None
            settle()

        if isinstance(rest, SyncFuture):
            if rest.done():
                general.update(rest.result())
            else:
                rest.add_done_callback(settle_general)
        else:
            general.update(rest)
        for entry in pending:
            entry[1].add_done_callback(partial(settle_child, *entry))
        if waiting == 0:
            return merged(results, general)
        return future

    # graphql-sync-dataloaders runs mutations' and queries' fields alike.
    execute_fields_serially = execute_fields
