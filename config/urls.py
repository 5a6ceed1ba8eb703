from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from config.health import healthz
from configurator import accounts, branding_views, inventory_io, views
from configurator.forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path(
        "projects/<int:pk>/questionnaire/",
        views.project_questionnaire,
        name="project_questionnaire",
    ),
    path("projects/<int:pk>/preview/", views.project_preview, name="project_preview"),
    path("projects/<int:pk>/results/", views.project_results, name="project_results"),
    path("projects/<int:pk>/sites/", views.project_sites, name="project_sites"),
    path("projects/<int:pk>/sites/new/", views.site_create, name="site_create"),
    path("projects/<int:pk>/sites/preview/", views.sites_preview, name="sites_preview"),
    path("projects/<int:pk>/sites/<int:site_pk>/edit/", views.site_edit, name="site_edit"),
    path(
        "projects/<int:pk>/sites/<int:site_pk>/duplicate/",
        views.site_duplicate,
        name="site_duplicate",
    ),
    path("projects/<int:pk>/sites/<int:site_pk>/delete/", views.site_delete, name="site_delete"),
    path("projects/<int:pk>/sites/import/", inventory_io.sites_import, name="sites_import"),
    path(
        "projects/<int:pk>/sites/export.<str:fmt>", inventory_io.sites_export, name="sites_export"
    ),
    path("sites-template.<str:fmt>", inventory_io.sites_template, name="sites_template"),
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("organization/", include(branding_views)),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    # Before Django's own, which it replaces: the same URL and name, rate limited.
    path("accounts/password_reset/", accounts.password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("sizing.urls")),
    path("", include("reports.urls")),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
