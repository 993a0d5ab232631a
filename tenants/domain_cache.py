"""The host name → tenant lookup of every request, cached in Redis.

django-tenants' middleware reads `Domain` joined to its `Client` on every request (and sets
`search_path` to public for it). Here the tenant found for a host is kept in the shared cache
(`CACHES["shared"]`: one key per host, the same in every process and schema) for at most
`CACHE_SECONDS`, and dropped whenever a domain or a client row changes:

* `post_save` / `post_delete` of `Domain` and `Client` (connected in `TenantsConfig.ready`);
* `forget_client(client)` where a client row is changed with `QuerySet.update()` (which sends
  no signal): status changes and deletion (`tenants.lifecycle`), the account manager
  (outreach). A client's hosts are found from a second key listing the hosts cached for it,
  so forgetting costs no query;
* each time both at once and again when the transaction commits, so a request that read the
  old row in between cannot put it back for long.

Hosts that match no domain are not cached (they are answered from the database every time).
"""

from __future__ import annotations

import contextlib
import pickle
from typing import Any

from django.core.cache import caches
from django.db import transaction
from redis.exceptions import RedisError

CACHE_SECONDS = 60
_PREFIX = "tenant-for-host:"


def _cache() -> Any:
    return caches["shared"]


def _key(hostname: str) -> str:
    return f"{_PREFIX}{hostname.lower()}"


def cached_tenant(hostname: str) -> Any | None:
    """The tenant cached for `hostname`, or None (also when the cache is unreachable)."""
    try:
        raw = _cache().get(_key(hostname))
    except RedisError:
        return None
    return pickle.loads(raw) if raw is not None else None  # noqa: S301 - our own cache entry


def _hosts_key(tenant_id: Any) -> str:
    return f"{_PREFIX}hosts-of:{tenant_id}"


def remember_tenant(hostname: str, tenant: Any) -> None:
    """Cache `tenant` for `hostname`, and note the host under the tenant (to forget it by tenant)."""
    cache = _cache()
    try:
        hosts = set(cache.get(_hosts_key(tenant.pk)) or ()) | {hostname.lower()}
        cache.set_many(
            {_hosts_key(tenant.pk): sorted(hosts), _key(hostname): pickle.dumps(tenant)}, CACHE_SECONDS
        )
    except RedisError:
        pass  # answered from the database next time too


def _forget_hosts(hosts: list[str]) -> None:
    keys = [_key(host) for host in hosts]
    if not keys:
        return

    def delete() -> None:
        # Unreachable: the entries expire after CACHE_SECONDS at the latest.
        with contextlib.suppress(RedisError):
            _cache().delete_many(keys)

    delete()
    transaction.on_commit(delete)


def forget_client(client: Any) -> None:
    """Drop the cached lookups of every host `client` was cached for (its row changed)."""
    try:
        hosts = list(_cache().get(_hosts_key(client.pk)) or ())
    except RedisError:
        return
    _forget_hosts(hosts)


def on_domain_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    hosts = [instance.domain]
    previous = getattr(instance, "_cached_host", None)
    if previous and previous != instance.domain:
        hosts.append(previous)
    _forget_hosts(hosts)


def on_domain_loaded(sender: Any, instance: Any, **kwargs: Any) -> None:
    instance._cached_host = instance.domain  # a renamed domain forgets its old host too


def on_client_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    forget_client(instance)


def warm(hostname: str) -> None:
    """Look `hostname` up now and cache it (as its first request would); unknown hosts: nothing."""
    from tenants.models import Domain

    domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
    if domain is not None:
        remember_tenant(hostname, domain.tenant)


def forget_all() -> None:
    """Drop every cached lookup (tests start from an empty cache)."""
    cache = _cache()
    with contextlib.suppress(RedisError):
        client = cache._cache.get_client(None, write=True)
        keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
