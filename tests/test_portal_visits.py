"""What a request through a customer link records, and when it counts as a person's: a
page view counts once its beacon stylesheet comes back with the visitor cookie the page
set; HEAD requests, scanners and link previews, and members of the sending organisation
are recorded and never counted; a download counts with the cookie (portal/visits.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from configurator.history import project_timeline
from configurator.models import Project, User
from portal import links
from portal.models import EventKind, LinkEvent, NotCounted

from .factories import signed_in
from .test_portal_public import BROWSER, browser, link_of, page, sent_link

pytestmark = pytest.mark.usefixtures("sizing_table", "media_storage")

BEACON = re.compile(r'/seen/([^/"]+)\.css')


def beacon_of(response: object) -> str:
    found = BEACON.search(response.content.decode())  # type: ignore[attr-defined]
    assert found, "the page links no beacon"
    return found.group(1)


def seen(client: Client, token: str, beacon: str) -> object:
    return client.get(reverse("offer_seen", args=[token, beacon]))


def views(token: str) -> list[LinkEvent]:
    return list(LinkEvent.objects.filter(link=link_of(token), kind=EventKind.VIEW))


def test_a_view_counts_once_the_browser_loads_the_page_with_its_cookie(
    project: Project, maria: User
) -> None:
    token = sent_link(project, maria)
    client = browser()
    response = page(client, token)
    (waiting,) = views(token)
    assert (waiting.counted, waiting.not_counted) == (False, NotCounted.NO_ASSETS)
    assert (waiting.ip, waiting.user_agent) == ("127.0.0.1", BROWSER)
    beacon = seen(client, token, beacon_of(response))
    assert beacon.status_code == 200  # type: ignore[attr-defined]
    assert beacon["Content-Type"].startswith("text/css")  # type: ignore[index]
    assert beacon.content == b""  # type: ignore[attr-defined]
    (counted,) = views(token)
    assert (counted.counted, counted.not_counted) == (True, "")
    assert link_of(token).first_viewed_at == counted.at


def test_a_fetch_that_never_loads_the_pages_assets_does_not_count(
    project: Project, maria: User
) -> None:
    token = sent_link(project, maria)
    page(browser(), token)
    (view,) = views(token)
    assert (view.counted, view.not_counted) == (False, NotCounted.NO_ASSETS)
    assert link_of(token).first_viewed_at is None


def test_a_beacon_without_the_cookie_does_not_count(project: Project, maria: User) -> None:
    token = sent_link(project, maria)
    beacon = beacon_of(page(browser(), token))
    seen(Client(HTTP_USER_AGENT=BROWSER), token, beacon)  # a fetcher of one URL, no cookie
    (view,) = views(token)
    assert (view.counted, view.not_counted) == (False, NotCounted.NO_COOKIE)
    assert link_of(token).first_viewed_at is None


def test_a_beacon_counts_once_and_only_for_its_own_link(project: Project, maria: User) -> None:
    token = sent_link(project, maria)
    other = sent_link(project, maria, recipient_email="marco@cliente.example")
    client = browser()
    beacon = beacon_of(page(client, token))
    seen(client, other, beacon)  # another link's beacon names nothing of this one
    assert [v.counted for v in views(token)] == [False]
    for _ in range(3):
        seen(client, token, beacon)
    assert [v.counted for v in views(token)] == [True]
    assert views(other) == []


def test_the_first_view_stays_the_first(project: Project, maria: User) -> None:
    token = sent_link(project, maria)
    client = browser()
    seen(client, token, beacon_of(page(client, token)))
    first = link_of(token).first_viewed_at
    seen(client, token, beacon_of(page(client, token)))
    assert [v.counted for v in views(token)] == [True, True]
    assert link_of(token).first_viewed_at == first


def test_a_head_request_is_recorded_and_not_counted(project: Project, maria: User) -> None:
    token = sent_link(project, maria)
    response = browser().head(reverse("offer", args=[token]))
    assert response.status_code == 200 and response.content == b""
    (view,) = views(token)
    assert (view.counted, view.not_counted) == (False, NotCounted.HEAD)


@pytest.mark.parametrize(
    "agent",
    [
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "facebookexternalhit/1.1",
        "Mozilla/5.0 (compatible; Microsoft Office/16.0; ms-office)",
        "Mozilla/5.0 (Windows NT 10.0) BingPreview/1.0b",
        "WhatsApp/2.23.20.0",
        "python-requests/2.32.3",
        "curl/8.5.0",
        "",
    ],
)
def test_scanners_and_link_previews_are_recorded_and_not_counted(
    project: Project, maria: User, agent: str
) -> None:
    token = sent_link(project, maria)
    response = page(Client(HTTP_USER_AGENT=agent), token)
    assert response.status_code == 200
    assert not BEACON.search(response.content.decode())  # nothing for it to count with
    (view,) = views(token)
    assert (view.counted, view.not_counted) == (False, NotCounted.SCANNER)


def test_a_member_previewing_is_recorded_and_not_counted(
    project: Project, alice: User, maria: User
) -> None:
    token = sent_link(project, maria)
    client = signed_in(alice, HTTP_USER_AGENT=BROWSER)
    response = page(client, token)
    assert not BEACON.search(response.content.decode())
    (view,) = views(token)
    assert (view.counted, view.not_counted) == (False, NotCounted.MEMBER)


def test_a_user_of_another_organisation_with_the_link_is_anybody(
    project: Project, maria: User, charlie: User
) -> None:
    token = sent_link(project, maria)
    client = signed_in(charlie, HTTP_USER_AGENT=BROWSER)
    seen(client, token, beacon_of(page(client, token)))
    assert [v.counted for v in views(token)] == [True]


def test_a_download_counts_from_the_browser_that_had_the_page(
    project: Project, maria: User
) -> None:
    token = sent_link(project, maria)
    client = browser()
    page(client, token)
    assert client.get(reverse("offer_download", args=[token])).status_code == 200
    Client(HTTP_USER_AGENT=BROWSER).get(reverse("offer_download", args=[token]))
    downloads = LinkEvent.objects.filter(link=link_of(token), kind=EventKind.DOWNLOAD)
    assert [(d.counted, d.not_counted) for d in downloads.order_by("pk")] == [
        (True, ""),
        (False, NotCounted.NO_COOKIE),
    ]


@pytest.mark.parametrize("how", ["expired", "revoked"])
def test_a_request_through_a_closed_link_is_on_the_timeline_and_never_counts(
    project: Project, maria: User, alice: User, how: str
) -> None:
    """The customer who opens an expired (or revoked) link sees nothing of the offer; the
    engineer sees on the project's timeline that they tried, and may send a new link. No
    view is counted and no first-view notice goes: nothing of the offer was read."""
    token = sent_link(project, maria, "en")
    link = link_of(token)
    if how == "revoked":
        links.revoke(link, alice)
        later = timezone.now()
        reason = NotCounted.REVOKED
    else:
        later = link.expires_at + timedelta(days=1)
        reason = NotCounted.EXPIRED
    person = browser()
    with mock.patch("django.utils.timezone.now", return_value=later):
        for name in ("offer", "offer_download", "offer_receipt"):
            assert person.get(reverse(name, args=[token])).status_code == 410
        assert seen(person, token, "anything").status_code == 200  # type: ignore[attr-defined]
    recorded = LinkEvent.objects.filter(link=link).order_by("pk")
    assert [(e.kind, e.counted, e.not_counted) for e in recorded] == [
        (EventKind.VIEW, False, reason),
        (EventKind.DOWNLOAD, False, reason),
        (EventKind.RECEIPT, False, reason),
    ]
    assert link_of(token).first_viewed_at is None
    entry = next(
        e for e in project_timeline(project) if e.summary.startswith("Viewed through the link")
    )
    shown = {change.label: change.new for change in entry.items[0].changes}
    assert shown["Counted"] == f"No: {reason.label}"


def test_a_miss_records_nothing(project: Project, maria: User) -> None:
    token = sent_link(project, maria)
    browser().get(reverse("offer", args=[token[:-1]]))
    browser().get(reverse("offer_seen", args=[token[:-1], "x"]))
    assert not LinkEvent.objects.exists()


def test_a_flood_of_requests_records_a_bounded_number_of_events(
    project: Project, maria: User, settings: object
) -> None:
    """A scanner (or anybody with the link) fetching it in a loop must not grow the table
    and the project's timeline without end: beyond CUSTOMER_LINK_EVENTS_PER_DAY events of
    one sort in 24 hours nothing more of that sort is recorded; the page and the file are
    still served. The sorts are apart: a scanner's flood leaves a person's view counting,
    and a flood of views that might count (a browser's agent, never its beacon) stops too."""
    settings.CUSTOMER_LINK_EVENTS_PER_DAY = 3  # type: ignore[attr-defined]
    token = sent_link(project, maria)
    scanner = Client(HTTP_USER_AGENT="Mozilla/5.0 (compatible; BingPreview/1.0b)")
    for _ in range(6):
        assert page(scanner, token).status_code == 200
    assert scanner.get(reverse("offer_download", args=[token])).status_code == 200
    assert LinkEvent.objects.filter(link=link_of(token)).count() == 3
    # A person, after the scanner's flood: the view is recorded and counts.
    person = browser()
    assert seen(person, token, beacon_of(page(person, token))).status_code == 200  # type: ignore[attr-defined]
    assert link_of(token).first_viewed_at is not None
    # Views that might count, in a loop, never loading the beacon: bounded as well, and a
    # page beyond the bound links no beacon that could never count.
    for _ in range(4):
        assert page(browser(), token).status_code == 200
    assert LinkEvent.objects.filter(link=link_of(token)).count() == 6
    assert not BEACON.search(page(browser(), token).content.decode())
