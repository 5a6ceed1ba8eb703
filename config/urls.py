"""The site's URLs: each app's own urls.py, Django's sign-in and password views, the
language switch, the health check and the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.health import healthz
from configurator.forms import SignInForm

urlpatterns = [
    # First: its password reset replaces Django's (same URL and name).
    path("", include("configurator.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("sizing.urls")),
    path("", include("reports.urls")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
