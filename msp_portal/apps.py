from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "msp_portal"
    verbose_name = "MSP portal"

    def ready(self) -> None:
        # Apps that sit side by side may not import each other; the project wires them.
        from msp_portal.wiring import connect_apps

        connect_apps()
