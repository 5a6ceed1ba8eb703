"""Every answer under /offer/ carries the customer pages' headers, whoever made it: the
views, and also Django's own answers that never reach them (the 405 of a wrong method,
the 301 of a missing slash, the 400 of a malformed request), which carry a working token
in their URL too."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase

OFFER_PREFIX = "/offer/"


def protect(response: HttpResponseBase) -> HttpResponseBase:
    """No cache keeps the page, no referrer leaks the token, no search engine lists it."""
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class OfferHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path_info.startswith(OFFER_PREFIX):
            protect(response)
        return response
