from django.urls import URLPattern, path

from . import views

urlpatterns: list[URLPattern] = [
    path("sizing", views.sizing, name="sizing"),
    path("openapi.json", views.openapi_description, name="sizing_openapi"),
]
