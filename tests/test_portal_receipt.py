"""The acceptance receipt (portal/receipt.py) and its task (portal.render_receipt): one page
that names what was accepted, by whom, when and from where, in the link's language, with
the organisation's brand as the proposal recorded it; the same decision gives the same
bytes; the task stores one file, however often it runs, and records a failure.

The text is read with pypdf; the proposals are marked rendered without rendering (the
receipt prints the proposal's recorded SHA-256, not its file)."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import TestCase
from django.utils import translation
from pypdf import PdfReader

from configurator.models import Organization, Project, User
from portal import links, receipt
from portal.models import CustomerLink, Decision, ReceiptStatus
from portal.tasks import render_receipt
from reports.models import Proposal
from reports.services import LogoMismatch, snapshot_logo

from .factories import png
from .test_pdf_archival import PDFAID, attribute, catalog, poppler, xmp
from .test_portal_links import VISITOR, approved_proposal, fresh, send

pytestmark = pytest.mark.usefixtures("sizing_table", "media_storage", "eager_tasks")

DECIDED_AT = datetime(2026, 12, 3, 14, 5, 9, tzinfo=UTC)


def branded(org: Organization) -> Organization:
    org.legal_name = "Partner One Società a responsabilità limitata"
    org.address = "Via Roma 1, 20121 Milano"
    org.vat_number = "IT01234567897"
    org.primary_color = "#123456"
    org.accent_color = "#abcdef"
    org.save()
    return org


def approved_project_with_proposal(owner: User, reviewer: User, language: str = "it") -> Proposal:
    """An approved project of `owner`'s with one rendered, approved proposal version."""
    project = Project.objects.filter(owner=owner).order_by("pk").first()
    assert project is not None
    return approved_proposal(project, reviewer, language)


def accepted(link: CustomerLink, at: datetime = DECIDED_AT) -> Decision:
    """Accepted through `link` at `at`; what follows the commit (the receipt's task, eager
    here, and the notices) runs as it does after a real commit."""
    with (
        TestCase.captureOnCommitCallbacks(execute=True),
        mock.patch("portal.links.timezone.now", return_value=at),
    ):
        return links.accept(
            fresh(link),
            link.proposal.sha256,
            VISITOR,
            full_name="Giulia Bianchi",
            role="Chief Information Officer",
            company="Ospedale San Luca S.p.A.",
        )


