"""The customer's pages, under /offer/<token>/: no account, the token is the authority.

The customer reads a summary of the offer in Italian or English, downloads its PDF, and
accepts or declines it (portal.links records the decision; portal.visits what was seen).

Every request first asks whether the client's address is over the limit of misses, and a
token that finds no link counts one miss; the lookup always hashes the token (never a
check of its shape first), so a mistyped, tampered or random token costs the same and gets
the same bytes. Every answer carries no-store, no-referrer and noindex (portal.middleware), and
the pages use a layout of their own, without the signed-in site's navigation.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import wraps
from typing import Any, Final

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

from configurator.accounts import CACHE_DOWN_RETRY_AFTER, client_address
from configurator.brand import DEFAULT_ACCENT, DEFAULT_PRIMARY, colour
from reports.compare import resized_snapshot
from reports.context import proposal_context
from reports.services import LogoMismatch, snapshot_logo
from sizing.tables import SizingTable, Tier

from . import links, visits
from .forms import AcceptForm, DeclineForm
from .links import LinkRefused, LinkState
from .models import CustomerLink, Decision, EventKind, ReceiptStatus

logger = logging.getLogger(__name__)

LANGUAGES: Final = tuple(code for code, _name in settings.LANGUAGES)
MISS_GROUP: Final = "offer_miss"
LOGO_TYPES: Final = ("image/png", "image/jpeg", "image/svg+xml", "image/webp")

View = Callable[..., HttpResponseBase]


def _language(request: HttpRequest, link: CustomerLink | None) -> str:
    """?lang= (or the form's `lang`) when valid, else the link's, else the visitor's."""
    asked = request.GET.get("lang") or request.POST.get("lang")
    if asked in LANGUAGES:
        return str(asked)
    if link is not None:
        return link.language
    return translation.get_language() or settings.LANGUAGE_CODE


def _plain(request: HttpRequest, template: str, status: int, **context: Any) -> HttpResponse:
    """A page that shows nothing of any offer: a miss, a limit, an expired link."""
    return render(request, f"portal/public/{template}", context, status=status)


def _limited(request: HttpRequest, *, increment: bool) -> bool:
    """Over the limit of misses from this address: CUSTOMER_LINK_MISS_LIMIT misses made
    already (a miss counts one with `increment`). With the counters unreadable (the cache
    down), treated as over it: unlimited guessing is what the limit prevents."""
    try:
        usage = get_usage(
            request,
            group=MISS_GROUP,
            key=lambda group, request: client_address(request),
            rate=settings.CUSTOMER_LINK_MISS_LIMIT,
            increment=increment,
        )
    except (RedisError, OSError) as exc:
        logger.warning("offer: miss counters unavailable, refused: %s", type(exc).__name__)
        return True
    # django-ratelimit's own `should_limit` is count > limit, which lets one miss more
    # through than the setting says: the check before a lookup refuses at the limit.
    return usage is None or int(usage["count"]) >= int(usage["limit"])


def _too_many(request: HttpRequest) -> HttpResponse:
    response = _plain(request, "too_many.html", 429)
    response["Retry-After"] = str(CACHE_DOWN_RETRY_AFTER)
    return response


def _find(request: HttpRequest, token: str) -> CustomerLink | HttpResponse:
    # The limit is checked first, also for a good token: otherwise an address over it
    # would still tell a working token (its page) from a guess (429), and a guesser must
    # not learn which tokens exist.
    if _limited(request, increment=False):
        return _too_many(request)
    link = links.find_link(token)
    if link is None:
        return _miss(request)
    return link


def _miss(request: HttpRequest) -> HttpResponse:
    """Count a miss and answer it: one 404, whatever was wrong."""
    _limited(request, increment=True)
    return _plain(request, "missing.html", 404)


@require_safe
def offer_unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    """A path under /offer/ that is no customer page (/offer/, /offer/<token>/nothing/):
    the same 404 as a guessed token, counted as a miss; never the site's own 404, which
    leads to pages that need an account."""
    with translation.override(_language(request, None)):
        if _limited(request, increment=False):
            return _too_many(request)
        return _miss(request)


def offer_view(view: View) -> View:
    """Find the link of the token (or answer the miss), run `view` in the page's language.
    The answer's headers are OfferHeadersMiddleware's, as for every answer under /offer/."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponseBase:
        with translation.override(_language(request, None)):
            found = _find(request, token)
        if isinstance(found, HttpResponse):
            return found
        with translation.override(_language(request, found)):
            return view(request, found, token, **kwargs)

    return wrapper


def _gone(request: HttpRequest, state: LinkState) -> HttpResponse:
    """An expired or revoked link: it says so, and nothing of the offer."""
    return _plain(request, "gone.html", 410, message=links.refusal_message(state))


def _gone_recorded(
    request: HttpRequest, link: CustomerLink, state: LinkState, kind: str
) -> HttpResponse:
    """`_gone`, the attempt on the project's timeline (never counted): the engineer learns
    that the customer tried an expired link and may send a new one."""
    visits.record_gone(request, link, kind, state)
    return _gone(request, state)


# --- The page ----------------------------------------------------------------------------------


def _frozen_table(data: dict[str, Any]) -> SizingTable:
    """The snapshot's own sizing table (reports.snapshot.frozen_table_snapshot's inverse)."""
    end_of_life = data.get("os_end_of_life")
    return SizingTable(
        version=int(data["version"]),
        effective_date=date.fromisoformat(data["effective_date"]),
        source=data["source"],
        tiers=tuple(Tier(**tier) for tier in data["tiers"]),
        max_tvox_per_instance=data["max_tvox_per_instance"],
        kb_per_second_per_connection=data["kb_per_second_per_connection"],
        bytes_per_kb=data["bytes_per_kb"],
        supported_hypervisors=tuple(data["supported_hypervisors"]),
        default_concurrency=Decimal(str(data["default_concurrency"])),
        tier_devices=tuple(data["tier_devices"]),
        os_name=data["os_name"],
        os_end_of_life=date.fromisoformat(end_of_life) if end_of_life else None,
    )


def snapshot_in(snapshot: dict[str, Any], language: str) -> dict[str, Any]:
    """The snapshot with its result's texts (reasons, explanations) in `language`: its own
    inputs sized again with its own frozen table, so every figure stays the same."""
    if snapshot.get("language") == language:
        return snapshot
    try:
        resized = resized_snapshot(
            {**snapshot, "language": language}, _frozen_table(snapshot["table"])
        )
    except (KeyError, TypeError, ValueError):
        resized = None
    return resized or snapshot


def _logo(snapshot: dict[str, Any]) -> str:
    """The brand's logo as a data: URL (the page needs no signed-in URL for it), or ""
    when there is none or the stored file is not the one the snapshot recorded."""
    logo = snapshot.get("organization", {}).get("logo") or {}
    if not logo or logo.get("content_type") not in LOGO_TYPES:
        return ""
    try:
        content = snapshot_logo(snapshot)
    except (OSError, KeyError, LogoMismatch):
        return ""
    if content is None:
        return ""
    return f"data:{logo['content_type']};base64,{base64.b64encode(content).decode()}"


def _decision_shown(link: CustomerLink) -> Decision | None:
    """The decision on the link's offer: through this link, or another of the project's."""
    return (
        Decision.objects.filter(link=link).first()
        or Decision.objects.filter(
            project=link.project, project_revision=link.proposal.project_revision
        ).first()
    )


def _switcher(token: str) -> list[dict[str, str]]:
    base = reverse("offer", args=[token])
    return [
        {"code": code, "name": str(name), "url": f"{base}?lang={code}"}
        for code, name in settings.LANGUAGES
    ]


def _page(
    request: HttpRequest,
    link: CustomerLink,
    token: str,
    lang: str,
    *,
    beacon: str = "",
    accept_form: AcceptForm | None = None,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    state = links.state_of(link)
    proposal = link.proposal
    snapshot = snapshot_in(proposal.snapshot, lang)
    brand = snapshot.get("organization", {})
    member = visits.is_member(request, link)
    context = {
        "token": token,
        "link": link,
        "lang": lang,
        "state": str(state),
        "beacon": beacon,
        "member": member,
        "can_decide": state == LinkState.OPEN and not member,
        "superseded_message": links.refusal_message(LinkState.SUPERSEDED),
        "proposal": proposal,
        "offer": proposal_context(snapshot, proposal.version),
        "decision": _decision_shown(link) if state == LinkState.CLOSED else None,
        "primary": colour(brand.get("primary_color"), DEFAULT_PRIMARY),
        "accent": colour(brand.get("accent_color"), DEFAULT_ACCENT),
        "logo": _logo(snapshot),
        "languages": _switcher(token),
        "accept_form": accept_form or AcceptForm(initial={"shown_sha256": proposal.sha256}),
        "decline_form": decline_form or DeclineForm(initial={"shown_sha256": proposal.sha256}),
    }
    return render(request, "portal/public/offer.html", context, status=status)


@require_safe
@offer_view
def offer(request: HttpRequest, link: CustomerLink, token: str) -> HttpResponse:
    state = links.state_of(link)
    if not links.shows_offer(state):
        return _gone_recorded(request, link, state, EventKind.VIEW)
    lang = _language(request, link)
    beacon = visits.record_view(request, link)
    response = _page(request, link, token, lang, beacon=beacon)
    visits.set_visitor_cookie(request, response)
    return response


@require_safe
@offer_view
def offer_seen(request: HttpRequest, link: CustomerLink, token: str, beacon: str) -> HttpResponse:
    """The page's beacon stylesheet: empty whatever happened, so it tells nothing. A
    beacon arriving once the link is revoked or expired counts no view: nobody is told
    the customer opened a link that no longer shows the offer."""
    # Whether a newer version exists changes nothing here (superseded shows the offer).
    if links.shows_offer(links.state_of(link, newer=False)):
        visits.count_beacon(request, link, beacon)
    return HttpResponse("", content_type="text/css; charset=utf-8")


# --- Downloads ---------------------------------------------------------------------------------


def _stream(key: str, name: str) -> FileResponse | None:
    try:
        handle = default_storage.open(key, "rb")
    except (FileNotFoundError, OSError):
        return None
    response = FileResponse(
        handle, as_attachment=True, filename=name, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@offer_view
def offer_download(request: HttpRequest, link: CustomerLink, token: str) -> HttpResponseBase:
    state = links.state_of(link)
    if not links.shows_offer(state):
        return _gone_recorded(request, link, state, EventKind.DOWNLOAD)
    proposal = link.proposal
    response = _stream(proposal.pdf_key, proposal.download_name()) if proposal.is_ready else None
    if response is None:
        return _plain(request, "missing.html", 404)
    visits.record_download(request, link, EventKind.DOWNLOAD)
    response["X-Proposal-SHA256"] = proposal.sha256
    return response


@require_safe
@offer_view
def offer_receipt(request: HttpRequest, link: CustomerLink, token: str) -> HttpResponseBase:
    """The acceptance's receipt, only through the link the customer accepted with."""
    state = links.state_of(link)
    if not links.shows_offer(state):
        return _gone_recorded(request, link, state, EventKind.RECEIPT)
    decision = Decision.objects.filter(link=link, receipt_status=ReceiptStatus.READY).first()
    response = _stream(decision.receipt_key, decision.receipt_download_name()) if decision else None
    if response is None:
        return _plain(request, "missing.html", 404)
    visits.record_download(request, link, EventKind.RECEIPT)
    return response


