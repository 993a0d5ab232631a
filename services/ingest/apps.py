from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "services.ingest"
    label = "ingest"
    verbose_name = "Monitoring ingest"
