from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.<str:fmt>", views.dashboard_export, name="dashboard_export"),
    path("projects/export.<str:fmt>", views.project_list_export, name="project_list_export"),
]
