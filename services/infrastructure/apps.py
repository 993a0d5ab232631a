from django.apps import AppConfig


class InfrastructureConfig(AppConfig):
    name = "services.infrastructure"
    label = "infrastructure"
    verbose_name = "Infrastructure"