# --- The decision ------------------------------------------------------------------------------


def _refused(
    request: HttpRequest, token: str, message: str, state: LinkState | None
) -> HttpResponse:
    """The decision was not recorded: why; a way back to the offer only while it shows."""
    shows = state is None or links.shows_offer(state)
    return _plain(request, "refused.html", 409, message=message, token=token if shows else "")


def _may_decide(request: HttpRequest, link: CustomerLink, token: str) -> HttpResponse | None:
    """Why this POST may not decide (an answer), or None."""
    state = links.state_of(link)
    if not links.shows_offer(state):
        return _gone(request, state)
    if state != LinkState.OPEN:
        return _refused(request, token, links.refusal_message(state), state)
    if visits.is_member(request, link):
        # A member previews what the customer sees; deciding is the customer's alone.
        return _plain(request, "member.html", 403, token=token)
    return None


def _decided(token: str, lang: str) -> HttpResponse:
    response = HttpResponseRedirect(f"{reverse('offer', args=[token])}?lang={lang}")
    response.status_code = 303  # see the page with GET, whatever the form's method
    return response


# No CSRF check on the decisions: its Origin check cannot pass here (under
# `Referrer-Policy: no-referrer` browsers send `Origin: null` with a form's POST), and it
# guards what the session's cookie allows, while a decision is allowed by the token in the
# path alone: a page elsewhere that could forge the POST would have to know the token, and
# whoever knows it may decide anyway. The form's `shown_sha256` ties it to the page shown.
@csrf_exempt
@require_POST
@offer_view
def offer_accept(request: HttpRequest, link: CustomerLink, token: str) -> HttpResponse:
    refused = _may_decide(request, link, token)
    if refused is not None:
        return refused
    lang = _language(request, link)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        # 400, the page again with the messages: nothing was recorded, and no script
        # (htmx) needs a 200 to show it.
        return _page(request, link, token, lang, accept_form=form, status=400)
    data = form.cleaned_data
    try:
        links.accept(
            link,
            data["shown_sha256"],
            visits.visitor(request),
            full_name=data["full_name"],
            role=data["role"],
            company=data["company"],
        )
    except LinkRefused as exc:
        return _refused(request, token, exc.message, exc.state)
    return _decided(token, lang)


@csrf_exempt
@require_POST
@offer_view
def offer_decline(request: HttpRequest, link: CustomerLink, token: str) -> HttpResponse:
    refused = _may_decide(request, link, token)
    if refused is not None:
        return refused
    lang = _language(request, link)
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return _page(request, link, token, lang, decline_form=form, status=400)
    try:
        links.decline(
            link,
            form.cleaned_data["shown_sha256"],
            visits.visitor(request),
            reason=form.cleaned_data["reason"],
        )
    except LinkRefused as exc:
        return _refused(request, token, exc.message, exc.state)
    return _decided(token, lang)