@pytest.fixture
def decision(project: Project, alice: User, maria: User) -> Decision:
    branded(project.organization)
    proposal = approved_project_with_proposal(alice, maria, "en")
    with mock.patch("portal.links.timezone.now", return_value=datetime(2026, 12, 1, tzinfo=UTC)):
        issued = send(proposal, alice, language="en")
    return accepted(issued.link)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def in_language(text: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def test_the_receipt_names_everything_the_acceptance_proves(decision: Decision) -> None:
    pdf = receipt.render_receipt(decision).content
    text = pdf_text(pdf)
    for shown in (
        "Acceptance receipt",
        "Three hospitals",
        "Ospedale San Luca S.p.A.",  # the customer company, from the snapshot
        f"v{decision.proposal_version}",
        "Giulia Bianchi",
        "Chief Information Officer",
        "198.51.100.7",
        "giulia@cliente.example",
        "ticked the box",
        # The site's time zone (Europe/Rome: an hour ahead of UTC in December), with it.
        "2026-12-03 15:05:09 CET (Europe/Rome)",
        "2026-12-01 01:00:00 CET",  # the link's creation
        "2026-12-31 01:00:00 CET",  # and its expiry (30 days)
        "Partner One Società a responsabilità limitata",
        "Via Roma 1, 20121 Milano",
        "IT01234567897",
    ):
        assert shown in text, shown
    assert "Firefox/140.0" in flat(text)
    assert decision.proposal_sha256 in flat(text)  # whole, however it wraps
    assert f"{decision.project_revision}" in text


def test_the_receipt_is_one_page(decision: Decision) -> None:
    assert len(PdfReader(io.BytesIO(receipt.render_receipt(decision).content)).pages) == 1


def test_the_receipt_is_one_page_with_the_longest_texts(
    project: Project, alice: User, maria: User
) -> None:
    org = branded(project.organization)
    org.legal_name, org.address = "L" * 200, "A" * 300
    org.save()
    proposal = approved_project_with_proposal(alice, maria)
    link = send(proposal, alice, recipient_email="x" * 60 + "@cliente.example").link
    decision = links.accept(
        fresh(link),
        proposal.sha256,
        links.Visitor("2001:db8::1", "Mozilla/5.0 " * 33),
        full_name="N" * 200,
        role="R " * 100,
        company="C " * 100,
    )
    pdf = receipt.render_receipt(decision).content
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert decision.proposal_sha256 in flat(pdf_text(pdf))


def test_the_receipt_is_in_the_language_of_the_link(
    project: Project, alice: User, maria: User
) -> None:
    proposal = approved_project_with_proposal(alice, maria, "en")
    decision = accepted(send(proposal, alice, language="it").link)
    text = pdf_text(receipt.render_receipt(decision).content)
    # Strings the Italian catalogue has (the receipt's own wait in locale/pending).
    assert in_language("Proposal version", "it") == "Versione della proposta"
    assert "Versione della proposta" in text
    assert "Proposal version" not in text
    assert in_language("Acceptance receipt", "it") in text
    assert PdfReader(io.BytesIO(receipt.render_receipt(decision).content)).pages


def test_the_receipt_is_pdf_a_3b_tagged_in_the_links_language_with_fonts_embedded(
    decision: Decision,
) -> None:
    pdf = receipt.render_receipt(decision).content
    metadata = xmp(pdf)
    assert attribute(metadata, f"{PDFAID}part") == "3"
    assert attribute(metadata, f"{PDFAID}conformance") == "B"
    root = catalog(pdf)
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert root["/Lang"] == "en"
    for line in poppler("pdffonts", pdf).splitlines()[2:]:
        assert line.split()[-5] == "yes", line
    assert "DejaVu-Sans-Mono" in poppler("pdffonts", pdf)  # the hash is in monospace


def test_the_receipt_wears_the_brands_colours_and_logo(
    project: Project, alice: User, maria: User
) -> None:
    org = branded(project.organization)
    logo = png(rgb=(0xAB, 0xCD, 0xEF))
    org.set_logo("image/png", hashlib.sha256(logo).hexdigest(), logo)
    org.save()
    proposal = approved_project_with_proposal(alice, maria)
    decision = accepted(send(proposal, alice).link)
    html = receipt.receipt_html(decision)
    assert "--primary: #123456" in html and "--accent: #abcdef" in html
    rendered = receipt.render_receipt(decision, snapshot_logo(decision.proposal.snapshot))
    assert rendered.refused_urls == ()
    assert len(PdfReader(io.BytesIO(rendered.content)).pages[0].images) == 1


def test_a_logo_changed_in_storage_is_not_printed(
    project: Project, alice: User, maria: User
) -> None:
    org = branded(project.organization)
    org.set_logo("image/png", hashlib.sha256(png()).hexdigest(), png())
    org.save()
    proposal = approved_project_with_proposal(alice, maria)
    # Another file where the snapshot's logo was: the store was tampered with.
    default_storage.delete(org.logo.name)
    default_storage.save(org.logo.name, ContentFile(png(rgb=(1, 2, 3))))
    decision = accepted(send(proposal, alice).link)
    with pytest.raises(LogoMismatch):
        snapshot_logo(decision.proposal.snapshot)
    decision.refresh_from_db()
    assert decision.receipt_status == ReceiptStatus.FAILED


def test_the_receipt_prints_the_snapshots_brand_not_todays(decision: Decision) -> None:
    org = decision.project.organization
    org.legal_name = "Renamed Since S.r.l."
    org.save()
    decision = Decision.objects.get(pk=decision.pk)
    text = pdf_text(receipt.render_receipt(decision).content)
    assert "Partner One Società a responsabilità limitata" in text
    assert "Renamed Since" not in text


def test_the_customers_text_is_escaped(project: Project, alice: User, maria: User) -> None:
    proposal = approved_project_with_proposal(alice, maria)
    link = send(proposal, alice).link
    decision = links.accept(
        fresh(link),
        proposal.sha256,
        VISITOR,
        full_name='<img src="https://attacker.example/x">',
        role="CIO",
        company="Acme",
    )
    html = receipt.receipt_html(decision)
    assert '<img src="https://attacker.example' not in html
    rendered = receipt.render_receipt(decision)
    assert rendered.refused_urls == ()


def test_the_same_decision_gives_the_same_bytes(decision: Decision) -> None:
    first = receipt.render_receipt(decision)
    again = receipt.render_receipt(Decision.objects.get(pk=decision.pk))
    assert first.sha256 == again.sha256
    assert first.content == again.content


# --- The task ------------------------------------------------------------------------------


def test_the_acceptance_queues_the_receipt_and_the_task_stores_it(
    decision: Decision, media_storage: Path
) -> None:
    # The decision's commit ran the task (eager): the receipt is ready and stored.
    decision.refresh_from_db()
    assert decision.receipt_status == ReceiptStatus.READY
    assert decision.receipt_key == decision.receipt_storage_key()
    with default_storage.open(decision.receipt_key, "rb") as handle:
        stored = handle.read()
    assert hashlib.sha256(stored).hexdigest() == decision.receipt_sha256
    assert decision.receipt_rendered_at is not None
    assert len(PdfReader(io.BytesIO(stored)).pages) == 1


def test_rendering_twice_leaves_one_file_and_the_same_hash(
    decision: Decision, media_storage: Path
) -> None:
    decision.refresh_from_db()
    first = decision.receipt_sha256
    render_receipt.delay(decision.pk)
    decision.refresh_from_db()
    assert decision.receipt_sha256 == first
    receipts = list((media_storage / "receipts").rglob("*.pdf"))
    assert [path.name for path in receipts] == [f"receipt-{decision.pk}.pdf"]


def test_a_permanent_failure_marks_the_receipt_failed(decision: Decision) -> None:
    with mock.patch("portal.tasks.receipt.render_receipt", side_effect=ValueError("bad layout")):
        render_receipt.delay(decision.pk)
    decision.refresh_from_db()
    assert decision.receipt_status == ReceiptStatus.FAILED
    assert "bad layout" in decision.receipt_error


def test_a_transient_failure_is_tried_again(decision: Decision) -> None:
    real = receipt.render_receipt
    calls: list[int] = []

    def flaky(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("storage unreachable")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    Decision.objects.filter(pk=decision.pk).update(receipt_status=ReceiptStatus.QUEUED)
    with mock.patch("portal.tasks.receipt.render_receipt", side_effect=flaky):
        render_receipt.delay(decision.pk)
    decision.refresh_from_db()
    assert len(calls) == 2
    assert decision.receipt_status == ReceiptStatus.READY


def test_a_transient_failure_that_lasts_leaves_it_failed(decision: Decision) -> None:
    Decision.objects.filter(pk=decision.pk).update(receipt_status=ReceiptStatus.QUEUED)
    with mock.patch(
        "portal.tasks.receipt.render_receipt", side_effect=ConnectionError("storage down")
    ):
        render_receipt.delay(decision.pk)
    decision.refresh_from_db()
    assert decision.receipt_status == ReceiptStatus.FAILED
    assert "storage down" in decision.receipt_error


def test_a_decline_has_no_receipt(project: Project, alice: User, maria: User) -> None:
    proposal = approved_project_with_proposal(alice, maria)
    link = send(proposal, alice).link
    decision = links.decline(fresh(link), proposal.sha256, VISITOR, reason="Too expensive")
    decision.refresh_from_db()
    assert decision.receipt_status == ReceiptStatus.NONE
    render_receipt.delay(decision.pk)
    decision.refresh_from_db()
    assert decision.receipt_status == ReceiptStatus.NONE
    assert not default_storage.exists(decision.receipt_storage_key())


def test_a_broker_refusal_leaves_the_receipt_queued_for_the_sweep(
    project: Project, alice: User, maria: User
) -> None:
    from kombu.exceptions import OperationalError

    from portal import notifications

    proposal = approved_project_with_proposal(alice, maria)
    link = send(proposal, alice).link
    with (
        mock.patch.object(render_receipt, "delay", side_effect=OperationalError("broker down")),
        mock.patch.object(notifications, "send_notice"),
    ):
        decision = accepted(link, datetime(2026, 12, 3, tzinfo=UTC))
    decision.refresh_from_db()
    assert decision.receipt_status == ReceiptStatus.QUEUED
    # Still queued minutes later: the sweep sends it again and the worker renders it.
    assert notifications.publish_waiting_receipts() == 1
    decision.refresh_from_db()
    assert decision.receipt_status == ReceiptStatus.READY


def test_the_sweep_leaves_a_receipt_queued_just_now(
    project: Project, alice: User, maria: User
) -> None:
    from portal import notifications

    proposal = approved_project_with_proposal(alice, maria)
    link = send(proposal, alice).link
    with mock.patch.object(render_receipt, "delay"):
        decision = links.accept(
            fresh(link), proposal.sha256, VISITOR, full_name="G", role="R", company="C"
        )
    assert notifications.publish_waiting_receipts() == 0
    decision.refresh_from_db()
    assert decision.receipt_status == ReceiptStatus.QUEUED


def test_the_workers_outbox_sweep_sends_the_waiting_receipts(
    project: Project, alice: User, maria: User
) -> None:
    from kombu.exceptions import OperationalError

    from config.celery import sweep_outbox
    from portal import notifications

    proposal = approved_project_with_proposal(alice, maria)
    link = send(proposal, alice).link
    with (
        mock.patch.object(render_receipt, "delay", side_effect=OperationalError("broker down")),
        mock.patch.object(notifications, "send_notice"),
    ):
        decision = accepted(link, datetime(2026, 12, 3, tzinfo=UTC))
    # The sweep closes the worker's connections afterwards; the test's must stay open.
    with mock.patch("django.db.connections.close_all"):
        sweep_outbox()
    decision.refresh_from_db()
    assert decision.receipt_status == ReceiptStatus.READY
