"""What a request through a customer link records (`LinkEvent`), and whether a person's
browser made it.

Mail scanners and chat link previews open every link they see; a view they make must not
tell the sender "the customer read it". So a page view is counted only when its beacon
stylesheet (`offer_seen`) comes back carrying the visitor cookie the page set: a browser
showing the page does both, a fetcher of one URL does neither. Before that the view waits
as NO_ASSETS; a beacon without the cookie leaves it NO_COOKIE. HEAD requests, agents known
to be scanners or previews, and members of the link's organisation (previewing what they
sent) are recorded and never counted. A download counts when it carries the cookie.

Only links that exist get events: a miss writes nothing but the rate counter
(portal.public). A request through an expired or revoked link is recorded, never counted,
so the sender sees the customer tried it. A link records at most
CUSTOMER_LINK_EVENTS_PER_DAY events of each sort (that can count, that never will) in any
24 hours.
"""

from __future__ import annotations

import secrets
import unicodedata
from datetime import timedelta
from typing import Final

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from configurator.accounts import client_ip

from . import links
from .models import USER_AGENT_MAX_LENGTH, CustomerLink, EventKind, LinkEvent, NotCounted

VISITOR_COOKIE: Final = "tvox_offer_visitor"
VISITOR_COOKIE_AGE: Final = 365 * 24 * 3600
COOKIE_PATH: Final = "/offer/"
BEACON_BYTES: Final = 16

# Substrings (compared in lower case) of the agents of link previews, mail scanners and
# scripts: they open links without a person reading them. Outlook's and Office's previews
# send "ms-office" / "Microsoft Office" / "Outlook-iOS" / "Outlook-Android"; Microsoft's
# Safe Links and Defender scanners send "BingPreview" or "Microsoft Office Existence".
SCANNER_AGENTS: Final = (
    "slackbot",
    "slack-imgproxy",
    "facebookexternalhit",
    "facebookcatalog",
    "twitterbot",
    "linkedinbot",
    "whatsapp",
    "telegrambot",
    "discordbot",
    "skypeuripreview",
    "ms-office",
    "microsoft office",
    "outlook-ios",
    "outlook-android",
    "microsoftpreview",
    "bingpreview",
    "bingbot",
    "googlebot",
    "google-safety",
    "googleimageproxy",
    "applebot",
    "yahoo! slurp",
    "proofpoint",
    "mimecast",
    "barracuda",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "httpx",
    "curl",
    "wget",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww-perl",
    "headlesschrome",
    "bot/",
    "crawler",
    "spider",
    "preview",
)


def clean_user_agent(raw: str) -> str:
    """The agent as recorded: without control characters, at most the field's length."""
    visible = "".join(c for c in raw if unicodedata.category(c)[0] != "C")
    return visible[:USER_AGENT_MAX_LENGTH]


def user_agent(request: HttpRequest) -> str:
    return clean_user_agent(str(request.META.get("HTTP_USER_AGENT", "")))


def visitor(request: HttpRequest) -> links.Visitor:
    return links.Visitor(client_ip(request) or None, user_agent(request))


def is_scanner(agent: str) -> bool:
    """An empty agent is a script's: browsers always send one."""
    lowered = agent.strip().lower()
    return not lowered or any(marker in lowered for marker in SCANNER_AGENTS)


def is_member(request: HttpRequest, link: CustomerLink) -> bool:
    """A signed-in member of the link's organisation: a preview, never the customer. A user
    of another organisation holding the link is anybody (the token is the authority)."""
    user = getattr(request, "user", None)
    return bool(
        user is not None
        and user.is_authenticated
        and getattr(user, "organization_id", None) == link.project.organization_id
    )


def has_cookie(request: HttpRequest) -> bool:
    return bool(request.COOKIES.get(VISITOR_COOKIE))


def not_counted_reason(request: HttpRequest, link: CustomerLink) -> str:
    """Why this request cannot count, whatever its kind; "" when it may."""
    if request.method == "HEAD":
        return NotCounted.HEAD
    if is_member(request, link):
        return NotCounted.MEMBER
    if is_scanner(user_agent(request)):
        return NotCounted.SCANNER
    return ""


