"""A hostile look at the customer portal (/offer/<token>/): what a guesser, a scanner, a
forger or a competitor can do with the customer's pages. Each test asserts what the
customer's pages must do; "FIXED:" in a docstring marks an attack that worked until its
fix (the test failed before it), "HOLDS:" one that failed already (coverage the other
portal tests lack)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.urls import reverse

from configurator.models import Project, ProjectStatus, Role, User
from portal import links
from portal.models import USER_AGENT_MAX_LENGTH, Decision, LinkEvent, ReceiptStatus

from .factories import approved_project_with_proposal, make_user
from .test_portal_public import (
    PROTECTIVE,
    accept_data,
    browser,
    link_of,
    page,
    sent_link,
)

pytestmark = pytest.mark.usefixtures("sizing_table", "media_storage")

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def protective_problems(response: Any) -> dict[str, str | None]:
    """The protective headers the answer lacks or gets wrong (header: what it has)."""
    return {
        header: response.get(header)
        for header, value in PROTECTIVE.items()
        if response.get(header) != value
    }


def with_receipt(decision: Decision) -> Decision:
    key = default_storage.save(decision.receipt_storage_key(), ContentFile(b"%PDF receipt"))
    decision.receipt_status, decision.receipt_key = ReceiptStatus.READY, key
    decision.save(update_fields=["receipt_status", "receipt_key"])
    return decision


# --- Headers on the answers the views never see ---------------------------------------------


def test_a_wrong_method_under_offer_carries_the_protective_headers(
    project: Project, maria: User
) -> None:
    """FIXED: require_safe / require_POST wrap `offer_view` from outside, so their 405
    never passed through `protect`: no `Referrer-Policy: no-referrer`, no `X-Robots-Tag`
    on a URL that holds a working token."""
    token = sent_link(project, maria, "en")
    client = browser()
    answers = {
        "POST page": client.post(reverse("offer", args=[token])),
        "POST pdf": client.post(reverse("offer_download", args=[token])),
        "POST receipt": client.post(reverse("offer_receipt", args=[token])),
        "GET accept": client.get(reverse("offer_accept", args=[token])),
        "GET decline": client.get(reverse("offer_decline", args=[token])),
        "PUT accept": client.put(reverse("offer_accept", args=[token])),
    }
    assert {what: r.status_code for what, r in answers.items()} == dict.fromkeys(answers, 405)
    problems = {what: protective_problems(r) for what, r in answers.items()}
    assert problems == {what: {} for what in answers}, problems


def test_a_path_under_offer_that_matches_no_view_is_protected_and_needs_no_account(
    project: Project, maria: User
) -> None:
    """FIXED: /offer/<token>/anything/ fell to the site's 404 page (templates/404.html):
    without `Referrer-Policy: no-referrer` or `X-Robots-Tag`, and with a "Back to your
    projects" link to a page that needs an account."""
    token = sent_link(project, maria, "en")
    for path in (f"/offer/{token}/nothing/", f"/offer/{token}/pdf/x/"):
        response = browser().get(path)
        assert response.status_code == 404, path
        assert protective_problems(response) == {}, (path, protective_problems(response))
        text = response.content.decode()
        assert f'href="{reverse("home")}"' not in text, path


def test_the_slash_redirect_of_an_offer_url_is_protected(project: Project, maria: User) -> None:
    """FIXED: /offer/<token> (the slash lost when the URL was copied) was redirected by
    CommonMiddleware (APPEND_SLASH) before any offer view: the redirect, carrying the token,
    had no `Referrer-Policy: no-referrer` and no `X-Robots-Tag`."""
    token = sent_link(project, maria, "en")
    response = browser().get(f"/offer/{token}")
    assert response.status_code in (301, 302, 404)
    assert protective_problems(response) == {}, protective_problems(response)


