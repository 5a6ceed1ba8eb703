"""Approved proposals and the draft mark: a proposal made from an approved revision says who
approved it and when; any other carries "Draft – not approved" on every page of its PDF (a
band at the top, a light diagonal watermark), so an unapproved offer cannot pass for a
final one; the proposal list shows which is which. The PDF's text is read per page with
pdftotext, as test_pdf_flow does."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from configurator.models import Project, ProjectStatus, User
from reports.context import proposal_context
from reports.models import Proposal
from reports.render import render_pdf
from reports.snapshot import approval_record, build_snapshot, create_proposal
from review.models import Action, Transition

from .factories import add_sites, parse_html, signed_in
from .test_pdf_archival import catalog
from .test_pdf_flow import filled, flat, page_pictures, page_texts

pytestmark = pytest.mark.usefixtures("sizing_table", "media_storage")

MARK = {"en": "Draft – not approved", "it": "Bozza – non approvata"}
APPROVED_AT = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
APPROVAL_LINE = {
    "en": "Approved on 30 Nov 2026 by Maria (revision 1)",
    "it": "Approvata il 30 novembre 2026 da Maria (revisione 1)",
}


def translated(text: str, language: str) -> str:
    """`text` in `language` as the catalogue has it now (the Italian of this feature waits in
    locale/pending/pdfmark.tsv until the catalogue is merged)."""
    with translation.override(language):
        return translation.gettext(text)


def expected_mark(language: str) -> str:
    mark = translated(MARK["en"], language)
    if mark != MARK["en"]:
        assert mark == MARK[language]
    return mark


def approve(project: Project, by: User, at: datetime = APPROVED_AT) -> Project:
    """Approve the project's current revision as review.workflow.approve records it: its
    transition row and the status (set directly, as the workflow's own UPDATE does)."""
    Transition.objects.create(
        project=project,
        action=Action.APPROVE,
        from_status=ProjectStatus.IN_REVIEW,
        to_status=ProjectStatus.APPROVED,
        revision=project.revision,
        actor=by,
        at=at,
    )
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.APPROVED)
    project.refresh_from_db()
    return project


def pdf_title(pdf: bytes) -> str:
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None and info.title
    return str(info.title)


def figure_alternatives(node: Any, found: list[str]) -> list[str]:
    """The alternative texts of the tagged PDF's figures, in the structure tree's order."""
    node = node.get_object()
    if isinstance(node, DictionaryObject):
        if node.get("/S") == "/Figure":
            found.append(str(node.get("/Alt", "")))
        if "/K" in node:
            figure_alternatives(node["/K"], found)
    elif isinstance(node, list):
        for kid in node:
            figure_alternatives(kid, found)
    return found


def pdf_of(proposal: Proposal) -> bytes:
    rendered = render_pdf(proposal.snapshot, None, proposal.version)
    assert rendered.refused_urls == ()
    return rendered.content


# --- What the snapshot records ------------------------------------------------------------


def test_a_proposal_of_a_draft_records_that_it_is_not_approved(
    project: Project, alice: User
) -> None:
    proposal = create_proposal(add_sites(project), "en", alice)
    assert proposal.snapshot["approval"] == {"approved": False}
    assert not proposal.is_approved


def test_a_proposal_of_an_approved_revision_records_who_approved_it_and_when(
    project: Project, alice: User, maria: User
) -> None:
    proposal = create_proposal(approve(add_sites(project), maria), "en", alice)
    assert proposal.snapshot["approval"] == {
        "approved": True,
        "revision": 1,
        "by": "Maria",
        "at": "2026-11-30T10:30:00+01:00",  # the approval's time, in the project's time zone
    }
    assert proposal.is_approved


