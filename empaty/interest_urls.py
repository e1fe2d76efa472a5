"""EMPATY interest pages (EMP-3, EMP-4): the taxonomy (settings), a contact's interests and the
communities, under /a/<slug>/empaty/."""

from django.urls import path

from empaty import interest_views as views

urlpatterns = [
    path("taxonomy/", views.taxonomy_page, name="empaty_taxonomy"),
    path("taxonomy/defaults/", views.taxonomy_defaults, name="empaty_taxonomy_defaults"),
    path("taxonomy/<int:category_id>/", views.taxonomy_edit, name="empaty_taxonomy_edit"),
    path("taxonomy/<int:category_id>/delete/", views.taxonomy_delete, name="empaty_taxonomy_delete"),
    path("contacts/<int:contact_id>/interests/", views.contact_interests, name="empaty_contact_interests"),
    path("communities/", views.communities_page, name="empaty_communities"),
    path("communities/status/", views.communities_status, name="empaty_communities_status"),
    path("communities/run/", views.communities_run, name="empaty_communities_run"),
    path("communities/<int:community_id>/", views.communities_detail, name="empaty_communities_detail"),
    path(
        "communities/<int:community_id>/segment/",
        views.communities_segment,
        name="empaty_communities_segment",
    ),
]
