from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("sizing", views.sizing, name="sizing"),
]
