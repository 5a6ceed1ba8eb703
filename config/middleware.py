from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect


class HtmxAwareLoginRedirectMiddleware:
    """Keep the sign-in page out of htmx fragments.

    When a session expires, a view answers an htmx request with a redirect to the sign-in
    page, which htmx would follow and swap into the fragment. Answer with HX-Redirect
    instead, so the browser loads the sign-in page as a whole page. Every response varies
    on HX-Request, so a cache or the back button never mixes fragments and pages.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        htmx = getattr(request, "htmx", None)
        if htmx and not htmx.history_restore_request and response.status_code == 302:
            login_path = resolve_url(settings.LOGIN_URL)
            location = response.get("Location", "")
            if location.split("?", 1)[0] == login_path:
                redirect = HttpResponseClientRedirect(location)
                patch_vary_headers(redirect, ("HX-Request",))
                return redirect
        return response


class NoStoreMiddleware:
    """Keep every answer of the application out of browser and shared caches.

    Pages, fragments, exports and redirects show or lead to customer data, and a shared
    computer's back button or a proxy must not give them to the next person. Answers
    whose view set a policy on purpose keep it (the logo, `never_cache` views). Static
    files never get here: WhiteNoise, above this middleware, answers them first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response