def test_a_malformed_post_under_offer_is_answered_with_the_protective_headers(
    project: Project, maria: User
) -> None:
    """FIXED: a POST with more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS raised inside
    `offer_view` (reading `lang` from request.POST, before `protect` ran): Django's 400
    went out without `Referrer-Policy: no-referrer` and `X-Robots-Tag`."""
    token = sent_link(project, maria, "en")
    fields = {f"f{n}": "x" for n in range(1100)}
    response = browser().post(reverse("offer_accept", args=[token]), fields)
    assert response.status_code == 400
    assert protective_problems(response) == {}, protective_problems(response)
    assert not Decision.objects.exists()


def test_the_offer_page_cannot_be_framed_by_another_site(project: Project, maria: User) -> None:
    """HOLDS: a third-party page cannot frame the offer to trick a click on "accept"
    (X-Frame-Options DENY and CSP frame-ancestors 'none' reach /offer/ too)."""
    token = sent_link(project, maria, "en")
    response = page(browser(), token)
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


# --- The rate limit -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "socket", "forwarded"),
    [
        # Without proxies the header is ignored: the bucket is the socket's address.
        (0, "198.51.100.9", "10.0.0.{n}"),
        # Behind one proxy the client is the entry the proxy appended (the last one): what
        # the client wrote to its left changes nothing.
        (1, "10.1.1.1", "10.0.0.{n}, 203.0.113.77"),
    ],
    ids=["no proxy", "one proxy"],
)
def test_a_forged_x_forwarded_for_does_not_escape_the_miss_limit(
    db: None, settings: Any, proxies: int, socket: str, forwarded: str
) -> None:
    """HOLDS: a guesser writing a new X-Forwarded-For on each request stays in the bucket
    of its own address."""
    settings.CUSTOMER_LINK_MISS_LIMIT = "2/h"
    settings.AXES_IPWARE_PROXY_COUNT = proxies
    statuses = [
        Client(REMOTE_ADDR=socket, HTTP_X_FORWARDED_FOR=forwarded.format(n=n))
        .get(f"/offer/guess-{n}/")
        .status_code
        for n in range(4)
    ]
    assert statuses == [404, 404, 429, 429]


@override_settings(CUSTOMER_LINK_MISS_LIMIT="2/h")
def test_every_offer_url_counts_a_miss(db: None) -> None:
    """HOLDS: the pdf, receipt, beacon, accept and decline URLs of a guessed token count a
    miss like the page does, so a guesser gains nothing by probing another URL."""
    client = Client(REMOTE_ADDR="198.51.100.10")
    assert client.get("/offer/a/pdf/").status_code == 404
    assert client.post("/offer/b/accept/", {}).status_code == 404
    assert client.get("/offer/c/receipt/").status_code == 429
    assert client.get("/offer/d/seen/x.css").status_code == 429
    assert client.post("/offer/e/decline/", {}).status_code == 429


# --- Expired and revoked links do nothing ------------------------------------------------------


def _nothing_through(client: Client, token: str, title: str) -> None:
    """Every URL of the link answers 410 without the offer, and the decision is not made."""
    sha = link_of(token).proposal.sha256
    answers = {
        "pdf": client.get(reverse("offer_download", args=[token])),
        "receipt": client.get(reverse("offer_receipt", args=[token])),
        "accept": client.post(reverse("offer_accept", args=[token]), accept_data(token)),
        "decline": client.post(
            reverse("offer_decline", args=[token]), {"reason": "no", "shown_sha256": sha}
        ),
    }
    for what, response in answers.items():
        assert response.status_code == 410, what
        assert protective_problems(response) == {}, what
        text = response.content.decode()
        assert title not in text and sha not in text, what
    assert not Decision.objects.exists()


def test_a_revoked_link_downloads_and_decides_nothing(project: Project, maria: User) -> None:
    """HOLDS: a revoked link's PDF, receipt, accept and decline all answer 410."""
    token = sent_link(project, maria, "en")
    links.revoke(link_of(token), project.owner)
    _nothing_through(browser(), token, project.title)
    project.refresh_from_db()
    assert project.status == ProjectStatus.SENT


