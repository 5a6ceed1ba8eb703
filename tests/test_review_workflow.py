"""The review's transitions (review/workflow.py): every transition for every persona,
allowed or refused with nothing changed; two transitions on the same read give one winner;
an approval lapses on every kind of change, through the real views.

alice (sales engineer) owns the project; bob is her teammate; maria manages the
organisation; adam administers it; charlie and olivia (a manager) are of another
organisation. A project maria owns stands for "the manager who owns the project".
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse

from configurator.models import Organization, Project, ProjectStatus, Role, Site, User
from review import workflow
from review.models import Action, Transition
from review.workflow import TransitionRefused

from .factories import add_sites, make_customer, make_project, make_user, signed_in, site_data
from .spreadsheets import HEADER, csv_file, token_of, upload

ALLOWED = "allowed"

pytestmark = pytest.mark.usefixtures("sizing_table")


@pytest.fixture
def olivia(other_org: Organization) -> User:
    return make_user(other_org, "olivia", Role.MANAGER)


@pytest.fixture
def sized(project: Project) -> Project:
    """alice's project with three sites: it can be sized, so submitted."""
    return add_sites(project)


def _state(project: Project) -> tuple[Any, ...]:
    fresh = Project.objects.get(pk=project.pk)
    return fresh.status, fresh.revision, Transition.objects.filter(project=project).count()


def _in_review(project: Project) -> Project:
    workflow.submit(project, project.owner)
    return Project.objects.get(pk=project.pk)


def _make(action: str, project: Project, user: User) -> Transition:
    if action == Action.SUBMIT:
        return workflow.submit(project, user)
    if action == Action.RECALL:
        return workflow.recall(project, user)
    if action == Action.APPROVE:
        return workflow.approve(project, user, "Looks right.")
    return workflow.send_back(project, user, "Count the Lodi phones again.")


# action → persona → ALLOWED or the refusal's status. The project is alice's; it is a draft
# for a submission and in review for the others.
EXPECTED = {
    Action.SUBMIT: {
        "alice": ALLOWED,
        "bob": 403,
        "maria": 403,
        "adam": 403,
        "charlie": 403,
        "olivia": 403,
    },
    Action.RECALL: {
        "alice": ALLOWED,
        "bob": 403,
        "maria": 403,
        "adam": 403,
        "charlie": 403,
        "olivia": 403,
    },
    Action.APPROVE: {
        "alice": 403,
        "bob": 403,
        "maria": ALLOWED,
        "adam": ALLOWED,  # the organisation has one manager
        "charlie": 403,
        "olivia": 403,
    },
    Action.SEND_BACK: {
        "alice": 403,
        "bob": 403,
        "maria": ALLOWED,
        "adam": ALLOWED,
        "charlie": 403,
        "olivia": 403,
    },
}
TO_STATUS = {
    Action.SUBMIT: ProjectStatus.IN_REVIEW,
    Action.RECALL: ProjectStatus.DRAFT,
    Action.APPROVE: ProjectStatus.APPROVED,
    Action.SEND_BACK: ProjectStatus.DRAFT,
}


@pytest.mark.parametrize(
    ("action", "persona", "expected"),
    [
        pytest.param(action, persona, expected, id=f"{action}-{persona}")
        for action, row in EXPECTED.items()
        for persona, expected in row.items()
    ],
)
def test_each_transition_for_each_persona(
    request: pytest.FixtureRequest, sized: Project, action: str, persona: str, expected: Any
) -> None:
    user: User = request.getfixturevalue(persona)
    project = sized if action == Action.SUBMIT else _in_review(sized)
    before = _state(project)
    # The page shows the button exactly when the transition is allowed.
    assert workflow.allowed_actions(project, user).count(action) == (expected == ALLOWED)

    if expected == ALLOWED:
        transition = _make(action, project, user)
        assert (transition.actor, transition.action) == (user, action)
        assert Project.objects.get(pk=project.pk).status == TO_STATUS[action]
        assert _state(project)[2] == before[2] + 1
    else:
        with pytest.raises(TransitionRefused) as refused:
            _make(action, project, user)
        assert refused.value.status == expected
        assert refused.value.message
        assert _state(project) == before


