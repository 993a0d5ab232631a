from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "services.outreach"
    label = "outreach"
    verbose_name = "Outreach (account management)"