def test_the_latest_approval_of_the_revision_is_the_one_recorded(
    project: Project, maria: User, adam: User
) -> None:
    approve(add_sites(project), maria)
    approve(project, adam, datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    assert approval_record(project, build_snapshot(project, "en", None))["by"] == "Adam"


def test_an_approved_status_without_the_approval_of_its_revision_is_not_approved(
    project: Project, maria: User
) -> None:
    """An approval of another revision (or none at all) names nobody for this one: the
    proposal stays a draft rather than claim an approval nobody recorded."""
    approve(add_sites(project), maria)
    Project.objects.filter(pk=project.pk).update(revision=2)
    project.refresh_from_db()
    assert project.status == ProjectStatus.APPROVED
    assert approval_record(project, build_snapshot(project, "en", None)) == {"approved": False}


def test_an_older_snapshot_without_the_record_counts_as_not_approved(project: Project) -> None:
    snapshot = build_snapshot(add_sites(project), "en", None)
    assert "approval" not in snapshot
    assert not Proposal(snapshot=snapshot).is_approved
    context = proposal_context(snapshot, 1)
    assert (context["approved"], context["approval"]) == (False, "")


# --- What the PDF says --------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_pdf_of_a_draft_says_draft_not_approved_on_every_page(
    project: Project, alice: User, language: str
) -> None:
    pdf = pdf_of(create_proposal(add_sites(project), language, alice))
    mark = expected_mark(language)
    texts = [flat(text) for text in page_texts(pdf)]
    assert len(texts) >= 8
    for number, text in enumerate(texts, start=1):
        # Once per page, upright and whole: the watermark is drawn, not written.
        assert text.count(mark) == 1, f"page {number}: {text[:120]}"
    # A screen reader meets it on every page too: the watermark's alternative text.
    alternatives = figure_alternatives(catalog(pdf)["/StructTreeRoot"], [])
    assert alternatives.count(mark) == len(texts)
    approved_on = translated("Approved on %(date)s by %(name)s (revision %(revision)s)", language)
    assert approved_on.split("%(date)s")[0].strip() not in " ".join(texts)
    # And its title, which file managers and readers show before any page.
    assert pdf_title(pdf).endswith(f" · {mark}")


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_pdf_of_an_approved_revision_has_no_mark_and_says_who_approved_it(
    project: Project, alice: User, maria: User, language: str
) -> None:
    pdf = pdf_of(create_proposal(approve(add_sites(project), maria), language, alice))
    texts = [flat(text) for text in page_texts(pdf)]
    for number, text in enumerate(texts, start=1):
        assert MARK["en"] not in text and MARK["it"] not in text, f"page {number}"
    alternatives = figure_alternatives(catalog(pdf)["/StructTreeRoot"], [])
    assert not {MARK["en"], MARK["it"]} & set(alternatives)
    assert MARK["en"] not in pdf_title(pdf) and MARK["it"] not in pdf_title(pdf)
    message = "Approved on %(date)s by %(name)s (revision %(revision)s)"
    if language == "en" or translated(message, language) != message:
        assert APPROVAL_LINE[language] in texts[0]  # on the cover
    else:  # the catalogue does not have the sentence yet: the date is still Italian
        assert "30 novembre 2026 by Maria (revision 1)" in texts[0]


def test_a_change_after_the_approval_makes_the_next_proposal_a_draft_and_keeps_the_first(
    project: Project, alice: User, maria: User
) -> None:
    approved = create_proposal(approve(add_sites(project), maria), "en", alice)
    project.title = "Three hospitals and a clinic"
    assert project.save_revision(project.revision, by=alice)
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT  # the change sent it back (Project model)

    draft = create_proposal(project, "en", alice)
    approved.refresh_from_db()
    assert approved.is_approved and approved.snapshot["approval"]["revision"] == 1
    assert not draft.is_approved and draft.snapshot["project"]["revision"] == 2
    texts = [flat(text) for text in page_texts(pdf_of(draft))]
    assert all(text.count(MARK["en"]) == 1 for text in texts)
    assert "Approved on" not in " ".join(texts)


def test_the_mark_changes_neither_the_layout_nor_the_text_nor_the_reproducible_bytes(
    project: Project,
) -> None:
    """The same pages, filled as far down, with the same words but the band's: the watermark
    adds no ink the layout tests would count (test_pdf_flow) and no text; and a snapshot,
    approved or not, still gives the same bytes every time."""
    draft = build_snapshot(add_sites(project), "en", None)
    approved: dict[str, Any] = {
        **draft,
        "approval": {
            "approved": True,
            "revision": 1,
            "by": "Maria",
            "at": "2026-11-30T10:30:00+01:00",
        },
    }
    marked, clean = render_pdf(draft, None, 1), render_pdf(approved, None, 1)
    assert render_pdf(approved, None, 1).sha256 == clean.sha256
    assert render_pdf(draft, None, 1).sha256 == marked.sha256
    marked_fills = [filled(page) for page in page_pictures(marked.content, "approval-draft")]
    clean_fills = [filled(page) for page in page_pictures(clean.content, "approval-approved")]
    assert marked_fills[1:] == clean_fills[1:]
    marked_texts = [flat(text) for text in page_texts(marked.content)]
    clean_texts = [flat(text) for text in page_texts(clean.content)]
    pairs = zip(marked_texts, clean_texts, strict=True)  # as many pages
    for number, (with_mark, without) in enumerate(pairs, start=1):
        if number == 1:
            continue  # the cover: the band there, the approval line here
        # The same words (pdftotext may order the header line's boxes differently with the
        # band between them; the reading order is test_pdf_archival's, on marked PDFs).
        words = sorted(with_mark.replace(MARK["en"], "").split())
        assert words == sorted(without.split()), f"page {number}"


# --- The proposal list ----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_proposals_page_badges_each_version_approved_or_draft(
    project: Project, alice: User, maria: User, language: str
) -> None:
    draft = create_proposal(add_sites(project), "en", alice)
    approved = create_proposal(approve(project, maria), "it", alice)
    client = signed_in(alice, headers={"accept-language": language})
    page = parse_html(client.get(reverse("project_proposals", args=[project.pk])).content)
    rows = {row.attrs.get("id"): row for row in page.find_all("tr")}
    draft_row, approved_row = rows[f"proposal-{draft.pk}"], rows[f"proposal-{approved.pk}"]
    mark, approved_label = expected_mark(language), translated("Approved", language)
    assert draft_row.find("span", "badge--draft").text == mark
    assert approved_row.find("span", "badge--approved").text == approved_label
    assert not draft_row.find_all("span", "badge--approved")
    assert not approved_row.find_all("span", "badge--draft")
    if language == "it":
        assert approved_label == "Approvato"  # the review's word for the same state
