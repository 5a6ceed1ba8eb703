"""The review's transitions, the one place that decides who may move a project's status.

draft → in review (`submit`, by the owner) → approved (`approve`) or back to draft
(`send_back`, with a comment), both by a reviewer; the owner may `recall` a project in
review. A change to a project in review or approved sends it back to draft by itself
(`Project._claim_revision`, recorded by `review.receivers`): an approval is of one revision.

Who reviews: a manager of the project's organisation who does not own it (four eyes). An
administrator who does not own it reviews too, but only where the organisation has at most
one active manager: there the manager's own projects, or the manager's absence, would leave
nobody to review; where there are several managers, reviewing is theirs. Submitting and
recalling are the owner's alone (an administrator edits anybody's project, but submitting
says "my offer is ready", and an administrator who could submit somebody's project could
then approve it alone where there is one manager).

Each transition is one conditional UPDATE on the project's (pk, status, revision) as the
caller read them, and its `Transition` row, in one transaction: of two concurrent
transitions (or a transition and a save) exactly one wins, the other is refused with
"changed meanwhile" and nothing is written.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from configurator.models import APPROVED_STATUSES, Project, ProjectStatus, Role, User
from configurator.validators import multi_line_text
from reports.snapshot import CannotPropose, build_snapshot

from .models import COMMENT_MAX_LENGTH, Action, Transition, approval_of

# The transitions a user starts (REOPEN happens by itself, on a change).
ACTIONS = (Action.SUBMIT, Action.RECALL, Action.APPROVE, Action.SEND_BACK)
REVIEW_ACTIONS = (Action.APPROVE, Action.SEND_BACK)

# What each transition needs the status to be (one of), and what it makes it. The owner
# recalls an approved project too: to withdraw an approval that no longer holds (a newer
# sizing table: reports.snapshot.approval_record) and submit it again.
MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    Action.SUBMIT: ((ProjectStatus.DRAFT,), ProjectStatus.IN_REVIEW),
    Action.RECALL: ((ProjectStatus.IN_REVIEW, ProjectStatus.APPROVED), ProjectStatus.DRAFT),
    Action.APPROVE: ((ProjectStatus.IN_REVIEW,), ProjectStatus.APPROVED),
    Action.SEND_BACK: ((ProjectStatus.IN_REVIEW,), ProjectStatus.DRAFT),
}

FORBIDDEN, CONFLICT, INVALID = 403, 409, 400


class TransitionRefused(Exception):
    """The transition was not made; `message` (translated) says why. `status` is the HTTP
    answer it calls for: 403 when the user may never make it, 409 when the project's state
    does not allow it now, 400 when what was sent with it is not valid."""

    def __init__(self, message: str, status: int = CONFLICT) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message


# --- Who may --------------------------------------------------------------------------------


def may_review_as_administrator(project: Project) -> bool:
    """An administrator reviews where the organisation has at most one active manager."""
    managers = User.objects.filter(
        organization_id=project.organization_id, role=Role.MANAGER, is_active=True
    )
    return managers.count() <= 1


def _persona_refusal(action: str, project: Project, user: User) -> str | None:
    """Why `user` may never make `action` on `project` (whatever its status), or None."""
    if user.organization_id != project.organization_id:
        return _("This project belongs to another organisation.")
    owner = project.owner_id == user.pk
    if action in (Action.SUBMIT, Action.RECALL):
        if owner:
            return None
        if action == Action.SUBMIT:
            return _("Only the project's owner submits it for review.")
        return _("Only the project's owner recalls it from review.")
    if owner:
        return _(
            "You own this project: somebody else reviews it (four eyes). You may recall it "
            "from review instead."
        )
    if user.is_manager:
        return None
    if user.is_administrator:
        if may_review_as_administrator(project):
            return None
        return _(
            "The organisation's managers review its projects: an administrator reviews only "
            "where the organisation has at most one manager."
        )
    return _("Only a manager of the organisation reviews projects.")


def _status_refusal(action: str, project: Project) -> str | None:
    needed, _to = MOVES[action]
    if project.status in needed:
        return None
    status = ProjectStatus(project.status).label
    if action == Action.SUBMIT:
        return _("Only a draft is submitted for review; this project is %(status)s.") % {
            "status": status
        }
    if action == Action.RECALL:
        return _(
            "Only a project in review or approved can be recalled; this project is %(status)s."
        ) % {"status": status}
    return _(
        "Only a project in review can be approved or sent back; this project is %(status)s."
    ) % {"status": status}


def changed_since_last_approval(project: Project, user: User) -> bool:
    """Whether `user` changed the project, or one of its sites, since its last approval (or
    ever, if it was never approved): then the content under review is partly theirs. An
    administrator edits anybody's project; four eyes means they do not approve it then."""
    from configurator.models import Site

    last = (
        project.transitions.filter(action=Action.APPROVE)
        .order_by("-pk")
        .values_list("at", flat=True)
        .first()
    )
    since = {"history_date__gt": last} if last is not None else {}
    edited: bool = Project.history.filter(id=project.pk, history_user=user, **since).exists()
    return edited or Site.history.filter(project_id=project.pk, history_user=user, **since).exists()


