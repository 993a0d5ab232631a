"""The public (shared-schema) half of infrastructure: the index of every client's monitors.

`services.infrastructure` is a tenant app; django-tenants decides per app where tables
live, so the one public table of monitoring is a small app of its own, kept inside the
infrastructure package so that its rules stay next to the code that writes it."""

from django.apps import AppConfig


class MonitorIndexConfig(AppConfig):
    name = "services.infrastructure.monitor_index"
    label = "monitor_index"
    verbose_name = "Monitor index"