# The events that count or may still: counted, or a view waiting for its beacon.
CAN_STILL_COUNT: Final = ("", NotCounted.NO_ASSETS)


def _event(
    request: HttpRequest, link: CustomerLink, kind: str, **fields: object
) -> LinkEvent | None:
    """Record the request; None, recording nothing, once the link has had
    CUSTOMER_LINK_EVENTS_PER_DAY events of the same sort in the last 24 hours: a script
    fetching the link in a loop must not grow the table and the timeline without end (one
    indexed count). The sorts are counted apart, those that can still count (a view
    waiting for its beacon, a download with the cookie) and those that never will (HEAD,
    scanners, members, no cookie): a scanner caught in a loop does not stop a person's
    view from counting."""
    now = timezone.now()
    can_count = Q(not_counted__in=CAN_STILL_COUNT)
    same_sort = can_count if fields.get("not_counted", "") in CAN_STILL_COUNT else ~can_count
    recent = LinkEvent.objects.filter(same_sort, link=link, at__gt=now - timedelta(days=1))
    if recent.count() >= settings.CUSTOMER_LINK_EVENTS_PER_DAY:
        return None
    return LinkEvent.objects.create(
        link=link,
        kind=kind,
        at=now,
        ip=client_ip(request) or None,
        user_agent=user_agent(request),
        **fields,
    )


def record_view(request: HttpRequest, link: CustomerLink) -> str:
    """Record a page view; its beacon ("" when it can never count) for the page to link."""
    reason = not_counted_reason(request, link)
    if reason:
        _event(request, link, EventKind.VIEW, not_counted=reason)
        return ""
    beacon = secrets.token_urlsafe(BEACON_BYTES)
    recorded = _event(
        request, link, EventKind.VIEW, not_counted=NotCounted.NO_ASSETS, beacon=beacon
    )
    return beacon if recorded else ""


def record_download(request: HttpRequest, link: CustomerLink, kind: str) -> None:
    """A download of the PDF or the receipt: counted only from a browser that had the page."""
    reason = not_counted_reason(request, link) or ("" if has_cookie(request) else "no_cookie")
    _event(request, link, kind, counted=not reason, not_counted=reason)


def record_gone(
    request: HttpRequest, link: CustomerLink, kind: str, state: links.LinkState
) -> None:
    """A request through a link that no longer shows the offer: recorded, never counted
    (nor a first view), whoever made it."""
    reason = NotCounted.REVOKED if state == links.LinkState.REVOKED else NotCounted.EXPIRED
    _event(request, link, kind, not_counted=reason)


def count_beacon(request: HttpRequest, link: CustomerLink, beacon: str) -> None:
    """The page's stylesheet came back: its view counts when the cookie came with it.
    Conditional UPDATEs, so a beacon counts once however often it is fetched, and only a
    view still waiting for it (of this link)."""
    if not beacon or request.method == "HEAD":
        return
    waiting = LinkEvent.objects.filter(
        link=link, kind=EventKind.VIEW, beacon=beacon, not_counted=NotCounted.NO_ASSETS
    )
    if not has_cookie(request):
        waiting.update(not_counted=NotCounted.NO_COOKIE)
        return
    event = waiting.first()
    if event is None:
        return
    counted = LinkEvent.objects.filter(pk=event.pk, not_counted=NotCounted.NO_ASSETS).update(
        counted=True, not_counted=""
    )
    if counted:
        links.mark_first_view(link, event.at)


def set_visitor_cookie(request: HttpRequest, response: HttpResponse) -> None:
    """A random value that only says "this browser had the page"; nothing is stored of it."""
    if has_cookie(request):
        return
    response.set_cookie(
        VISITOR_COOKIE,
        secrets.token_urlsafe(BEACON_BYTES),
        max_age=VISITOR_COOKIE_AGE,
        path=COOKIE_PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