@pytest.fixture
def marias_project(maria: User) -> Project:
    return add_sites(make_project(maria, make_customer(maria.organization, maria), "Her own"))


def test_a_manager_submits_and_recalls_her_own_project(marias_project: Project) -> None:
    maria = marias_project.owner
    workflow.submit(marias_project, maria)
    workflow.recall(marias_project, maria)
    assert Project.objects.get(pk=marias_project.pk).status == ProjectStatus.DRAFT


@pytest.mark.parametrize("make", [workflow.approve, workflow.send_back])
def test_a_manager_never_reviews_her_own_project(marias_project: Project, make: Any) -> None:
    project = _in_review(marias_project)
    before = _state(project)
    with pytest.raises(TransitionRefused, match="four eyes") as refused:
        make(project, project.owner, "Fine by me.")
    assert refused.value.status == 403
    assert _state(project) == before


def test_the_administrator_approves_the_only_managers_project(
    marias_project: Project, adam: User
) -> None:
    project = _in_review(marias_project)
    workflow.approve(project, adam)
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.APPROVED


@pytest.mark.parametrize("make", [workflow.approve, workflow.send_back])
def test_where_there_are_two_managers_the_administrator_does_not_review(
    org: Organization, marias_project: Project, adam: User, make: Any
) -> None:
    marco = make_user(org, "marco", Role.MANAGER)
    project = _in_review(marias_project)
    before = _state(project)
    with pytest.raises(TransitionRefused, match="at most one manager") as refused:
        make(project, adam, "Fine.")
    assert refused.value.status == 403
    assert _state(project) == before
    make(project, marco, "Fine.")  # the other manager does
    assert _state(project)[2] == before[2] + 1


def test_an_inactive_second_manager_leaves_the_review_to_the_administrator(
    org: Organization, marias_project: Project, adam: User
) -> None:
    marco = make_user(org, "marco", Role.MANAGER)
    marco.is_active = False
    marco.save()
    workflow.approve(_in_review(marias_project), adam)


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (Action.SUBMIT, ProjectStatus.IN_REVIEW),
        (Action.SUBMIT, ProjectStatus.APPROVED),
        (Action.RECALL, ProjectStatus.DRAFT),
        (Action.RECALL, ProjectStatus.SENT),
        (Action.APPROVE, ProjectStatus.DRAFT),
        (Action.APPROVE, ProjectStatus.APPROVED),
        (Action.SEND_BACK, ProjectStatus.DRAFT),
        (Action.SEND_BACK, ProjectStatus.SENT),
    ],
)
def test_a_transition_from_the_wrong_status_is_refused_as_a_conflict(
    sized: Project, alice: User, maria: User, action: str, status: str
) -> None:
    Project.objects.filter(pk=sized.pk).update(status=status)
    project = Project.objects.get(pk=sized.pk)
    before = _state(project)
    user = alice if action in (Action.SUBMIT, Action.RECALL) else maria
    with pytest.raises(TransitionRefused) as refused:
        _make(action, project, user)
    assert refused.value.status == 409
    assert str(ProjectStatus(status).label) in refused.value.message
    assert _state(project) == before
    assert action not in workflow.allowed_actions(project, user)


def test_a_newer_sizing_table_makes_the_next_proposal_a_draft_until_reviewed_again(
    sized: Project, alice: User, maria: User
) -> None:
    """Nobody approved the figures a newer table gives: the approved project's next
    proposal is a draft; the owner withdraws the approval, submits again, and the new
    approval makes approved proposals again."""
    from reports.snapshot import create_proposal

    from .factories import newer_sizing_table

    workflow.approve(_in_review(sized), maria)
    before = create_proposal(sized, "en", alice)
    newer_sizing_table(min_bandwidth_mbps=999)

    after = create_proposal(sized, "en", alice)

    assert before.is_approved and not after.is_approved
    assert after.snapshot["approval"]["approved_table_version"] == before.table_version
    project = Project.objects.get(pk=sized.pk)
    assert Action.RECALL in workflow.allowed_actions(project, alice)
    workflow.recall(project, alice)
    workflow.approve(_in_review(Project.objects.get(pk=sized.pk)), maria)
    assert create_proposal(sized, "en", alice).is_approved


