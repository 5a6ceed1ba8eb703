"""The organisation's side of customer links: create, copy, revoke, re-issue, the
decision and its receipt on the project, a manager's reopening (portal/views.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("projects/<int:pk>/links/", views.project_links, name="project_links"),
    path("links/<int:pk>/revoke/", views.link_revoke, name="link_revoke"),
    path("links/<int:pk>/reissue/", views.link_reissue, name="link_reissue"),
    path("decisions/<int:pk>/receipt/", views.decision_receipt, name="decision_receipt"),
    path("projects/<int:pk>/reopen/", views.project_reopen, name="project_reopen"),
]
