from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self) -> None:
        from campaigns import reactions
        from inbox import signals

        signals.message_received.connect(reactions.on_message, dispatch_uid="campaigns.message")
        signals.marketing_preference.connect(reactions.on_marketing_preference, dispatch_uid="campaigns.pref")
        signals.send_refused.connect(reactions.on_send_refused, dispatch_uid="campaigns.refused")
        signals.template_status_changed.connect(reactions.on_template_status, dispatch_uid="campaigns.tpl")
        signals.line_quality_changed.connect(reactions.on_quality, dispatch_uid="campaigns.quality")
