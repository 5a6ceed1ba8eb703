"""The language switch of every page: Django's, which sets the visitor's language cookie,
and for a signed-in user also their preferred language (`User.language`), the language of
the e-mails the application writes to them: the language they chose to read it in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views import i18n
from django.views.decorators.http import require_http_methods

from .models import Language, User


@require_http_methods(["GET", "POST"])
def set_language(request: HttpRequest) -> HttpResponse:
    response = i18n.set_language(request)
    language = request.POST.get("language") if request.method == "POST" else None
    user = request.user
    if user.is_authenticated and language in Language.values and user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
    return response
