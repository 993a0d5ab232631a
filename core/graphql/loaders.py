"""A per-request registry of DataLoaders; each domain schema registers its batch functions."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from graphql_sync_dataloaders import SyncDataLoader
from graphql_sync_dataloaders.sync_future import SyncFuture

from core.tenancy import current_schema_name, in_schema

BatchFn = Callable[[Sequence[Any]], Sequence[Any]]


class Loaders:
    """Created once per GraphQL request: batching and caching last for that request only."""

    def __init__(self) -> None:
        self._loaders: dict[Hashable, SyncDataLoader] = {}

    def get(self, key: Hashable, batch_fn: BatchFn) -> SyncDataLoader:
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = SyncDataLoader(batch_fn)
        return loader


def loader(info: Any, batch_fn: BatchFn) -> SyncDataLoader:
    """The request's loader for `batch_fn` in the current schema.

    The batch runs later, when the executor dispatches it, possibly after the resolver has
    left the client's schema: it runs in the schema that was active when its keys were
    asked for, and loaders of different schemas never share a batch."""
    registry = getattr(info.context, "loaders", None)
    if registry is None:
        registry = info.context.loaders = Loaders()
    schema = current_schema_name()

    def batch_in_schema(keys: Sequence[Any]) -> Sequence[Any]:
        with in_schema(schema):
            return batch_fn(keys)

    return registry.get((batch_fn, schema), batch_in_schema)


def then(source: SyncFuture, transform: Callable[[Any], Any]) -> SyncFuture:
    """A future for `transform(result of source)`; keeps the batch dispatch hook, so the
    executor still triggers the loader's single batched query."""
    if source.done():
        result = SyncFuture()
        try:
            result.set_result(transform(source.result()))
        except Exception as exc:
            result.set_exception(exc)
        return result
    derived = SyncFuture()
    derived.deferred_callback = source.deferred_callback

    def finish() -> None:
        try:
            derived.set_result(transform(source.result()))
        except Exception as exc:
            derived.set_exception(exc)

    source.add_done_callback(finish)
    return derived


def request_memo(request: Any) -> dict[Any, Any] | None:
    """A dict that lasts for one GraphQL *query* (never a mutation: what a mutation changes
    must be read again), or None. Keys are tuples named by their owner, e.g. ("client", …)."""
    return getattr(request, "graphql_memo", None)