def test_an_expired_link_downloads_and_decides_nothing(project: Project, maria: User) -> None:
    """HOLDS: at the second of its expiry a link's PDF, receipt and decisions answer 410."""
    token = sent_link(project, maria, "en")
    at = link_of(token).expires_at
    with mock.patch("django.utils.timezone.now", return_value=at):
        _nothing_through(browser(), token, project.title)


def test_an_accepted_link_revoked_afterwards_keeps_its_receipt(
    project: Project, maria: User
) -> None:
    """HOLDS: a decided link cannot be revoked, so the customer's receipt stays reachable."""
    token = sent_link(project, maria, "en")
    client = browser()
    assert client.post(reverse("offer_accept", args=[token]), accept_data(token)).status_code == 303
    with_receipt(Decision.objects.get())
    assert links.revoke(link_of(token), project.owner) is False
    assert client.get(reverse("offer_receipt", args=[token])).status_code == 200


def test_a_beacon_arriving_after_the_revocation_counts_no_view(
    project: Project, maria: User
) -> None:
    """FIXED (minor): `offer_seen` never asked the link's state, so the beacon of a page
    fetched before the link was revoked (or expired) still counted a view afterwards: the
    withdrawn link marked itself "first viewed" and mailed the organisation that the
    customer opened it. A revoked or expired link records nothing as counted."""
    token = sent_link(project, maria, "en")
    client = browser()
    assert page(client, token).status_code == 200
    beacon = LinkEvent.objects.get().beacon
    assert beacon
    links.revoke(link_of(token), project.owner)
    client.get(reverse("offer_seen", args=[token, beacon]))
    assert not LinkEvent.objects.filter(counted=True).exists()
    assert link_of(token).first_viewed_at is None


# --- Forged decisions ------------------------------------------------------------------------


@pytest.fixture
def rival_proposal(charlie: User) -> Any:
    """An approved, rendered proposal of a competitor (charlie's organisation), its PDF
    other bytes than the fixture's."""
    reviewer = make_user(charlie.organization, "rita", Role.MANAGER)
    proposal = approved_project_with_proposal(charlie, reviewer, "en")
    content = b"%PDF-1.7 the competitor's own offer"
    proposal.pdf_key = default_storage.save(
        f"proposals/rival-{proposal.pk}.pdf", ContentFile(content)
    )
    proposal.sha256 = hashlib.sha256(content).hexdigest()
    proposal.save(update_fields=["pdf_key", "sha256", "updated_at"])
    return proposal


def test_another_organisations_hash_does_not_accept(
    project: Project, maria: User, rival_proposal: Any
) -> None:
    """HOLDS: the hidden hash must be the one of this link's proposal: a competitor's
    proposal's hash (or none) is refused and writes nothing."""
    token = sent_link(project, maria, "en")
    client = browser()
    url = reverse("offer_accept", args=[token])
    for shown in (rival_proposal.sha256, "", "0" * 64):
        response = client.post(url, accept_data(token, shown_sha256=shown))
        assert response.status_code == 409, shown
    assert not Decision.objects.exists()
    project.refresh_from_db()
    rival_proposal.project.refresh_from_db()
    assert project.status == ProjectStatus.SENT
    assert rival_proposal.project.status == ProjectStatus.APPROVED


def test_one_link_cannot_decide_for_another_project(
    project: Project, maria: User, charlie: User, rival_proposal: Any
) -> None:
    """HOLDS: accepting through a competitor's link with this link's hash decides nothing
    on either project: the link decides its own proposal only."""
    token = sent_link(project, maria, "en")
    rival = links.create_link(
        rival_proposal,
        charlie,
        recipient_name="Eve",
        recipient_email="eve@example.com",
        language="en",
    ).token
    response = browser().post(reverse("offer_accept", args=[rival]), accept_data(token))
    assert response.status_code == 409
    assert not Decision.objects.exists()


