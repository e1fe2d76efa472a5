from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "inbox.simulator"
    label = "simulator"
    verbose_name = "WhatsApp simulator"
