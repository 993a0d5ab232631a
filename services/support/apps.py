from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "services.support"
    label = "support"
    verbose_name = "Service desk"
