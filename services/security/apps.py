from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "services.security"
    label = "security"
    verbose_name = "Security"

    def ready(self) -> None:
        from services.security.actions import release_lost_incident_assignments
        from tenants.actions import on_access_lost

        # Someone who can no longer work a client keeps none of its open incidents.
        on_access_lost(release_lost_incident_assignments)
