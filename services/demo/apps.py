from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run` and the browser tests (the `seed_demo` command); no models."""

    name = "services.demo"
    label = "demo"
    verbose_name = "Demo data"