def test_a_member_of_the_organisation_cannot_decide_for_the_customer(
    project: Project, maria: User, alice: User
) -> None:
    """HOLDS: the sender, signed in, previewing the link may not accept or decline."""
    token = sent_link(project, maria, "en")
    client = browser()
    client.force_login(alice)
    sha = link_of(token).proposal.sha256
    assert client.post(reverse("offer_accept", args=[token]), accept_data(token)).status_code == 403
    declined = client.post(reverse("offer_decline", args=[token]), {"shown_sha256": sha})
    assert declined.status_code == 403
    assert not Decision.objects.exists()


def test_another_recipients_link_gets_neither_the_receipt_nor_the_signers_details(
    project: Project, maria: User
) -> None:
    """HOLDS: after one recipient accepted, another recipient's link of the same project
    says a decision exists, without the signer's name, and has no receipt to download."""
    token = sent_link(project, maria, "en")
    other = links.create_link(
        link_of(token).proposal,
        project.owner,
        recipient_name="Marco Rossi",
        recipient_email="marco@cliente.example",
        language="en",
    ).token
    client = browser()
    data = accept_data(token, full_name="Giulia Segreta", role="CFO", company="Acme")
    assert client.post(reverse("offer_accept", args=[token]), data).status_code == 303
    with_receipt(Decision.objects.get())
    outsider = browser()
    assert outsider.get(reverse("offer_receipt", args=[other])).status_code == 404
    text = page(outsider, other).content.decode()
    assert "Giulia Segreta" not in text and 'id="accept-form"' not in text
    refused = outsider.post(reverse("offer_accept", args=[other]), accept_data(other))
    assert refused.status_code == 409
    assert Decision.objects.count() == 1


def test_a_customer_name_with_direction_overrides_gives_a_plain_file_name(
    project: Project, maria: User
) -> None:
    """HOLDS: a company name with a right-to-left override (the "fdp.exe" trick), a tab
    and a line break becomes a file name of letters, digits, dashes and dots only. (A NUL
    never gets this far: the forms refuse it, and PostgreSQL would too.)"""
    project.customer.company_name = "Acme\u202efdp.exe\t\r\nSet-Cookie: a=b"
    project.customer.save()
    token = sent_link(project, maria)
    response = browser().get(reverse("offer_download", args=[token]))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "\u202e" not in disposition
    name = disposition.split("filename=", 1)[1].strip('"')
    assert all(c.isascii() and (c.isalnum() or c in "-.") for c in name), name


def test_the_link_mail_escapes_the_recipient_name_in_its_html(
    project: Project, maria: User
) -> None:
    """HOLDS: the link's e-mail (HTML alternative) escapes the recipient's name."""
    from portal.mail import link_mail

    token = sent_link(project, maria, "en", recipient_name='<img src=x onerror="a()">')
    message = link_mail(link_of(token), token)
    html = next(body for body, kind in message.alternatives if kind == "text/html")
    assert "<img src=x" not in html and "&lt;img src=x" in html


# --- What the customer types, shown to the organisation -------------------------------------------


