"""The review's pages (review/views.py): the transitions' endpoints for each persona, the
project page's review panel, the reviewer's page with what changed, the warning before
saving a reviewed project, in English and Italian.

alice owns the project; bob is her teammate; maria manages the organisation; adam
administers it; charlie is of another organisation (tests/conftest.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from configurator.models import Project, ProjectStatus, User
from review import workflow
from review.models import Action, Transition

from .factories import add_sites, parse_html, signed_in

pytestmark = pytest.mark.usefixtures("sizing_table")

ENDPOINTS = ["project_submit", "project_recall", "project_approve", "project_send_back"]
COMMENT = "Count the Lodi phones again."


@pytest.fixture
def sized(project: Project) -> Project:
    return add_sites(project)


def _in_review(project: Project) -> Project:
    workflow.submit(project, project.owner)
    return Project.objects.get(pk=project.pk)


def _state(project: Project) -> tuple[Any, ...]:
    fresh = Project.objects.get(pk=project.pk)
    return fresh.status, fresh.revision, Transition.objects.filter(project=project).count()


def _post(client: Client, name: str, project: Project, **data: Any) -> Any:
    data.setdefault("revision", str(project.revision))
    if name == "project_send_back":
        data.setdefault("comment", COMMENT)
    return client.post(reverse(name, args=[project.pk]), data)


def _buttons(response: Any) -> list[str]:
    panel = next(
        section
        for section in parse_html(response.content).find_all("section")
        if section.attrs.get("id") == "review"
    )
    return [element.text for element in panel.find_all("button") + panel.find_all("a")]


# endpoint → persona → status. Submit on a draft, the others on a project in review.
EXPECTED = {
    "project_submit": {"alice": 302, "bob": 404, "maria": 403, "adam": 403, "charlie": 404},
    "project_recall": {"alice": 302, "bob": 404, "maria": 403, "adam": 403, "charlie": 404},
    "project_approve": {"alice": 403, "bob": 404, "maria": 302, "adam": 302, "charlie": 404},
    "project_send_back": {"alice": 403, "bob": 404, "maria": 302, "adam": 302, "charlie": 404},
}


@pytest.mark.parametrize(
    ("name", "persona", "expected"),
    [
        pytest.param(name, persona, status, id=f"{name}-{persona}")
        for name, row in EXPECTED.items()
        for persona, status in row.items()
    ],
)
def test_each_endpoint_for_each_persona(
    request: pytest.FixtureRequest, sized: Project, name: str, persona: str, expected: int
) -> None:
    user: User = request.getfixturevalue(persona)
    project = sized if name == "project_submit" else _in_review(sized)
    before = _state(project)

    response = _post(signed_in(user), name, project)

    assert response.status_code == expected
    if expected == 302:
        assert response["Location"] == project.get_absolute_url()
        assert _state(project)[2] == before[2] + 1
    else:
        assert _state(project) == before
    if expected == 403:
        # The refusal is the project's review panel with the reason.
        assertContains(response, 'id="review"', status_code=403)
        assertContains(response, "alert--error", status_code=403)


def test_a_transition_on_the_wrong_status_is_a_conflict_with_the_reason(
    sized: Project, maria: User
) -> None:
    before = _state(sized)
    response = _post(signed_in(maria), "project_approve", sized)
    assertContains(
        response,
        "Only a project in review can be approved or sent back; this project is Draft.",
        status_code=409,
    )
    assert _state(sized) == before


def test_a_stale_page_is_refused_as_changed_meanwhile(sized: Project, maria: User) -> None:
    project = _in_review(sized)
    before = _state(project)
    response = _post(signed_in(maria), "project_approve", project, revision=project.revision + 1)
    assertContains(response, "The project changed meanwhile", status_code=409)
    assert _state(project) == before


def test_a_missing_revision_is_refused_too(sized: Project, maria: User) -> None:
    project = _in_review(sized)
    before = _state(project)
    response = signed_in(maria).post(reverse("project_approve", args=[project.pk]), {})
    assertContains(response, "The project changed meanwhile", status_code=409)
    assert _state(project) == before


def test_sending_back_without_a_comment_keeps_the_form(sized: Project, maria: User) -> None:
    project = _in_review(sized)
    before = _state(project)
    response = _post(signed_in(maria), "project_send_back", project, comment="  ")
    assertContains(response, "sending a project back needs a comment", status_code=400)
    assertContains(response, 'name="comment"', status_code=400)
    assert _state(project) == before


def test_an_unsizable_project_is_not_submitted(project: Project, alice: User) -> None:
    response = _post(signed_in(alice), "project_submit", project)
    assertContains(response, "Add at least one site", status_code=409)
    assert _state(project) == (ProjectStatus.DRAFT, 1, 0)


def test_a_transition_says_what_it_did(sized: Project, alice: User) -> None:
    url = reverse("project_submit", args=[sized.pk])
    response = signed_in(alice).post(url, {"revision": "1"}, follow=True)
    assertContains(response, "Project submitted for review (revision 1).")


@pytest.mark.parametrize("name", ENDPOINTS)
def test_the_endpoints_take_post_only(sized: Project, alice: User, name: str) -> None:
    response = signed_in(alice).get(reverse(name, args=[sized.pk]))
    assert response.status_code == 405


# --- The project page's panel ---------------------------------------------------------------


def test_the_owner_of_a_draft_sees_submit_and_the_manager_nothing_to_press(
    sized: Project, alice: User, maria: User
) -> None:
    url = sized.get_absolute_url()
    assert _buttons(signed_in(alice).get(url)) == ["Submit for review"]
    assert _buttons(signed_in(maria).get(url)) == []


def test_in_review_the_owner_may_recall_and_the_manager_review(
    sized: Project, alice: User, maria: User, adam: User
) -> None:
    url = _in_review(sized).get_absolute_url()
    assert _buttons(signed_in(alice).get(url)) == ["Recall from review"]
    assert _buttons(signed_in(maria).get(url)) == ["Review: approve or send back"]
    assert _buttons(signed_in(adam).get(url)) == ["Review: approve or send back"]


def test_the_panel_shows_the_record_and_the_last_send_back_comment(
    sized: Project, alice: User, maria: User
) -> None:
    workflow.send_back(_in_review(sized), maria, COMMENT)
    response = signed_in(alice).get(sized.get_absolute_url())
    panel = parse_html(response.content).find("section", "review")
    assert "Sent back by Maria on" in panel.text
    rows = [row.text for row in panel.find("tbody").find_all("tr")]
    assert " Maria Sent back In review → Draft 1 " + COMMENT in rows[0]
    assert " Alice Submitted for review Draft → In review 1 —" in rows[1]


def test_a_change_after_approval_shows_in_the_record(
    sized: Project, alice: User, maria: User
) -> None:
    project = _in_review(sized)
    workflow.approve(project, maria, "Good.")
    assert project.bump_revision(project.revision, by=alice)
    response = signed_in(maria).get(project.get_absolute_url())
    first = parse_html(response.content).find("section", "review").find("tbody").find_all("tr")[0]
    assert "Alice Changed after review Approved → Draft 2" in first.text


# --- The reviewer's page --------------------------------------------------------------------


def test_a_first_review_has_nothing_to_compare(sized: Project, maria: User) -> None:
    response = signed_in(maria).get(reverse("project_review", args=[_in_review(sized).pk]))
    assertContains(response, "this is its first review")
    assertContains(response, 'formaction="' + reverse("project_send_back", args=[sized.pk]))


def test_on_resubmission_the_reviewer_sees_what_changed(
    sized: Project, alice: User, maria: User
) -> None:
    workflow.send_back(_in_review(sized), maria, "Two TVox systems, and no Lodi.")
    owner = signed_in(alice)
    data = {"tvox_systems": "2", "concurrency": "1", "revision": "1"}
    assert owner.post(reverse("project_questionnaire", args=[sized.pk]), data).status_code == 302
    lodi = sized.sites.get(name="Lodi")
    delete = reverse("site_delete", args=[sized.pk, lodi.pk])
    assert owner.post(delete, {"revision": "2"}).status_code == 302
    assert _post(owner, "project_submit", Project.objects.get(pk=sized.pk)).status_code == 302

    response = signed_in(maria).get(reverse("project_review", args=[sized.pk]))

    changes = next(
        section
        for section in parse_html(response.content).find_all("section")
        if section.attrs.get("id") == "changes"
    )
    assert "Revision 1 (submitted on" in changes.text
    assert "revision 3 is submitted now" in changes.text
    assert "Reviewed (revision 1) Now (revision 3)" in changes.text
    changed = {
        row.find("th").text.split(" (")[0]: [cell.text for cell in row.find_all("td")]
        for row in changes.find_all("tr", "diff-changed")
    }
    assert changed["TVox systems"] == ["1", "2"]
    assert "Lodi" in changes.find("li", "diff-removed").text
    assertNotContains(response, "this is its first review")


def test_the_owner_sees_the_review_page_without_its_form(sized: Project, alice: User) -> None:
    response = signed_in(alice).get(reverse("project_review", args=[_in_review(sized).pk]))
    assertContains(response, "a manager of the organisation who does not own the project")
    assertNotContains(response, 'name="comment"')


def test_approving_from_the_review_page_records_the_comment(sized: Project, maria: User) -> None:
    project = _in_review(sized)
    response = _post(signed_in(maria), "project_approve", project, comment="Sizing checked.")
    assert response.status_code == 302
    last = Transition.objects.filter(project=project).last()
    assert last is not None
    assert (last.action, last.comment, last.revision) == (Action.APPROVE, "Sizing checked.", 1)


# --- The warning before saving ----------------------------------------------------------------

APPROVED_WARNING = "This project is approved: saving sends it back to draft"
IN_REVIEW_WARNING = "This project is in review: saving sends it back to draft"
PAGES = ["project_edit", "project_questionnaire", "project_sites", "sites_import"]


@pytest.mark.parametrize("name", PAGES)
def test_each_editing_page_warns_before_saving_an_approved_project(
    sized: Project, alice: User, maria: User, name: str
) -> None:
    client = signed_in(alice)
    url = reverse(name, args=[sized.pk])
    assertNotContains(client.get(url), "saving sends it back to draft")
    project = _in_review(sized)
    assertContains(client.get(url), IN_REVIEW_WARNING)
    workflow.approve(project, maria)
    assertContains(client.get(url), APPROVED_WARNING)


@pytest.mark.parametrize("name", ["project_questionnaire", "project_sites"])
def test_a_read_only_viewer_is_not_warned_about_saving(
    sized: Project, maria: User, name: str
) -> None:
    project = _in_review(sized)
    workflow.approve(project, maria)
    assertNotContains(signed_in(maria).get(reverse(name, args=[sized.pk])), "saving sends it")


# --- In Italian --------------------------------------------------------------------------------


def _italian(text: str) -> str:
    with translation.override("it"):
        return str(translation.gettext(text))


def test_the_review_panel_reads_italian(sized: Project, alice: User) -> None:
    project = _in_review(sized)
    response = signed_in(alice).get(project.get_absolute_url(), headers={"Accept-Language": "it"})
    assertContains(response, "In revisione")  # the status, in the catalogue already
    italian = _italian("Recall from review")
    assert italian != "Recall from review", "the Italian catalogue lacks the review's text"
    assertContains(response, italian)
    assertContains(response, _italian("Record of the review"))


def test_the_success_message_reads_the_language_of_the_request(sized: Project, alice: User) -> None:
    """The messages are read per request: one fixed at import would stay English."""
    response = signed_in(alice).post(
        reverse("project_submit", args=[sized.pk]),
        {"revision": str(sized.revision)},
        headers={"Accept-Language": "it"},
        follow=True,
    )
    italian = _italian("Project submitted for review (revision %(n)d).") % {"n": sized.revision}
    assert italian.startswith("Progetto")
    assertContains(response, italian)


def test_a_refusal_reads_italian(sized: Project, maria: User) -> None:
    english = "Only a project in review can be approved or sent back; this project is %(status)s."
    italian = _italian(english)
    assert italian != english, "the Italian catalogue lacks the review's text"
    response = signed_in(maria).post(
        reverse("project_approve", args=[sized.pk]),
        {"revision": "1"},
        headers={"Accept-Language": "it"},
    )
    assertContains(response, italian % {"status": "Bozza"}, status_code=409)


# --- The status changes by the transitions only -------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "maria", "adam"])
@pytest.mark.parametrize("status", [ProjectStatus.IN_REVIEW, ProjectStatus.APPROVED])
def test_a_new_project_is_never_created_reviewed(
    request: pytest.FixtureRequest, customer: Any, persona: str, status: str
) -> None:
    """The project form's status cannot skip the review: a new project is a draft."""
    client = signed_in(request.getfixturevalue(persona))
    data = {"customer": str(customer.pk), "title": "Skipped review", "status": status}
    response = client.post(reverse("project_create"), data)
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    assert not Project.objects.filter(title="Skipped review").exists()


