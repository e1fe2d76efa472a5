"""Rules, follow-ups and secrets (BOT-4, BOT-5); bots/urls.py includes these."""

from django.urls import path

from bots import rule_views

urlpatterns = [
    path("bots/rules/", rule_views.rules, name="bots_rules"),
    path("bots/rules/<int:rule_id>/", rule_views.rule_edit, name="bots_rule_edit"),
    path("bots/rules/<int:rule_id>/delete/", rule_views.rule_delete, name="bots_rule_delete"),
    path("bots/follow-ups/", rule_views.follow_ups, name="bots_follow_ups"),
    path(
        "bots/follow-ups/<int:follow_up_id>/delete/",
        rule_views.follow_up_delete,
        name="bots_follow_up_delete",
    ),
    path("bots/secrets/", rule_views.secrets, name="bots_secrets"),
    path("bots/secrets/<int:secret_id>/delete/", rule_views.secret_delete, name="bots_secret_delete"),
]