def test_a_project_that_cannot_be_sized_is_not_submitted(project: Project, alice: User) -> None:
    before = _state(project)
    with pytest.raises(TransitionRefused, match="Add at least one site") as refused:
        workflow.submit(project, alice)
    assert refused.value.status == 409
    assert _state(project) == before


@pytest.mark.parametrize(
    ("comment", "says"),
    [
        ("", "needs a comment"),
        ("   \n ", "needs a comment"),
        # Joiners, fillers and blank patterns show nothing: no comment either.
        *[(blank, "needs a comment") for blank in ("\u200d", "\u200c\u200d", "\u3164")],
        *[(blank, "needs a comment") for blank in ("\u2800", "\u115f", "\U000e0020")],
        ("Fix\u202e this", r"U\+202E"),
        ("x" * 2001, "at most 2000 characters"),
    ],
)
def test_sending_back_needs_a_valid_comment(
    sized: Project, maria: User, comment: str, says: str
) -> None:
    project = _in_review(sized)
    before = _state(project)
    with pytest.raises(TransitionRefused, match=says) as refused:
        workflow.send_back(project, maria, comment)
    assert refused.value.status == 400
    assert _state(project) == before


def test_the_comment_is_kept_trimmed(sized: Project, maria: User) -> None:
    transition = workflow.send_back(_in_review(sized), maria, "  Add the phones.\n")
    assert Transition.objects.get(pk=transition.pk).comment == "Add the phones."


# --- Concurrency ------------------------------------------------------------------------------


def test_of_two_transitions_on_the_same_read_exactly_one_wins(
    sized: Project, maria: User, adam: User
) -> None:
    _in_review(sized)
    first, second = Project.objects.get(pk=sized.pk), Project.objects.get(pk=sized.pk)

    workflow.approve(first, maria)
    with pytest.raises(TransitionRefused, match="changed meanwhile") as refused:
        workflow.send_back(second, adam, "Not like this.")

    assert refused.value.status == 409
    fresh = Project.objects.get(pk=sized.pk)
    assert fresh.status == ProjectStatus.APPROVED
    actions = list(Transition.objects.filter(project=sized).values_list("action", flat=True))
    assert actions == [Action.SUBMIT, Action.APPROVE]


def test_an_approval_read_before_a_save_is_refused(
    sized: Project, alice: User, maria: User
) -> None:
    """The reviewer read revision 1; the owner saved revision 2 meanwhile (back to draft):
    approving what the reviewer saw would approve a revision nobody reviewed."""
    read = _in_review(sized)
    assert Project.objects.get(pk=sized.pk).bump_revision(read.revision, by=alice)
    with pytest.raises(TransitionRefused, match="changed meanwhile"):
        workflow.approve(read, maria)
    fresh = Project.objects.get(pk=sized.pk)
    assert (fresh.status, fresh.revision) == (ProjectStatus.DRAFT, 2)


def test_a_revision_other_than_the_one_shown_is_refused(sized: Project, maria: User) -> None:
    project = _in_review(sized)
    before = _state(project)
    with pytest.raises(TransitionRefused, match="changed meanwhile"):
        workflow.approve(project, maria, revision=project.revision + 1)
    assert _state(project) == before


# --- What the reviewer compares ------------------------------------------------------------


def test_a_submission_keeps_the_project_as_submitted(sized: Project, alice: User) -> None:
    transition = workflow.submit(sized, alice)
    snapshot = Transition.objects.get(pk=transition.pk).snapshot
    assert snapshot["project"]["revision"] == sized.revision
    assert [site["name"] for site in snapshot["sites"]] == ["Milano", "Bergamo", "Lodi"]


