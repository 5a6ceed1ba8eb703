from django.urls import path

from . import views

urlpatterns = [
    path("projects/<int:pk>/review/", views.project_review, name="project_review"),
    path("projects/<int:pk>/review/submit/", views.project_submit, name="project_submit"),
    path("projects/<int:pk>/review/recall/", views.project_recall, name="project_recall"),
    path("projects/<int:pk>/review/approve/", views.project_approve, name="project_approve"),
    path("projects/<int:pk>/review/send-back/", views.project_send_back, name="project_send_back"),
]
