from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.utils.translation import gettext_lazy as _

from inbox import views as inbox_views
from spoter.accounts import views
from spoter.accounts.models import Role
from spoter.health import healthz

# Sections whose issues have not landed yet; each app takes over its entry when it does.
COMING = [
    ("reports/", "reports", _("Reports"), Role.SUPERVISOR),
]

account_patterns: list[URLPattern | URLResolver] = [
    path("", views.account_home, name="account_home"),
    *(path(route, views.coming(title, role), name=name) for route, name, title, role in COMING),
    path("settings/", views.account_settings, name="account_settings"),
    path("team/", views.team, name="team"),
    path("team/<int:member_id>/", views.member_edit, name="member_edit"),
    path("team/<int:member_id>/active/", views.member_set_active, name="member_set_active"),
    path("team/<int:member_id>/password-reset/", views.member_password_reset, name="member_password_reset"),
    path("team/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("settings/", include("inbox.setup.urls")),
    path("", include("inbox.panel_urls")),
    path("", include("audience.urls")),
    path("", include("bots.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("", include("notifications.urls")),
    path("empaty/", include("empaty.urls")),
    path("billing/", include("billing.urls")),
    path("inbox/", include("inbox.page_urls")),
    path("media/<int:media_id>/", inbox_views.media_file, name="inbox_media"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("a/", views.account_chooser, name="account_chooser"),
    path("a/<slug:account_slug>/", include(account_patterns)),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("webhooks/whatsapp/", include("inbox.webhooks.urls")),
    path("webhooks/mercadopago/", include("billing.mercadopago.urls")),
    path("api/", include("inbox.api.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
if settings.SIMULATOR_ENABLED:
    urlpatterns.append(path("simulator/mercadopago/", include("billing.mercadopago.simulator_urls")))
    urlpatterns.append(path("simulator/", include("inbox.simulator.urls")))
