"""A per-request registry of DataLoaders; each domain schema registers its batch functions."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from graphql_sync_dataloaders import SyncDataLoader

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
    """The request's loader for `batch_fn` (keyed by the function itself)."""
    registry = getattr(info.context, "loaders", None)
    if registry is None:
        registry = info.context.loaders = Loaders()
    return registry.get(batch_fn, batch_fn)
