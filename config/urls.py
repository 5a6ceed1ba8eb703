"""The site's URLs: each app's own urls.py, Django's sign-in and password views, the
language switch, the health check, the icon and the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.views.decorators.http import require_GET

from config.health import healthz
from configurator.forms import SignInForm
from configurator.language import set_language


@require_GET
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask /favicon.ico of every site, signed in or not: the static icon the pages
    link (not permanent: the static name changes with the icon)."""
    return HttpResponseRedirect(static("img/favicon.svg"))


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
    # Before Django's own: the switch also sets a signed-in user's preferred language.
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("sizing.urls")),
    path("", include("reports.urls")),
    path("", include("review.urls")),
    path("", include("dashboard.urls")),
    path("", include("portal.urls")),
    # The customer's pages: no account, the token in the path (portal/public_urls.py).
    path("offer/", include("portal.public_urls")),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
]
