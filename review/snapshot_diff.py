"""What changed between the submission last reviewed and the latest one, for the reviewer.

The two snapshots are those `review.workflow.submit` kept (reports.snapshot.build_snapshot).
`reports.compare.compare_snapshots` and its partial `reports/_snapshot_diff.html` show the
difference when they exist; until then `minimal_diff` lists the changed answers and sites
itself (template `review/_minimal_diff.html`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from configurator.models import REQUIREMENT_FIELDS, Connectivity, Project, Site
from configurator.templatetags.choice_labels import choice_label, share_percent

from .models import Transition
from .workflow import submissions_to_compare

PROJECT_FIELDS = ("title", "tvox_systems", "concurrency", "hypervisor", "public_domain")


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class SiteChanges:
    name: str
    changes: list[Change]


@dataclass
class MinimalDiff:
    answers: list[Change] = field(default_factory=list)
    added_sites: list[str] = field(default_factory=list)
    removed_sites: list[str] = field(default_factory=list)
    changed_sites: list[SiteChanges] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.answers or self.added_sites or self.removed_sites or self.changed_sites)


@dataclass
class ReviewChanges:
    """The submission reviewed last time, the latest one, and their difference."""

    reviewed: Transition
    latest: Transition
    diff: Any
    minimal: bool


def _shown(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if name == "hypervisor":
        return choice_label(value, "hypervisor")
    if name == "connectivity":
        return choice_label(value, "connectivity") if value in Connectivity.values else str(value)
    if name == "concurrency":
        return share_percent(value)
    return "—" if value in (None, "") else str(value)


def _label(model: type[Project] | type[Site], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def minimal_diff(old: dict[str, Any], new: dict[str, Any]) -> MinimalDiff:
    """The answers and sites that differ between two snapshots (sites matched by name)."""
    diff = MinimalDiff()
    old_project, new_project = old.get("project", {}), new.get("project", {})
    for name in PROJECT_FIELDS:
        before, after = old_project.get(name), new_project.get(name)
        if before != after:
            diff.answers.append(
                Change(_label(Project, name), _shown(name, before), _shown(name, after))
            )
    old_answers = old_project.get("requirements", {})
    new_answers = new_project.get("requirements", {})
    for name in REQUIREMENT_FIELDS:
        before, after = old_answers.get(name), new_answers.get(name)
        if before != after:
            diff.answers.append(
                Change(_label(Project, name), _shown(name, before), _shown(name, after))
            )
    old_sites = {site["name"]: site for site in old.get("sites", [])}
    new_sites = {site["name"]: site for site in new.get("sites", [])}
    diff.added_sites = [name for name in new_sites if name not in old_sites]
    diff.removed_sites = [name for name in old_sites if name not in new_sites]
    for name, site in new_sites.items():
        if name not in old_sites:
            continue
        changes = [
            Change(
                _label(Site, key), _shown(key, old_sites[name].get(key)), _shown(key, site.get(key))
            )
            for key in ("address", "connectivity", *Site.COUNT_FIELDS)
            if old_sites[name].get(key) != site.get(key)
        ]
        if changes:
            diff.changed_sites.append(SiteChanges(name, changes))
    return diff


def changes_since_last_review(project: Project) -> ReviewChanges | None:
    """What changed since the submission last reviewed, when there was one."""
    pair = submissions_to_compare(project)
    if pair is None:
        return None
    reviewed, latest = pair
    old, new = reviewed.snapshot or {}, latest.snapshot or {}
    try:
        from reports.compare import compare_snapshots  # type: ignore[import-not-found]
    except ImportError:
        return ReviewChanges(reviewed, latest, minimal_diff(old, new), True)
    return ReviewChanges(reviewed, latest, compare_snapshots(old, new), False)
