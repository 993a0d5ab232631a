from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "services.sla"
    label = "sla"
    verbose_name = "SLA engine"
