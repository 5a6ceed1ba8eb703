"""The history of a project and of a customer as people read it: a timeline of entries,
each one change a person made (who, when, the revision it made) with its fields old → new.

The records are django-simple-history's (`Customer.history`, `Project.history`,
`Site.history`). A project's revision counts every change of the project and of its sites
(`Project._claim_revision`), and a site's record names the revision its change made
(`project_revision`): so one save is one entry, however many records it wrote, and a
spreadsheet import (its records carry `IMPORT_REASON`) is one entry whose rows unfold.
Review transitions (review.models) are entries too; the one a change to a reviewed project
records (`Action.REOPEN`) joins that change's entry as its status change. So are the
customer links (portal.models): each link's sending (or re-issue) and revocation, and each
request through it (a view, a download, the receipt) with its address, browser and whether
it counted as a person's (and why not).

Labels are the fields' verbose names and values as the pages show them, in the active
language. The queries do not grow with the entries: a fixed handful per timeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import BASELINE_REASON, IMPORT_REASON, Customer, Project, Site, User
from .svg import localized_number
from .templatetags.choice_labels import choice_label, share_percent

# Rows of one import listed under its entry; the rest are counted.
ROWS_SHOWN = 50

# Fields a person does not change, or that the entry shows otherwise (the revision in its
# heading, the status by the review's transitions, a site's position nowhere).
HIDDEN_FIELDS = {
    "id",
    "organization",
    "created_by",
    "created_at",
    "updated_at",
    "revision",
    "status",
    "project",
    "position",
}
CREATED, CHANGED, DELETED = "+", "~", "-"


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class ObjectChange:
    """What one record says of one object: 'Site “Milano” changed' and its fields."""

    title: str
    action: str  # CREATED, CHANGED or DELETED
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class Entry:
    when: datetime
    who: str
    summary: str
    revision: int | None = None
    items: list[ObjectChange] = field(default_factory=list)
    unfolds: bool = False  # an import: the rows are listed under a disclosure
    more: int = 0  # rows of an import not listed
    comment: str = ""

    @property
    def titled(self) -> bool:
        """Several objects changed: each is named above its fields."""
        return len(self.items) > 1 or any(item.title != self.summary for item in self.items)


# --- Values as the pages show them -------------------------------------------------------


def _display(model_field: models.Field[Any, Any], value: Any, names: dict[str, dict]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if model_field.name == "hypervisor":
        return choice_label(value, "hypervisor")
    if model_field.name == "concurrency":
        return share_percent(value)
    if isinstance(model_field, models.ForeignKey):
        found = names.get(model_field.name, {}).get(value)
        return str(found) if found is not None else _("deleted (#%(id)s)") % {"id": value}
    if model_field.choices:
        labels = {str(key): str(label) for key, label in model_field.flatchoices}
        return labels.get(str(value), str(value))
    if isinstance(value, Decimal):
        return localized_number(value, places=3)
    return str(value)


def _shown_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN_FIELDS and not f.name.startswith("history_")
    ]


def _field_changes(
    model: type[models.Model], record: Any, previous: Any | None, names: dict[str, dict]
) -> list[FieldChange]:
    """The shown fields that differ from the previous record; of a creation, those it was
    given a value (with no old value); of a deletion, none."""
    if previous is None and record.history_type != CREATED:
        return []
    changes = []
    for model_field in _shown_fields(model):
        new = getattr(record, model_field.attname)
        label = capfirst(str(model_field.verbose_name))
        if previous is None:
            if new not in (None, "", 0, False):
                changes.append(FieldChange(label, "", _display(model_field, new, names)))
            continue
        old = getattr(previous, model_field.attname)
        if old != new:
            old_text = _display(model_field, old, names)
            changes.append(FieldChange(label, old_text, _display(model_field, new, names)))
    return changes


def _who(record: Any) -> str:
    user = record.history_user
    return str(user) if user is not None else _("unknown")


def _previous_by_record(records: Iterable[Any]) -> dict[int, Any]:
    """For each record (by history_id), the record of the same object just before it."""
    last: dict[int, Any] = {}
    previous = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        previous[record.history_id] = last.get(record.id)
        last[record.id] = record
    return previous


def _names_of(records: Sequence[Any], fks: dict[str, type[models.Model]]) -> dict[str, dict]:
    """The related objects the records name, one query per foreign key."""
    names = {}
    for name, model in fks.items():
        ids = {getattr(record, f"{name}_id") for record in records} - {None}
        names[name] = model._default_manager.in_bulk(ids) if ids else {}
    return names


# --- A customer's history ----------------------------------------------------------------


def customer_timeline(customer: Customer, limit: int | None = None) -> list[Entry]:
    """The customer's own changes, newest first: one query."""
    records = list(
        Customer.history.filter(id=customer.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    previous = _previous_by_record(records)
    titles = {
        CREATED: _("Customer created"),
        CHANGED: _("Customer changed"),
        DELETED: _("Customer deleted"),
    }
    entries = []
    for record in reversed(records):
        changes = _field_changes(Customer, record, previous[record.history_id], {})
        if record.history_type == CHANGED and not changes:
            continue  # a save that changed nothing a person reads
        title = titles[record.history_type]
        if record.history_change_reason == BASELINE_REASON:
            title = _("Recorded as it was when the history began")
        item = ObjectChange(title, record.history_type, changes)
        entries.append(Entry(record.history_date, _who(record), item.title, items=[item]))
    return entries[:limit] if limit else entries


# --- A project's history -----------------------------------------------------------------


@dataclass
class Skeleton:
    """An entry before its sites' records are read: a project record or a transition."""

    when: datetime
    record: Any = None
    transition: Any = None
    reopening: Any = None  # the review transition this change sent back to draft
    previous: Any = None  # the project's record before `record`
    claims: bool = False  # `record` made its revision (the sites' records join it)
    entry: Entry | None = None  # a customer link's entry, whole already (portal)


def project_timeline_skeleton(project: Project) -> list[Skeleton]:
    """Every entry of the project, newest first, from two queries (its records and its
    review transitions); `fill_entries` reads the sites of the ones shown."""
    records = list(
        Project.history.filter(id=project.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    skeletons = [Skeleton(r.history_date, record=r) for r in records]
    previous = _previous_by_record(records)
    first_of_revision: dict[int, Skeleton] = {}
    for skeleton in skeletons:
        skeleton.previous = previous[skeleton.record.history_id]
        first_of_revision.setdefault(skeleton.record.revision, skeleton)
        skeleton.claims = first_of_revision[skeleton.record.revision] is skeleton
    for transition in _transitions(project):
        owner = first_of_revision.get(transition.revision)
        if transition.reopens and owner is not None:
            owner.reopening = transition
        else:
            skeletons.append(Skeleton(transition.at, transition=transition))
    skeletons += [Skeleton(entry.when, entry=entry) for entry in _link_entries(project)]
    skeletons.sort(key=lambda s: s.when, reverse=True)
    return skeletons


def _transitions(project: Project) -> list[Any]:
    """The review's transitions of the project; a reopening's action is "reopen"."""
    from review.models import Action, Transition  # the review builds on the configurator

    transitions = list(Transition.objects.filter(project=project).select_related("actor"))
    for transition in transitions:
        transition.reopens = transition.action == Action.REOPEN
    return transitions


def fill_entries(project: Project, skeletons: Sequence[Skeleton]) -> list[Entry]:
    """The entries of `skeletons` (a page of them) with their sites' records: the same
    few queries for a page of 1 or of 100 entries."""
    records = [s.record for s in skeletons if s.record is not None]
    revisions = {s.record.revision for s in skeletons if s.claims}
    sites = _site_records(project, revisions)
    counts = _site_counts(project, revisions)
    previous_sites = _previous_site_records(project, [r for rs in sites.values() for r in rs])
    earlier = [s.previous for s in skeletons if s.previous is not None]
    names = _names_of(records + earlier, PROJECT_FKS)
    entries = []
    for skeleton in skeletons:
        if skeleton.entry is not None:
            entries.append(skeleton.entry)
            continue
        if skeleton.transition is not None:
            entries.append(_transition_entry(skeleton.transition))
            continue
        record = skeleton.record
        site_records = sites.get(record.revision, []) if skeleton.claims else []
        entry = _project_entry(skeleton, names)
        _add_sites(entry, site_records, previous_sites, counts.get(record.revision, {}))
        if record.history_type == CREATED:
            entry.summary = _("Project created")
        if record.history_change_reason == BASELINE_REASON:
            entry.summary = _("Recorded as it was when the history began")
        if entry.items or entry.comment or record.history_type == CREATED:
            entries.append(entry)
    return entries


def project_timeline(project: Project, limit: int | None = None) -> list[Entry]:
    skeletons = project_timeline_skeleton(project)
    return fill_entries(project, skeletons[:limit] if limit else skeletons)


PROJECT_FKS: dict[str, type[models.Model]] = {"customer": Customer, "owner": User}


def _project_entry(skeleton: Skeleton, names: dict[str, dict]) -> Entry:
    record, reopening = skeleton.record, skeleton.reopening
    changes = _field_changes(Project, record, skeleton.previous, names)
    if record.history_type == CREATED:
        changes = []  # the project page shows what it was created with
    if reopening is not None:
        status = capfirst(str(Project._meta.get_field("status").verbose_name))
        changes.append(
            FieldChange(status, _status(reopening.from_status), _status(reopening.to_status))
        )
    titles = {
        CREATED: _("Project created"),
        CHANGED: _("Project changed"),
        DELETED: _("Project deleted"),
    }
    entry = Entry(record.history_date, _who(record), titles[record.history_type])
    entry.revision = record.revision
    if changes or record.history_type != CHANGED:
        entry.items.append(ObjectChange(entry.summary, record.history_type, changes))
    return entry


def _status(code: str) -> str:
    labels = dict(Project._meta.get_field("status").flatchoices)
    return str(labels.get(code, code))


def _transition_entry(transition: Any) -> Entry:
    from review.models import Action

    actor = str(transition.actor) if transition.actor is not None else _("unknown")
    if transition.actor is None and transition.action in (Action.ACCEPT, Action.DECLINE):
        actor = _("the customer")  # through a link: who typed their name, the decision says
    status = capfirst(str(Project._meta.get_field("status").verbose_name))
    change = FieldChange(status, _status(transition.from_status), _status(transition.to_status))
    title = str(transition.get_action_display())
    entry = Entry(transition.at, actor, title, revision=transition.revision)
    entry.items.append(ObjectChange(title, CHANGED, [change]))
    entry.comment = transition.comment
    return entry


def _site_title(record: Any) -> str:
    if record.history_type == CREATED:
        return _("Site “%(name)s” added") % {"name": record.name}
    if record.history_type == DELETED:
        return _("Site “%(name)s” removed") % {"name": record.name}
    return _("Site “%(name)s” changed") % {"name": record.name}


def _add_sites(
    entry: Entry, records: list[Any], previous: dict[int, Any], counts: dict[str, int]
) -> None:
    """The sites' records of the entry's revision: one line each, or for an import a
    summary ("12 sites imported from a spreadsheet, 3 replaced") with the rows under it."""
    items = []
    for record in records:
        if record.history_change_reason == BASELINE_REASON:
            continue  # the state the history began with: compared with, not shown
        before = previous.get(record.history_id) if record.history_type == CHANGED else None
        changes = _field_changes(Site, record, before, {})
        if record.history_type == CHANGED and not changes and before is not None:
            continue  # a save that changed nothing a person reads
        items.append(ObjectChange(_site_title(record), record.history_type, changes))
    if any(record.history_change_reason == IMPORT_REASON for record in records):
        imported, replaced = counts.get(CREATED, 0), counts.get(DELETED, 0)
        summary = ngettext(
            "%(n)d site imported from a spreadsheet",
            "%(n)d sites imported from a spreadsheet",
            imported,
        ) % {"n": imported}
        if replaced:
            summary += ", " + ngettext("%(n)d replaced", "%(n)d replaced", replaced) % {
                "n": replaced
            }
        entry.summary, entry.unfolds = summary, True
        entry.more = max(0, imported + replaced - len(records))
        entry.items = [item for item in entry.items if item.changes] + items
        return
    entry.items = [item for item in entry.items if item.changes] + items
    if items and all(item.action == CHANGED for item in entry.items[: -len(items)]):
        entry.summary = items[0].title if len(items) == 1 else _("Sites changed")


def _site_records(project: Project, revisions: set[int]) -> dict[int, list[Any]]:
    """The sites' records of these revisions, at most ROWS_SHOWN a revision: one query."""
    if not revisions:
        return {}
    ranked = (
        Site.history.filter(project_id=project.pk, project_revision__in=revisions)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("project_revision")], order_by=F("history_id").asc()
            )
        )
        .filter(rank__lte=ROWS_SHOWN)
        .order_by("history_id")
    )
    found: dict[int, list[Any]] = {}
    for record in ranked:
        found.setdefault(record.project_revision, []).append(record)
    return found


def _site_counts(project: Project, revisions: set[int]) -> dict[int, dict[str, int]]:
    """How many sites each revision added, changed and removed: one query."""
    if not revisions:
        return {}
    rows = (
        Site.history.filter(project_id=project.pk, project_revision__in=revisions)
        .order_by()
        .values("project_revision", "history_type")
        .annotate(n=Count("history_id"))
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["project_revision"], {})[row["history_type"]] = row["n"]
    return counts


def _previous_site_records(project: Project, records: list[Any]) -> dict[int, Any]:
    """For each changed site's record, the record of that site before it: one query."""
    changed = [r for r in records if r.history_type == CHANGED]
    if not changed:
        return {}
    latest = max(r.history_id for r in changed)
    earlier = Site.history.filter(
        project_id=project.pk, id__in={r.id for r in changed}, history_id__lte=latest
    )
    previous = _previous_by_record(earlier)
    return {r.history_id: previous.get(r.history_id) for r in changed}


# --- Customer links (portal) ----------------------------------------------------------------


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _link_entries(project: Project) -> list[Entry]:
    """The project's customer links sent, re-issued and revoked, and every request through
    them: two queries, however many links and events."""
    from portal.models import CustomerLink, LinkEvent  # the portal builds on the configurator

    links = list(
        CustomerLink.objects.filter(project=project)
        .select_related("created_by", "revoked_by", "proposal")
        .defer("proposal__snapshot")
    )
    entries = []
    for link in links:
        entries.append(_link_sent_entry(link))
        if link.revoked_at is not None:
            who = str(link.revoked_by) if link.revoked_by is not None else _("unknown")
            title = _("Link to %(recipient)s revoked") % {"recipient": _recipient(link)}
            entries.append(Entry(link.revoked_at, who, title))
    events = LinkEvent.objects.filter(link__project=project).select_related("link")
    entries += [_link_event_entry(event) for event in events]
    return entries


def _recipient(link: Any) -> str:
    return f"{link.recipient_name} <{link.recipient_email}>"


def _link_sent_entry(link: Any) -> Entry:
    values = {"recipient": _recipient(link), "version": link.proposal.version}
    if link.replaces_id is not None:
        title = _("Link to proposal version %(version)s re-issued to %(recipient)s") % values
    else:
        title = _("Link to proposal version %(version)s sent to %(recipient)s") % values
    entry = Entry(link.created_at, str(link.created_by), title)
    changes = [
        FieldChange(_("Language"), "", str(link.get_language_display())),
        FieldChange(_("Expires"), "", _when(link.expires_at)),
    ]
    entry.items.append(ObjectChange(title, CREATED, changes))
    return entry


def _link_event_entry(event: Any) -> Entry:
    link = event.link
    title = _("%(what)s through the link to %(recipient)s") % {
        "what": event.get_kind_display(),
        "recipient": _recipient(link),
    }
    if event.counted:
        counted = _("Yes")
    else:
        counted = _("No: %(reason)s") % {"reason": event.get_not_counted_display() or "—"}
    changes = [
        FieldChange(_("Address"), "", event.ip or "—"),
        FieldChange(_("Browser"), "", event.user_agent or "—"),
        FieldChange(_("Counted"), "", counted),
    ]
    entry = Entry(event.at, _("the customer"), title)
    entry.items.append(ObjectChange(title, CHANGED, changes))
    return entry
