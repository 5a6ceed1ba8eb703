from django.urls import path

from . import views

urlpatterns = [
    path("projects/<int:pk>/proposal/", views.project_proposals, name="project_proposals"),
    path("projects/<int:pk>/compare/", views.project_compare, name="project_compare"),
    path("proposals/<int:pk>/status/", views.proposal_status, name="proposal_status"),
    path("proposals/<int:pk>/retry/", views.proposal_retry, name="proposal_retry"),
    path("proposals/<int:pk>/download/", views.proposal_download, name="proposal_download"),
]