def test_a_first_submission_has_nothing_to_compare_with(sized: Project) -> None:
    _in_review(sized)
    assert workflow.submissions_to_compare(sized) is None


def test_a_resubmission_is_compared_with_the_submission_reviewed(
    sized: Project, alice: User, maria: User
) -> None:
    reviewed = workflow.submit(sized, alice)
    workflow.send_back(sized, maria, "Two TVox systems.")
    project = Project.objects.get(pk=sized.pk)
    project.tvox_systems = 2
    assert project.save_revision(project.revision, by=alice)
    workflow.submit(project, alice)
    recalled = workflow.recall(project, alice)  # recalled, then submitted again unchanged
    latest = workflow.submit(project, alice)

    pair = workflow.submissions_to_compare(project)

    assert pair is not None
    assert [t.pk for t in pair] == [reviewed.pk, latest.pk]
    assert recalled.pk < latest.pk


# --- An approval lapses on every kind of change (through the views) ------------------------


def _details(client: Client, project: Project) -> Any:
    data = {
        "customer": str(project.customer_id),
        "title": "Three hospitals and a clinic",
        "status": project.status,
        "description": "",
        "revision": str(project.revision),
    }
    return client.post(reverse("project_edit", args=[project.pk]), data)


def _questionnaire(client: Client, project: Project) -> Any:
    data = {"tvox_systems": "2", "concurrency": "1", "revision": str(project.revision)}
    return client.post(reverse("project_questionnaire", args=[project.pk]), data)


def _site_add(client: Client, project: Project) -> Any:
    data = site_data("new", project.revision, name="Como")
    return client.post(reverse("site_create", args=[project.pk]), data)


def _site_edit(client: Client, project: Project) -> Any:
    site = project.sites.first()
    assert site is not None
    data = site_data(f"site-{site.pk}", project.revision, name="Milano Centrale")
    return client.post(reverse("site_edit", args=[project.pk, site.pk]), data)


def _site_button(name: str) -> Any:
    def press(client: Client, project: Project) -> Any:
        site = project.sites.first()
        assert site is not None
        url = reverse(name, args=[project.pk, site.pk])
        return client.post(url, {"revision": str(project.revision)})

    return press


def _import(client: Client, project: Project) -> Any:
    page = upload(client, project, csv_file(HEADER, "Torino,Via Po 1,vpn,30,10,5,0,0,0,0"))
    url = reverse("sites_import", args=[project.pk])
    return client.post(url, {"token": token_of(page), "mode": "append"})


EDITS = {
    "project details": _details,
    "questionnaire": _questionnaire,
    "site added": _site_add,
    "site edited": _site_edit,
    "site duplicated": _site_button("site_duplicate"),
    "site removed": _site_button("site_delete"),
    "spreadsheet import": _import,
}


@pytest.mark.parametrize("status", [ProjectStatus.APPROVED, ProjectStatus.IN_REVIEW])
@pytest.mark.parametrize("edit", list(EDITS))
def test_a_change_sends_a_reviewed_project_back_to_draft(
    sized: Project, alice: User, maria: User, edit: str, status: str
) -> None:
    project = _in_review(sized)
    if status == ProjectStatus.APPROVED:
        workflow.approve(project, maria)
    revision = project.revision

    response = EDITS[edit](signed_in(alice), project)

    assert response.status_code == 302, response.content[:500]
    fresh = Project.objects.get(pk=project.pk)
    assert (fresh.status, fresh.revision) == (ProjectStatus.DRAFT, revision + 1)
    reopened = Transition.objects.filter(project=project).last()
    assert reopened is not None
    assert (reopened.action, reopened.from_status, reopened.actor) == (Action.REOPEN, status, alice)
    assert reopened.revision == revision + 1
    # A new review is needed: the approval does not come back by itself.
    assert workflow.allowed_actions(fresh, maria) == []
    assert workflow.allowed_actions(fresh, alice) == [Action.SUBMIT]


