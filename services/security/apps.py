from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "services.security"
    label = "security"
    verbose_name = "Security"
