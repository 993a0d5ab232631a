from django.apps import AppConfig


class WorkqueueConfig(AppConfig):
    name = "services.workqueue"
    label = "workqueue"
    verbose_name = "Work queue"
