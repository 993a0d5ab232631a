from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared helpers and the outbox table (public schema).

    Its `ready` makes rows remember the schema they came from."""

    name = "core"
    label = "core"
    verbose_name = "Shared helpers"

    def ready(self) -> None:
        from core.tenancy import remember_schema_of_tenant_rows

        remember_schema_of_tenant_rows()
