"""django-tenants' PostgreSQL backend, minus the `SET search_path` that changes nothing.

django-tenants forgets the search path it set on every `set_tenant` call, so the next query
sends `SET search_path` again even when the schema is the same: a request on the MSP host set
the same path twice (public for the domain lookup, then the MSP tenant's, also public). Here
`set_tenant` keeps what was applied when the new tenant needs exactly the same path (each
request still starts by forgetting it: `tenants.middleware.CachedTenantMiddleware`). What is
applied is still forgotten whenever the database may have dropped it — on close, on rollback
and on a rollback to a savepoint (django-tenants' own handling) — so the next query sets it
again.
"""

from __future__ import annotations

from typing import Any

from django_tenants.postgresql_backend import base as tenants_base


class DatabaseWrapper(tenants_base.DatabaseWrapper):  # type: ignore[misc]
    def set_tenant(self, tenant: Any, include_public: bool = True) -> None:
        applied: list[str] | None = self.search_path_set_schemas  # type: ignore[has-type]
        super().set_tenant(tenant, include_public)
        if applied and list(applied) == list(self._get_cursor_search_paths()):
            self.search_path_set_schemas = applied