def test_the_typed_names_are_escaped_on_the_project_and_in_the_mails(
    project: Project,
    maria: User,
    alice: User,
    eager_tasks: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """HOLDS: the name, role and company the customer typed are escaped on the project's
    page and in the HTML notice mailed to the organisation."""
    token = sent_link(project, maria, "en")
    data = accept_data(token, full_name=XSS, role=XSS, company=XSS)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = browser().post(reverse("offer_accept", args=[token]), data)
    assert response.status_code == 303
    htmls = [
        body
        for message in mail.outbox
        for body, kind in getattr(message, "alternatives", [])
        if kind == "text/html"
    ]
    assert htmls, "the acceptance notice was mailed"
    for body in htmls:
        assert "<script>" not in body and "<img src=x" not in body
        assert "&lt;script&gt;" in body
    staff = Client()
    staff.force_login(alice)
    text = staff.get(project.get_absolute_url()).content.decode()
    assert "<script>" not in text and "<img src=x" not in text
    assert "&lt;script&gt;" in text


def test_the_decline_reason_is_escaped_everywhere_it_is_shown(
    project: Project, maria: User, alice: User
) -> None:
    """HOLDS: a reason with markup is escaped on the customer's page, on the project's page
    and on its review timeline."""
    token = sent_link(project, maria, "en")
    sha = link_of(token).proposal.sha256
    client = browser()
    response = client.post(
        reverse("offer_decline", args=[token]), {"reason": XSS + "\nline two", "shown_sha256": sha}
    )
    assert response.status_code == 303
    customer_text = page(client, token).content.decode()
    staff = Client()
    staff.force_login(alice)
    project_text = staff.get(project.get_absolute_url()).content.decode()
    for text in (customer_text, project_text):
        assert "<script>" not in text and "<img src=x" not in text
        assert "&lt;script&gt;" in text


def test_a_recipient_name_with_markup_is_escaped_on_the_links_panel(
    project: Project, maria: User, alice: User
) -> None:
    """HOLDS: the recipient's name is the engineer's input, but the links panel escapes it."""
    sent_link(project, maria, "en", recipient_name='<b id="x">Giulia</b>')
    staff = Client()
    staff.force_login(alice)
    text = staff.get(reverse("project_proposals", args=[project.pk])).content.decode()
    assert '<b id="x">' not in text and "&lt;b id=&quot;x&quot;&gt;" in text


# --- Huge inputs ------------------------------------------------------------------------------


def test_a_huge_user_agent_is_recorded_cut_to_its_field(project: Project, maria: User) -> None:
    """HOLDS: a 100 000-character user agent is cut in the events and the decision."""
    token = sent_link(project, maria, "en")
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 " + "A" * 100_000)
    assert page(client, token).status_code == 200
    assert client.post(reverse("offer_accept", args=[token]), accept_data(token)).status_code == 303
    lengths = list(LinkEvent.objects.values_list("user_agent", flat=True))
    assert lengths and all(len(agent) <= USER_AGENT_MAX_LENGTH for agent in lengths)
    assert len(Decision.objects.get().user_agent) <= USER_AGENT_MAX_LENGTH


def test_a_huge_typed_name_is_refused_and_records_nothing(project: Project, maria: User) -> None:
    """HOLDS: names longer than their field are a form error (400), never a database error."""
    token = sent_link(project, maria, "en")
    data = accept_data(token, full_name="N" * 50_000)
    response = browser().post(reverse("offer_accept", args=[token]), data)
    assert response.status_code == 400
    assert not Decision.objects.exists()


# --- The language switcher ----------------------------------------------------------------------


def test_the_language_parameter_cannot_inject_into_the_page_or_the_redirect(
    project: Project, maria: User
) -> None:
    """HOLDS: an unknown or hostile `lang` falls back to the link's language, in the page
    and in the redirect after a decision (no open redirect, no markup)."""
    token = sent_link(project, maria, "en")
    client = browser()
    hostile = '"><script>x</script>'
    text = page(client, token, lang=hostile).content.decode()
    assert "<script>x" not in text and '<html lang="en">' in text
    response = client.post(
        reverse("offer_accept", args=[token]), accept_data(token, lang="//evil.example/")
    )
    assert response.status_code == 303
    assert response["Location"] == f"{reverse('offer', args=[token])}?lang=en"


def test_the_expired_page_shows_no_offer_even_in_another_language(
    project: Project, maria: User
) -> None:
    """HOLDS: switching the language of an expired link shows its refusal, not the offer."""
    token = sent_link(project, maria, "en")
    later = link_of(token).expires_at + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = page(browser(), token, lang="it")
    assert response.status_code == 410
    assert project.title not in response.content.decode()
