from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        from billing import support
        from inbox import signals

        # The platform's help desk: deadlines of customers' admins' questions (BIL-5).
        signals.message_received.connect(support.on_message, dispatch_uid="billing.support.message")
        signals.message_sent.connect(support.on_sent, dispatch_uid="billing.support.sent")