def refusal(action: str, project: Project, user: User) -> TransitionRefused | None:
    """Why `user` may not make `action` on `project` as read, or None when they may (the
    sizing check of a submission is left to `submit`: it is the costly one)."""
    reason = _persona_refusal(action, project, user)
    if reason:
        return TransitionRefused(reason, FORBIDDEN)
    if (
        action == Action.APPROVE
        and project.status in MOVES[action][0]
        and changed_since_last_approval(project, user)
    ):
        return TransitionRefused(
            _(
                "You changed this project since its last approval: somebody else approves it "
                "(four eyes). You may send it back."
            ),
            FORBIDDEN,
        )
    reason = _status_refusal(action, project)
    if reason:
        return TransitionRefused(reason, CONFLICT)
    return None


def allowed_actions(project: Project, user: User) -> list[str]:
    """The transitions `user` may make on `project` now, in the order the page shows them."""
    return [action for action in ACTIONS if refusal(action, project, user) is None]


def is_reviewer(project: Project, user: User) -> bool:
    """Whether `user` reviews `project` (whatever its status now)."""
    return _persona_refusal(Action.APPROVE, project, user) is None


# --- The transitions --------------------------------------------------------------------------


def submit(project: Project, by: User, *, revision: int | None = None) -> Transition:
    """Draft → in review, by the owner, for a project that can be sized. The transition
    keeps the project's snapshot (reports.snapshot, in the customer's language) so that the
    next review can show what changed since this one."""
    _check(Action.SUBMIT, project, by, revision)
    try:
        snapshot = build_snapshot(project, project.customer.preferred_language, by)
    except CannotPropose as exc:
        raise TransitionRefused(
            _("The project cannot be submitted for review yet: %(reason)s") % {"reason": exc},
            CONFLICT,
        ) from exc
    return _move(Action.SUBMIT, project, by, snapshot=snapshot)


def recall(project: Project, by: User, *, revision: int | None = None) -> Transition:
    """In review or approved → draft, by the owner (to change it before anybody reviews
    it, or to withdraw an approval that no longer holds)."""
    _check(Action.RECALL, project, by, revision)
    return _move(Action.RECALL, project, by)


def approve(
    project: Project, by: User, comment: str = "", *, revision: int | None = None
) -> Transition:
    """In review → approved, by a reviewer: the approval is of the revision in review."""
    _check(Action.APPROVE, project, by, revision)
    return _move(Action.APPROVE, project, by, comment=_clean_comment(comment, required=False))


def send_back(
    project: Project, by: User, comment: str, *, revision: int | None = None
) -> Transition:
    """In review → draft, by a reviewer, saying what to change (the comment is required)."""
    _check(Action.SEND_BACK, project, by, revision)
    return _move(Action.SEND_BACK, project, by, comment=_clean_comment(comment, required=True))


def _check(action: str, project: Project, by: User, revision: int | None) -> None:
    """Refuse unless `by` may make `action` now; `revision`, when given, is the revision
    the user was shown: a project saved since then is not the one they decided on."""
    refused = refusal(action, project, by)
    if refused:
        raise refused
    if revision is not None and revision != project.revision:
        raise _changed_meanwhile(project)


# Letters and symbols that draw nothing: the Hangul fillers and the blank Braille pattern.
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _readable(text: str) -> bool:
    """Whether `text` shows something: a letter, digit, punctuation mark or symbol. Joiners,
    fillers and blank patterns (U+200D, U+3164, U+2800, tags) are not a comment."""
    return any(
        unicodedata.category(char)[0] in "LNPS" and char not in BLANK_LOOKING for char in text
    )


