"""The customer's page (portal/public.py): the link's states, the summary in both
languages, the download, accepting and declining, and the answers to tokens that open
nothing (same bytes, same queries, the rate limit)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from configurator.models import Project, ProjectStatus, User
from portal import links
from portal.models import CustomerLink, Decision, Outcome, ReceiptStatus
from reports.models import Proposal, ProposalStatus
from reports.snapshot import create_proposal

from .factories import add_sites
from .test_proposal_approval import approve

pytestmark = pytest.mark.usefixtures("sizing_table", "media_storage")

PDF = b"%PDF-1.7 the offer itself"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"


def rendered(proposal: Proposal, content: bytes = PDF) -> Proposal:
    """The proposal as its rendering leaves it, its PDF in the file store."""
    key = default_storage.save(f"proposals/test-{proposal.pk}.pdf", ContentFile(content))
    proposal.status = ProposalStatus.READY
    proposal.sha256 = hashlib.sha256(content).hexdigest()
    proposal.pdf_key = key
    proposal.size_bytes = len(content)
    proposal.save(update_fields=["status", "sha256", "pdf_key", "size_bytes", "updated_at"])
    return proposal


def approved_proposal(project: Project, reviewer: User, language: str = "it") -> Proposal:
    if not project.sites.exists():
        add_sites(project)
    if project.status != ProjectStatus.SENT:
        approve(project, reviewer)
    return rendered(create_proposal(project, language, project.owner))


def sent_link(project: Project, reviewer: User, language: str = "it", **options: Any) -> str:
    """A token for an approved, rendered proposal of `project`, sent by its owner."""
    proposal = approved_proposal(project, reviewer, language)
    fields: dict[str, Any] = {
        "recipient_name": "Giulia Bianchi",
        "recipient_email": "giulia@cliente.example",
        "language": language,
    }
    fields.update(options)
    return links.create_link(proposal, project.owner, **fields).token


def browser() -> Client:
    return Client(HTTP_USER_AGENT=BROWSER)


def link_of(token: str) -> CustomerLink:
    found = links.find_link(token)
    assert found is not None
    return found


def accept_data(token: str, **changes: str) -> dict[str, str]:
    data = {
        "full_name": "Giulia Bianchi",
        "role": "CIO",
        "company": "Acme S.p.A.",
        "agree": "on",
        "shown_sha256": link_of(token).proposal.sha256,
        "lang": "en",
    }
    data.update(changes)
    return data


def page(client: Client, token: str, **query: str) -> Any:
    return client.get(reverse("offer", args=[token]), query)


# --- An open link ---------------------------------------------------------------------------


def test_it_shows_the_offer_to_an_anonymous_visitor(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    response = page(browser(), token)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Three hospitals" in text and "Ospedale San Luca S.p.A." in text
    assert 'id="accept-form"' in text and 'id="decline-form"' in text
    assert 'id="download-pdf"' in text and "(25\xa0bytes)" in text
    proposal = link_of(token).proposal
    assert proposal.sha256 in text and proposal.sha256[:12] in text
    assert 'hreflang="it"' in text and 'hreflang="en"' in text
    for label in ("TVox Pure Cloud", "TVox + MCS", "MCS instances", "Users"):
        assert label in text, label


def test_it_shows_the_offer_validity_when_set(project: Project, maria: User) -> None:
    Project.objects.filter(pk=project.pk).update(
        offer_valid_until=timezone.localdate() + timedelta(days=20)
    )
    project.refresh_from_db()
    token = sent_link(project, maria, "en")
    assert 'id="offer-valid-until"' in page(browser(), token).content.decode()


def test_it_gives_the_reasons_in_the_pages_language_with_the_same_figures(
    project: Project, maria: User
) -> None:
    token = sent_link(project, maria, "it")
    snapshot = link_of(token).proposal.snapshot
    english = page(browser(), token, lang="en").content.decode()
    italian = page(browser(), token).content.decode()
    assert '<html lang="en">' in english and '<html lang="it">' in italian
    italian_reasons = [r["message"] for r in snapshot["result"]["recommendation"]["reasons"]]
    assert italian_reasons and all(r in italian for r in italian_reasons)
    assert not any(r in english for r in italian_reasons)
    instances = str(snapshot["result"]["mcs"]["instances"])
    for text in (english, italian):
        assert f"<dd>{instances}</dd>" in text


def test_the_switcher_keeps_the_token(project: Project, maria: User) -> None:
    token = sent_link(project, maria)
    text = page(browser(), token).content.decode()
    assert f'href="/offer/{token}/?lang=en"' in text
    assert f'href="/offer/{token}/?lang=it"' in text


def test_an_unknown_language_falls_back_to_the_links(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "it")
    assert '<html lang="it">' in page(browser(), token, lang="xx").content.decode()


def test_it_downloads_the_pdf_with_a_safe_name(project: Project, maria: User) -> None:
    project.customer.company_name = 'Evil"; filename=../../x\r\n<script>'
    project.customer.save()
    token = sent_link(project, maria)
    response = browser().get(reverse("offer_download", args=[token]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    name = disposition.split("filename=", 1)[1].strip('"')
    assert all(c.isalnum() or c in "-." for c in name), name
    assert response["X-Content-Type-Options"] == "nosniff"


# --- States -----------------------------------------------------------------------------------


def test_a_link_opens_until_the_second_it_expires(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    expires = link_of(token).expires_at
    with mock.patch("django.utils.timezone.now", return_value=expires - timedelta(seconds=1)):
        assert page(browser(), token).status_code == 200
    with mock.patch("django.utils.timezone.now", return_value=expires):
        response = page(browser(), token)
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()


@pytest.mark.parametrize("how", ["expired", "revoked"])
def test_an_expired_or_revoked_link_shows_nothing_of_the_offer(
    project: Project, maria: User, alice: User, how: str
) -> None:
    token = sent_link(project, maria, "en")
    link = link_of(token)
    if how == "revoked":
        links.revoke(link, alice)
        later = timezone.now()
    else:
        later = link.expires_at + timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        for name in ("offer", "offer_download", "offer_receipt"):
            response = browser().get(reverse(name, args=[token]))
            assert response.status_code == 410, name
            text = response.content.decode()
            assert "San Luca" not in text and "Three hospitals" not in text
            assert "MCS" not in text and "download-pdf" not in text
            assert links.refusal_message(links.state_of(link_of(token))) in text


def test_a_superseded_link_shows_the_offer_without_the_forms(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    approved_proposal(Project.objects.get(pk=project.pk), maria, "en")  # a newer version
    response = page(browser(), token)
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="superseded"' in text and "A newer version of this offer exists" in text
    assert 'id="download-pdf"' in text and "accept-form" not in text
    assert "decline-form" not in text
    assert browser().get(reverse("offer_download", args=[token])).status_code == 200
    refused = browser().post(reverse("offer_accept", args=[token]), accept_data(token))
    assert refused.status_code == 409 and not Decision.objects.exists()


def test_a_changed_project_supersedes_the_link(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    Project.objects.filter(pk=project.pk).update(revision=project.revision + 1)
    assert 'id="superseded"' in page(browser(), token).content.decode()


# --- Accepting and declining --------------------------------------------------------------------


def test_it_accepts_and_then_shows_the_acceptance(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    client = browser()
    response = client.post(reverse("offer_accept", args=[token]), accept_data(token))
    assert response.status_code == 303
    assert response["Location"] == f"/offer/{token}/?lang=en"
    decision = Decision.objects.get()
    assert decision.outcome == Outcome.ACCEPTED and decision.full_name == "Giulia Bianchi"
    assert decision.user_agent == BROWSER
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.ACCEPTED
    text = client.get(response["Location"]).content.decode()
    assert 'id="accepted"' in text and "Giulia Bianchi" in text
    assert decision.proposal_sha256 in text
    assert 'id="receipt-pending"' in text and "download-receipt" not in text
    assert "accept-form" not in text


def test_the_receipt_link_appears_once_ready(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    browser().post(reverse("offer_accept", args=[token]), accept_data(token))
    decision = Decision.objects.get()
    key = default_storage.save(decision.receipt_storage_key(), ContentFile(b"%PDF receipt"))
    decision.receipt_status, decision.receipt_key = ReceiptStatus.READY, key
    decision.save(update_fields=["receipt_status", "receipt_key"])
    text = page(browser(), token).content.decode()
    assert 'id="download-receipt"' in text
    response = browser().get(reverse("offer_receipt", args=[token]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF receipt"


def test_no_receipt_before_it_is_ready(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    browser().post(reverse("offer_accept", args=[token]), accept_data(token))
    assert browser().get(reverse("offer_receipt", args=[token])).status_code == 404


@pytest.mark.parametrize(
    "field, value",
    [
        ("full_name", ""),
        ("role", ""),
        ("company", ""),
        ("agree", ""),
        ("full_name", "x" * 201),
        ("company", "Acme\u202eevil"),
        ("role", "CIO\nCTO"),
    ],
)
def test_an_invalid_acceptance_shows_the_page_again_and_records_nothing(
    project: Project, maria: User, field: str, value: str
) -> None:
    token = sent_link(project, maria, "en")
    data = accept_data(token, **{field: value})
    if field == "agree":
        del data["agree"]
    response = browser().post(reverse("offer_accept", args=[token]), data)
    assert response.status_code == 400
    text = response.content.decode()
    assert f'id="id_{field}-error"' in text and 'id="accept-form"' in text
    assert not Decision.objects.exists()
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.SENT


def test_a_stale_page_cannot_accept(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    response = browser().post(
        reverse("offer_accept", args=[token]), accept_data(token, shown_sha256="0" * 64)
    )
    assert response.status_code == 409
    assert "The offer changed since this page was shown" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_second_acceptance_is_refused(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    first = browser().post(reverse("offer_accept", args=[token]), accept_data(token))
    second = browser().post(reverse("offer_accept", args=[token]), accept_data(token))
    assert first.status_code == 303 and second.status_code == 409
    assert "A decision on this offer has already been recorded" in second.content.decode()
    assert Decision.objects.count() == 1


def test_declining_loses_the_project_with_the_reason(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    sha = link_of(token).proposal.sha256
    client = browser()
    response = client.post(
        reverse("offer_decline", args=[token]),
        {"reason": "Too expensive\nfor this year", "shown_sha256": sha, "lang": "en"},
    )
    assert response.status_code == 303
    decision = Decision.objects.get()
    assert decision.outcome == Outcome.DECLINED
    assert decision.reason == "Too expensive\nfor this year"
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.LOST
    text = client.get(response["Location"]).content.decode()
    assert 'id="declined"' in text and "Too expensive" in text
    assert "accept-form" not in text and "decline-form" not in text


def test_a_reason_too_long_is_refused(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    sha = link_of(token).proposal.sha256
    response = browser().post(
        reverse("offer_decline", args=[token]), {"reason": "x" * 2001, "shown_sha256": sha}
    )
    assert response.status_code == 400 and 'id="id_reason-error"' in response.content.decode()
    assert not Decision.objects.exists()


# --- Tokens that open nothing -------------------------------------------------------------------


def _misses(token: str) -> dict[str, str]:
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    return {
        "tampered": tampered,
        "short": token[:-3],
        "long": token + "x" * 40,
        "bad characters": "%21%21%24%27..",
        "random": links.new_token(),
    }


def test_every_miss_gets_the_same_404_with_the_same_queries(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    answers = []
    for wrong in _misses(token).values():
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(f"/offer/{wrong}/")
        answers.append((response.status_code, response.content, len(queries)))
    assert answers[0][0] == 404 and answers[0][2] == 1
    assert all(answer == answers[0] for answer in answers)
    assert b"Link not found" in answers[0][1]


@override_settings(CUSTOMER_LINK_MISS_LIMIT="3/h")
def test_repeated_misses_are_refused_even_with_a_good_token(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    client = browser()
    statuses = [client.get(f"/offer/{links.new_token()}/").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    limited = page(client, token)
    assert limited.status_code == 429
    assert "Too many attempts" in limited.content.decode()
    assert "San Luca" not in limited.content.decode()
    other = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT=BROWSER)
    assert page(other, token).status_code == 200


@override_settings(CUSTOMER_LINK_MISS_LIMIT="3/h")
def test_good_tokens_do_not_count_as_misses(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    client = browser()
    assert all(page(client, token).status_code == 200 for _ in range(6))


def test_the_limit_page_is_in_the_visitors_language(client: Client, db: None) -> None:
    with override_settings(CUSTOMER_LINK_MISS_LIMIT="1/h"):
        client.get("/offer/nothing/")
        response = client.get("/offer/nothing/?lang=it")
    assert response.status_code == 429
    assert '<html lang="it">' in response.content.decode()


# --- Headers --------------------------------------------------------------------------------------

PROTECTIVE = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def _assert_protected(response: Any, what: str) -> None:
    for header, value in PROTECTIVE.items():
        assert response[header] == value, (what, header, response.get(header))


def test_every_kind_of_answer_carries_the_protective_headers(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    client = browser()
    answers = {
        "page": page(client, token),
        "head": client.head(reverse("offer", args=[token])),
        "pdf": client.get(reverse("offer_download", args=[token])),
        "beacon": client.get(reverse("offer_seen", args=[token, "nothing"])),
        "no receipt": client.get(reverse("offer_receipt", args=[token])),
        "invalid form": client.post(reverse("offer_accept", args=[token]), {}),
        "miss": client.get("/offer/nothing/"),
    }
    client.post(reverse("offer_accept", args=[token]), accept_data(token))
    decision = Decision.objects.get()
    key = default_storage.save(decision.receipt_storage_key(), ContentFile(b"%PDF receipt"))
    decision.receipt_status, decision.receipt_key = ReceiptStatus.READY, key
    decision.save(update_fields=["receipt_status", "receipt_key"])
    answers["receipt"] = client.get(reverse("offer_receipt", args=[token]))
    answers["refused"] = client.post(reverse("offer_accept", args=[token]), accept_data(token))
    with override_settings(CUSTOMER_LINK_MISS_LIMIT="1/h"):
        Client(REMOTE_ADDR="203.0.113.50").get("/offer/x/")
        answers["limited"] = Client(REMOTE_ADDR="203.0.113.50").get("/offer/x/")
    for what, response in answers.items():
        _assert_protected(response, what)
    assert {answers[k].status_code for k in ("miss", "limited", "refused", "head")} == {
        404,
        429,
        409,
        200,
    }


def test_an_expired_link_answer_is_protected(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    later = link_of(token).expires_at + timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = page(browser(), token)
    assert response.status_code == 410
    _assert_protected(response, "expired")


def test_the_page_keeps_the_strict_content_security_policy(project: Project, maria: User) -> None:
    token = sent_link(project, maria, "en")
    response = page(browser(), token)
    policy = response["Content-Security-Policy"]
    assert "style-src 'self'" in policy and "unsafe-inline" not in policy
    text = response.content.decode()
    assert "<style" not in text and " style=" not in text and "<script" not in text