@pytest.mark.parametrize("status", [ProjectStatus.DRAFT, ProjectStatus.APPROVED])
def test_the_edit_form_offers_only_the_current_status(
    sized: Project, maria: User, adam: User, status: str
) -> None:
    """Saving never changes the status (Project._claim_revision): the form does not offer
    what it would not do."""
    if status == ProjectStatus.APPROVED:
        workflow.approve(_in_review(sized), maria)
    response = signed_in(adam).get(reverse("project_edit", args=[sized.pk]))
    choices = [value for value, _label in response.context["form"].fields["status"].choices]
    assert choices == [status]


def test_an_approval_of_an_older_sizing_table_says_so_and_can_be_withdrawn(
    sized: Project, alice: User, maria: User
) -> None:
    from .factories import newer_sizing_table

    workflow.approve(_in_review(sized), maria)
    page = signed_in(alice).get(sized.get_absolute_url())
    assertNotContains(page, "is in effect now")
    newer = newer_sizing_table(min_bandwidth_mbps=999)

    page = signed_in(alice).get(sized.get_absolute_url())

    assertContains(page, f"version {newer.version} is in effect now")
    assertContains(page, "Withdraw the approval")
    response = signed_in(alice).post(
        reverse("project_recall", args=[sized.pk]), {"revision": str(sized.revision)}
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=sized.pk).status == ProjectStatus.DRAFT
