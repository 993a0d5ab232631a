"""The one place that reads which schema the database connection is on."""

from django.db import connection


def current_schema_name() -> str:
    """The schema of the default connection; "public" when django-tenants has set none,
    so every check built on it fails closed."""
    return str(getattr(connection, "schema_name", "public"))
