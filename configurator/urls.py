"""The configurator's pages: projects, the questionnaire, the site inventory and its
spreadsheets, customers, the organisation's branding and the rate-limited password reset."""

from django.urls import path

from . import accounts, branding_views, inventory_views, views

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
    path("projects/<int:pk>/history/", views.project_history, name="project_history"),
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
    path("projects/<int:pk>/sites/import/", inventory_views.sites_import, name="sites_import"),
    path(
        "projects/<int:pk>/sites/export.<str:fmt>",
        inventory_views.sites_export,
        name="sites_export",
    ),
    path("sites-template.<str:fmt>", inventory_views.sites_template, name="sites_template"),
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path(
        "organization/branding/",
        branding_views.organization_branding,
        name="organization_branding",
    ),
    path("organization/logo", branding_views.organization_logo, name="organization_logo"),
    # Before Django's own (config/urls.py), which it replaces: the same URL and name,
    # rate limited.
    path("accounts/password_reset/", accounts.password_reset, name="password_reset"),
]
