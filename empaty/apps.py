from django.apps import AppConfig


class EmpatyConfig(AppConfig):
    name = "empaty"

    def ready(self) -> None:
        from empaty import analysis
        from inbox import signals

        signals.message_received.connect(analysis.on_message, dispatch_uid="empaty.message")
