"""EMPATY's dashboard and negative-streak alerts (EMP-5), for supervisors and admins."""

from django.urls import URLPattern, path

from empaty import dashboard_views

urlpatterns: list[URLPattern] = [
    path("dashboard/", dashboard_views.dashboard, name="empaty_dashboard"),
    path("dashboard/messages/", dashboard_views.drill_down, name="empaty_dashboard_messages"),
    path("alerts/", dashboard_views.alerts, name="empaty_alerts"),
    path("alerts/seen/", dashboard_views.alerts_seen_all, name="empaty_alerts_seen_all"),
    path("alerts/<int:alert_id>/seen/", dashboard_views.alert_seen, name="empaty_alerts_seen"),
]
