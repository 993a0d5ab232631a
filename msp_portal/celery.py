"""The Celery application: Redis broker, tenant-aware tasks (tenant-schemas-celery)."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msp_portal.settings")

app = CeleryApp("msp_portal", task_cls="core.tasks:TenantBoundTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