# --- The production shape: two approvals at once on PostgreSQL ----------------------------


@pytest.mark.production_shape
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_on_postgresql_give_one_winner(
    org: Organization, alice: User, maria: User, adam: User
) -> None:
    """Two threads, each with its own connection, read the project in review and then both
    approve it (maria) or send it back (adam) at the same moment: the row lock of the first
    UPDATE makes the second wait, and once the first commits the second's condition no
    longer matches. Exactly one transition is recorded."""
    from .production_support import require_production_shape

    require_production_shape()
    if connection.vendor != "postgresql":
        pytest.skip("needs the PostgreSQL of DATABASE_URL as the test database")
    import importlib

    from django.apps import apps

    importlib.import_module("sizing.migrations.0002_seed_table").add_seed_version(apps, None)
    project = _in_review(add_sites(make_project(alice, make_customer(org, alice))))
    barrier = threading.Barrier(2, timeout=30)
    outcomes: dict[str, str] = {}

    def review(user: User, make: Any) -> None:
        try:
            read = Project.objects.get(pk=project.pk)
            barrier.wait()
            make(read, user, "Checked.")
            outcomes[user.username] = "won"
        except TransitionRefused as refused:
            outcomes[user.username] = refused.message
        finally:
            close_old_connections()
            connection.close()

    threads = [
        threading.Thread(target=review, args=(maria, workflow.approve)),
        threading.Thread(target=review, args=(adam, workflow.send_back)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(outcomes) == ["adam", "maria"], outcomes
    assert list(outcomes.values()).count("won") == 1, outcomes
    loser = next(text for text in outcomes.values() if text != "won")
    assert "changed meanwhile" in loser
    reviews = Transition.objects.filter(project=project).exclude(action=Action.SUBMIT)
    assert reviews.count() == 1
    winner = reviews.get()
    assert Project.objects.get(pk=project.pk).status == winner.to_status


def test_an_administrator_who_changed_the_project_does_not_approve_it(
    org: Organization, alice: User, adam: User
) -> None:
    """Four eyes holds for the content, not only the owner: with one manager (or none) an
    administrator reviews, but not a revision they edited themselves."""
    project = add_sites(make_project(alice), 1)
    project.title = "Edited by the administrator"
    assert project.save_revision(project.revision, by=adam)
    workflow.submit(project, alice)
    with pytest.raises(workflow.TransitionRefused, match="four eyes") as refused:
        workflow.approve(project, adam)
    assert refused.value.status == workflow.FORBIDDEN
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.IN_REVIEW
    assert Action.APPROVE not in workflow.allowed_actions(project, adam)
    workflow.send_back(project, adam, "Please check my change.")


def test_an_administrator_who_changed_a_site_does_not_approve_it(
    org: Organization, alice: User, adam: User
) -> None:
    project = add_sites(make_project(alice), 1)
    site = project.sites.get()
    site.users = 77
    site.save()  # the history records who through the request; here: nobody
    Site.history.filter(id=site.pk).update(history_user=adam)
    workflow.submit(project, alice)
    with pytest.raises(workflow.TransitionRefused, match="four eyes"):
        workflow.approve(project, adam)


def test_a_change_before_the_last_approval_does_not_count(
    org: Organization, alice: User, adam: User
) -> None:
    project = add_sites(make_project(alice), 1)
    project.title = "Edited by the administrator"
    assert project.save_revision(project.revision, by=adam)
    Transition.objects.create(
        project=project,
        action=Action.APPROVE,
        from_status=ProjectStatus.IN_REVIEW,
        to_status=ProjectStatus.APPROVED,
        revision=project.revision,
        actor=make_user(org, "mario", Role.MANAGER),
    )
    project.title = "Edited by the owner"
    assert project.save_revision(project.revision, by=alice)
    workflow.submit(project, alice)
    User.objects.filter(username="mario").update(is_active=False)
    workflow.approve(project, adam)
    assert Project.objects.get(pk=project.pk).status == ProjectStatus.APPROVED
