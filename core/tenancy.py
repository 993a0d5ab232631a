"""Which schema the database connection is on, and rows that remember their schema.

A row of a client's schema (a ticket, a contact) is read inside that client's schema, but
GraphQL resolves its fields later, after the resolver that loaded it has left the schema.
Rather than relying on every resolver to preload every relation, each tenant row records
the schema it was loaded from (`SCHEMA_ATTRIBUTE`), and the GraphQL middleware
`core.graphql.middleware.RowSchemaMiddleware` (mounted as part of `FieldMiddleware`)
resolves a row's fields inside that schema. A relation read lazily in a new field therefore
reads the right client's tables by default.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models.signals import post_init

SCHEMA_ATTRIBUTE = "_loaded_in_schema"


def current_schema_name() -> str:
    """The schema of the default connection; "public" when django-tenants has set none,
    so every check built on it fails closed."""
    return str(getattr(connection, "schema_name", "public"))


class WrongSchemaError(RuntimeError):
    """Code meant for one client's schema ran in another (a programming error, not input)."""


def require_schema(client: Any) -> None:
    """Fail closed unless the connection is on `client`'s schema (actions call this first)."""
    if current_schema_name() != client.schema_name:
        raise WrongSchemaError(f"An action for {client.slug} ran in schema {current_schema_name()}.")


def tenant_only_app_labels() -> set[str]:
    shared = {name.rsplit(".", 1)[-1] for name in settings.SHARED_APPS}
    return {name.rsplit(".", 1)[-1] for name in settings.TENANT_APPS} - shared


def _remember(sender: Any, instance: Any, **_: Any) -> None:
    instance.__dict__[SCHEMA_ATTRIBUTE] = current_schema_name()


def remember_schema_of_tenant_rows() -> None:
    """Tag every instance of a tenant-only model with the schema active when it was built."""
    labels = tenant_only_app_labels()
    for model in apps.get_models():
        if model._meta.app_label in labels:
            post_init.connect(_remember, sender=model, dispatch_uid=f"remember-schema-{model._meta.label}")


def schema_of(row: Any) -> str | None:
    """The schema a tenant row was loaded from, or None for anything else."""
    return getattr(row, "__dict__", {}).get(SCHEMA_ATTRIBUTE)


@contextlib.contextmanager
def in_schema(schema_name: str) -> Iterator[None]:
    """Work in `schema_name` (no switch when already there)."""
    if current_schema_name() == schema_name:
        yield
        return
    from django_tenants.utils import schema_context

    with schema_context(schema_name):
        yield