def _clean_comment(comment: str, *, required: bool) -> str:
    comment = (comment or "").strip()
    if required and not _readable(comment):
        raise TransitionRefused(
            _("Say what to change: sending a project back needs a comment."), INVALID
        )
    if len(comment) > COMMENT_MAX_LENGTH:
        raise TransitionRefused(
            _("The comment is too long: at most %(n)d characters.") % {"n": COMMENT_MAX_LENGTH},
            INVALID,
        )
    try:
        multi_line_text(comment)
    except ValidationError as exc:
        raise TransitionRefused(" ".join(exc.messages), INVALID) from exc
    return comment


def _move(
    action: str,
    project: Project,
    by: User,
    *,
    comment: str = "",
    snapshot: dict[str, Any] | None = None,
) -> Transition:
    """The conditional UPDATE and its record, in one transaction. The UPDATE matches only
    the row as `project` was read (status and revision): a concurrent transition or save
    that committed first makes it match nothing, and this one is refused."""
    from_status, to_status = project.status, MOVES[action][1]
    with transaction.atomic():
        updated = Project.objects.filter(
            pk=project.pk, status=from_status, revision=project.revision
        ).update(status=to_status)
        if not updated:
            raise _changed_meanwhile(project)
        transition = Transition.objects.create(
            project=project,
            action=action,
            from_status=from_status,
            to_status=to_status,
            revision=project.revision,
            actor=by,
            comment=comment,
            snapshot=snapshot,
        )
    project.status = to_status
    return transition


def _changed_meanwhile(project: Project) -> TransitionRefused:
    fresh = Project.objects.filter(pk=project.pk).values("status", "revision").first()
    if fresh is None:
        return TransitionRefused(_("This project no longer exists."), CONFLICT)
    return TransitionRefused(
        _(
            "The project changed meanwhile (now %(status)s, revision %(n)d): nothing was "
            "done. Look at it again before you decide."
        )
        % {"status": ProjectStatus(fresh["status"]).label, "n": fresh["revision"]},
        CONFLICT,
    )


# --- What the pages show ----------------------------------------------------------------------


def transitions_of(project: Project) -> list[Transition]:
    """The project's record, newest first."""
    return list(
        project.transitions.select_related("actor").defer("snapshot").order_by("-at", "-pk")
    )


def outdated_approval(project: Project) -> tuple[int, int] | None:
    """(the sizing table version approved, the one in effect) when an approved project's
    approval was of figures from an older table: its next proposal is a draft
    (reports.snapshot.approval_record) until it is submitted and approved again."""
    from sizing.models import SizingTableVersion

    if project.status not in APPROVED_STATUSES:
        return None
    found = approval_of(project)
    submission = None
    if found is not None and found[1] is not None and found[1].snapshot is not None:
        submission = found[1].snapshot.get("table", {}).get("version")
    in_effect = SizingTableVersion.objects.in_effect()
    if submission is None or in_effect is None or submission == in_effect.version:
        return None
    return int(submission), in_effect.version


def last_review(project: Project) -> Transition | None:
    """The latest approval or send-back (its comment is what the owner reads)."""
    return (
        project.transitions.filter(action__in=REVIEW_ACTIONS)
        .select_related("actor")
        .defer("snapshot")
        .order_by("-pk")
        .first()
    )


def submissions_to_compare(project: Project) -> tuple[Transition, Transition] | None:
    """(the submission last reviewed, the latest submission) when the latest submission came
    after a review of an earlier one: what the reviewer sees changed. None otherwise (a
    first submission, or none)."""
    # In the order they were made (their pk): `at` is when, not which came first.
    latest = project.transitions.filter(action=Action.SUBMIT).order_by("-pk").first()
    if latest is None or latest.snapshot is None:
        return None
    review = (
        project.transitions.filter(action__in=REVIEW_ACTIONS, pk__lt=latest.pk)
        .order_by("-pk")
        .first()
    )
    if review is None:
        return None
    reviewed = (
        project.transitions.filter(action=Action.SUBMIT, pk__lt=review.pk, snapshot__isnull=False)
        .order_by("-pk")
        .first()
    )
    if reviewed is None:
        return None
    return reviewed, latest
