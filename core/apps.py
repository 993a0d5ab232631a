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
        # pgtrigger (installed before this app) gives `makemigrations` an autodetector that
        # knows about triggers; django-tenants' `migrate` must use the same one, or Django's
        # check refuses both commands (commands.E001).
        from django.core.management.commands import makemigrations
        from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand

        MigrateSchemasCommand.autodetector = makemigrations.Command.autodetector
