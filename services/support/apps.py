from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "services.support"
    label = "support"
    verbose_name = "Service desk"

    def ready(self) -> None:
        from services.support.actions import release_lost_assignments
        from tenants.actions import on_access_lost

        # Someone who can no longer work a client keeps none of its open tickets.
        on_access_lost(release_lost_assignments)
