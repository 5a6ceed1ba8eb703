"""`POST /api/sizing`: the JSON contract of `sizing.schema` over HTTP, for signed-in users.

Authentication is the session, so CSRF protection stays on: a client sends the
`csrftoken` cookie's value in the `X-CSRFToken` header. `csrf_failure` answers a failed
check under /api/ in JSON instead of the HTML page (set `CSRF_FAILURE_VIEW` to it).

The body is read here, up to the contract's MAX_BODY_BYTES, not through `request.body`:
DATA_UPLOAD_MAX_MEMORY_SIZE (5 MiB, for the forms) would refuse the 100,000 sites the
contract promises, and the memory a body may take is bounded by `load_json`'s MAX_VALUES.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.csrf import csrf_failure as html_csrf_failure
from django.views.decorators.cache import never_cache

from .explain import Lang
from .models import SizingTableVersion
from .openapi import openapi
from .schema import (
    MAX_BODY_BYTES,
    ROOT,
    BodyTooLarge,
    InvalidInput,
    load_json,
    parse_lang,
    size_json,
    too_large,
)

API_PREFIX = "/api/"
MESSAGES = {  # (it, en)
    "sign_in": ("Accedi per usare il dimensionamento.", "Sign in to use the sizing."),
    "post": ("Usa POST con un corpo JSON.", "Use POST with a JSON body."),
    "get": ("Usa GET.", "Use GET."),
    "no_table": (
        "Nessuna versione della tabella di dimensionamento è in vigore.",
        "No sizing table version is in effect.",
    ),
    "not_json": (
        "Invia il corpo JSON con Content-Type: application/json.",
        "Send the JSON body with Content-Type: application/json.",
    ),
    "csrf": (
        "Controllo CSRF fallito: invia il valore del cookie csrftoken nell'intestazione "
        "X-CSRFToken.",
        "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken header.",
    ),
}


def _error(status: int, key: str, lang: Lang) -> JsonResponse:
    it, en = MESSAGES[key]
    message = it if lang == "it" else en
    return JsonResponse({"errors": [{"field": ROOT, "message": message}]}, status=status)


def _request_lang(request: HttpRequest) -> Lang:
    """The language LocaleMiddleware chose (cookie, Accept-Language), as it or en."""
    return "it" if getattr(request, "LANGUAGE_CODE", "en").startswith("it") else "en"


def _refusal(request: HttpRequest, method: str) -> JsonResponse | None:
    """401 to a caller not signed in, 405 to another method than `method`; else None."""
    lang = _request_lang(request)
    if not request.user.is_authenticated:
        response = _error(401, "sign_in", lang)
        response["WWW-Authenticate"] = 'Cookie realm="TVox configurator"'
        return response
    if request.method != method:
        response = _error(405, method.lower(), lang)
        response["Allow"] = method
        return response
    return None


@never_cache
def openapi_description(request: HttpRequest) -> JsonResponse:
    """`GET /api/openapi.json`: the OpenAPI 3.1 description of this API, to signed-in users
    (who may call the API); it is the same for every organisation."""
    if refusal := _refusal(request, "GET"):
        return refusal
    return JsonResponse(openapi())


@never_cache
def sizing(request: HttpRequest) -> JsonResponse:
    lang = _request_lang(request)
    if refusal := _refusal(request, "POST"):
        return refusal
    if not _is_json(request.content_type):
        # A form body has been read by the CSRF check already: it is not there to decode.
        return _error(415, "not_json", lang)
    try:
        lang = parse_lang(request.GET.get("lang"), default=lang)
        data = load_json(_read_body(request))
        version = SizingTableVersion.objects.in_effect()
        if version is None:
            return _error(503, "no_table", lang)
        return JsonResponse(size_json(data, version.as_table(), lang))
    except InvalidInput as exc:
        status = 413 if isinstance(exc, BodyTooLarge) else 400
        return JsonResponse({"errors": [e.as_dict(lang) for e in exc.errors]}, status=status)


def _is_json(content_type: str | None) -> bool:
    """application/json or a +json type, with any parameters; no type at all is taken as JSON."""
    media_type = (content_type or "").strip().lower()
    return media_type in ("", "application/json") or media_type.endswith("+json")


def _read_body(request: HttpRequest) -> bytes:
    """At most one byte over the limit, so that a larger body is never held in memory."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if too_large(declared):
        raise BodyTooLarge()
    return request.read(MAX_BODY_BYTES + 1)


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    """CSRF_FAILURE_VIEW: JSON under /api/, Django's page elsewhere."""
    if not request.path.startswith(API_PREFIX):
        return html_csrf_failure(request, reason)  # type: ignore[return-value]
    response = _error(403, "csrf", _request_lang(request))
    return response
