"""Which client a request is about — resolved in exactly one place, failing closed.

A request on a client's portal host is about that client (django-tenants has already
switched the connection to its schema). On the MSP host, a client is addressed by an
explicit slug. Either way the person is then authorised by `tenants.access`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest
from django_tenants.utils import tenant_context

from core.graphql.loaders import request_memo
from core.tenancy import current_schema_name
from tenants.access import ClientNotFound, access_client_by_slug, ensure_may_reach_client
from tenants.models import Client, TenantKind


def host_client(request: HttpRequest) -> Client | None:
    """The client whose portal host this request came to, or None on the MSP host."""
    tenant = getattr(request, "tenant", None)
    if isinstance(tenant, Client) and tenant.kind == TenantKind.CLIENT:
        return tenant
    return None


def is_msp_host(request: HttpRequest) -> bool:
    tenant = getattr(request, "tenant", None)
    return isinstance(tenant, Client) and tenant.kind == TenantKind.MSP


def resolve_client(request: HttpRequest, slug: str | None) -> Client:
    """The authorised client for this request; `ClientNotFound` when there is none.

    Within one GraphQL query the answer is remembered: a page whose root fields each name the
    client (the ticket page: ticket, SLA policy, assignable staff, top bar) looks it up and
    authorises once. Mutations look it up every time."""
    memo = request_memo(request)
    if memo is None:
        return _resolve_client(request, slug)
    key = ("client", slug, getattr(request.user, "pk", None))
    client = memo.get(key)
    if client is None:
        client = memo[key] = _resolve_client(request, slug)
    return client


def _resolve_client(request: HttpRequest, slug: str | None) -> Client:
    on_host = host_client(request)
    if on_host is not None:
        if slug and slug != on_host.slug:
            raise ClientNotFound(slug)
        return ensure_may_reach_client(request.user, on_host)
    if not slug or not is_msp_host(request):
        raise ClientNotFound(slug)
    return access_client_by_slug(request.user, slug)


@contextlib.contextmanager
def client_schema(request: Any, slug: str | None) -> Iterator[Client]:
    """Resolve and authorise the client of this request, and work in its schema."""
    client = resolve_client(request, slug)
    if current_schema_name() == client.schema_name:
        yield client
    else:
        with tenant_context(client):
            yield client
