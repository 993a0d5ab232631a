from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "services.directory"
    label = "directory"
    verbose_name = "Client directory"
