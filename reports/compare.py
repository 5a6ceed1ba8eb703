"""Two snapshots of a project side by side, and what a newer sizing table would change.

`compare_snapshots(old, new)` reads two snapshots (reports.snapshot.build_snapshot: a
proposal's, or the current draft's built the same way) and answers a `SnapshotDiff`: the
answers, the sites added, removed and changed (matched by name), every sizing figure old
→ new with the difference, the recommendation with each option's verdict, and the table
version. It is pure: no database, no request. A `Change` holds the raw values; its label
is lazy and its texts are written when read, so a diff reads in the reader's language,
not in the snapshots' (a proposal in Italian compared on an English page reads English).
The partial templates/reports/_snapshot_diff.html shows a diff (context variable `diff`).

`resized_snapshot(snapshot, table)` sizes a snapshot's own inputs (`sizing_input`) with
another table; `rules_changed(proposal)` compares a proposal with its inputs re-sized by
the table in effect when that table is newer than the proposal's ("rules changed since
this offer"): the one function here that reads the database (the table in effect).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from django.utils.functional import Promise, lazy
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from configurator.models import REQUIREMENT_FIELDS, Project
from configurator.models import Site as SiteModel
from configurator.templatetags.choice_labels import choice_label, share_percent
from sizing.inputs import COUNT_FIELDS
from sizing.labels import ARCHITECTURE_NAMES, architecture_label
from sizing.results import ARCHITECTURES
from sizing.schema import InvalidInput, size_json
from sizing.tables import SizingTable

from .context import number

if TYPE_CHECKING:
    from .models import Proposal

Label = str | Promise
MINUS: Final = "\u2212"


def _field_label(model: type[Project] | type[SiteModel], name: str) -> Label:
    return capfirst(model._meta.get_field(name).verbose_name)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Change:
    """One value of both snapshots: `old` → `new`, raw (None: absent from that side).

    `kind` says how a value reads: "number" and "share" (with a difference), "bool",
    "hypervisor", "connectivity", "architecture" (None: nothing fits), "verdict" (an
    option fits or not), "table" (a table version), "text".
    """

    key: str
    label: Label
    old: Any
    new: Any
    kind: str = "text"
    unit: str = ""

    @property
    def changed(self) -> bool:
        return _same_value(self.old) != _same_value(self.new)

    @property
    def delta(self) -> Decimal | None:
        """new - old, for numbers present on both sides."""
        if self.kind not in ("number", "share"):
            return None
        if not (_is_number(self.old) and _is_number(self.new)):
            return None
        return Decimal(str(self.new)) - Decimal(str(self.old))

    @property
    def old_text(self) -> str:
        return _text(self.kind, self.old, self.unit)

    @property
    def new_text(self) -> str:
        return _text(self.kind, self.new, self.unit)

    @property
    def delta_text(self) -> str:
        """The difference with its sign ("+4 GB"; a minus sign, U+2212, below zero), empty
        when there is none."""
        delta = self.delta
        if not delta:
            return ""
        sign = "+" if delta > 0 else MINUS
        magnitude = abs(delta)
        if self.kind == "share":
            return sign + share_percent(magnitude)
        return sign + f"{number(magnitude)} {self.unit}".strip()

    @property
    def direction(self) -> str:
        """ "up", "down" or "" (for styling a difference)."""
        delta = self.delta
        if not delta:
            return ""
        return "up" if delta > 0 else "down"

    def swapped(self) -> Change:
        return replace(self, old=self.new, new=self.old)


@dataclass(frozen=True)
class Section:
    """A titled group of changes (the figure table's sections)."""

    key: str
    title: Label
    changes: tuple[Change, ...]

    @property
    def changed(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.changed)

    def swapped(self) -> Section:
        return replace(self, changes=tuple(change.swapped() for change in self.changes))


@dataclass(frozen=True)
class SiteDiff:
    """A site added (its fields — → value), removed (value → —) or changed (the fields
    that differ)."""

    name: str
    changes: tuple[Change, ...]

    def swapped(self) -> SiteDiff:
        return replace(self, changes=tuple(change.swapped() for change in self.changes))


@dataclass(frozen=True)
class SnapshotDiff:
    answers: tuple[Change, ...]
    sites_added: tuple[SiteDiff, ...]
    sites_removed: tuple[SiteDiff, ...]
    sites_changed: tuple[SiteDiff, ...]
    sites_unchanged: int
    figures: tuple[Section, ...]
    recommendation: tuple[Change, ...]  # the architecture, then each option's verdict
    table: Change
    table_dates: tuple[date | None, date | None] = field(default=(None, None))

    @property
    def changed_answers(self) -> tuple[Change, ...]:
        return tuple(change for change in self.answers if change.changed)

    @property
    def figure_changes(self) -> tuple[Change, ...]:
        return tuple(change for section in self.figures for change in section.changes)

    @property
    def changed_figures(self) -> tuple[Change, ...]:
        return tuple(change for change in self.figure_changes if change.changed)

    @property
    def changed_recommendation(self) -> tuple[Change, ...]:
        return tuple(change for change in self.recommendation if change.changed)

    @property
    def sites_differ(self) -> bool:
        return bool(self.sites_added or self.sites_removed or self.sites_changed)

    @property
    def has_changes(self) -> bool:
        return bool(
            self.changed_answers
            or self.sites_differ
            or self.changed_figures
            or self.changed_recommendation
            or self.table.changed
        )

    def changes(self) -> Iterator[Change]:
        """Every change of the diff, changed or not, sites included."""
        yield from self.answers
        for site in (*self.sites_added, *self.sites_removed, *self.sites_changed):
            yield from site.changes
        yield from self.figure_changes
        yield from self.recommendation
        yield self.table

    def swapped(self) -> SnapshotDiff:
        """The same diff read the other way (new → old)."""
        return SnapshotDiff(
            answers=tuple(change.swapped() for change in self.answers),
            sites_added=tuple(site.swapped() for site in self.sites_removed),
            sites_removed=tuple(site.swapped() for site in self.sites_added),
            sites_changed=tuple(site.swapped() for site in self.sites_changed),
            sites_unchanged=self.sites_unchanged,
            figures=tuple(section.swapped() for section in self.figures),
            recommendation=tuple(change.swapped() for change in self.recommendation),
            table=self.table.swapped(),
            table_dates=(self.table_dates[1], self.table_dates[0]),
        )


# --- what is compared, with its label -------------------------------------------------------

PROJECT_ANSWERS: Final = (
    ("title", "text"),
    ("tvox_systems", "number"),
    ("concurrency", "share"),
    ("hypervisor", "hypervisor"),
    ("public_domain", "text"),
)
SITE_FIELDS: Final = (
    ("address", "text"),
    ("connectivity", "connectivity"),
    *((name, "number") for name in COUNT_FIELDS),
)
# The figures of the whole MCS sizing (per instance the largest group's), by their path in
# the sizing output (sizing.schema.result_to_dict), with their label and unit.
MCS_FIGURES: Final[tuple[tuple[str, Label, str, str], ...]] = (
    ("mcs.instances", gettext_lazy("MCS instances"), "number", ""),
    ("mcs.devices", gettext_lazy("MCS devices (apps, web clients, widgets)"), "number", ""),
    ("mcs.tier_max_users", gettext_lazy("Tier (users up to, per instance)"), "number", ""),
    ("mcs.vcpu", gettext_lazy("CPU cores per instance"), "number", ""),
    ("mcs.ram_gb", gettext_lazy("RAM per instance"), "number", "GB"),
    ("mcs.disk_gb", gettext_lazy("Disk per instance"), "number", "GB"),
    ("mcs.disk_type", gettext_lazy("Disk type"), "text", ""),
    ("mcs.nic_gbit", gettext_lazy("Ethernet per instance"), "number", "Gbit"),
    ("mcs.concurrency", gettext_lazy("Share connected at the same time"), "share", ""),
    ("mcs.active_connections", gettext_lazy("Active connections"), "number", ""),
    ("mcs.mbps_per_connection", gettext_lazy("Bandwidth per connection"), "number", "Mbit/s"),
    ("mcs.connections_bandwidth_mbps", gettext_lazy("Connections' need"), "number", "Mbit/s"),
    ("mcs.min_bandwidth_mbps", gettext_lazy("Tiers' minimum"), "number", "Mbit/s"),
    ("mcs.bandwidth_mbps", gettext_lazy("Recommended internet bandwidth"), "number", "Mbit/s"),
    ("mcs.openvpn_tunnels", gettext_lazy("OpenVPN tunnels"), "number", ""),
)
LICENCE_FIGURES: Final[tuple[tuple[str, Label, str, str], ...]] = (
    (
        "mcs.licenses.webclient_smart_working",
        gettext_lazy("Webclient in Smart Working licences"),
        "number",
        "",
    ),
    (
        "mcs.licenses.tvoxteam_smart_working",
        gettext_lazy("TVoxTeam Smartworking licences"),
        "number",
        "",
    ),
    (
        "pure_cloud.licenses.PURE_CLOUD",
        gettext_lazy("PURE_CLOUD licences (Pure Cloud)"),
        "number",
        "",
    ),
    (
        "hybrid.licenses.PURE_CLOUD",
        gettext_lazy("PURE_CLOUD licences (hybrid cloud)"),
        "number",
        "",
    ),
)
# One group of equal MCS instances (S1, S2): shown when either side has more than one.
GROUP_FIGURES: Final[tuple[tuple[str, Label, str, str], ...]] = (
    ("instances", gettext_lazy("Instances"), "number", ""),
    ("devices", gettext_lazy("Devices each"), "number", ""),
    ("tvox_systems", gettext_lazy("TVox systems each"), "number", ""),
    ("tier_max_users", gettext_lazy("Tier (users up to)"), "number", ""),
    ("vcpu", gettext_lazy("CPU cores"), "number", ""),
    ("ram_gb", gettext_lazy("RAM"), "number", "GB"),
    ("disk_gb", gettext_lazy("Disk"), "number", "GB"),
    ("nic_gbit", gettext_lazy("Ethernet"), "number", "Gbit"),
    ("min_bandwidth_mbps", gettext_lazy("Minimum internet bandwidth"), "number", "Mbit/s"),
    ("active_connections", gettext_lazy("Active connections"), "number", ""),
    ("connections_bandwidth_mbps", gettext_lazy("Connections' need"), "number", "Mbit/s"),
    ("bandwidth_mbps", gettext_lazy("Internet bandwidth per instance"), "number", "Mbit/s"),
)


def compare_snapshots(old: dict[str, Any], new: dict[str, Any]) -> SnapshotDiff:
    """What differs from snapshot `old` to snapshot `new` (every value, changed or not)."""
    added, removed, changed, unchanged = _sites(old.get("sites", []), new.get("sites", []))
    old_table, new_table = old.get("table", {}), new.get("table", {})
    return SnapshotDiff(
        answers=_answers(old, new),
        sites_added=added,
        sites_removed=removed,
        sites_changed=changed,
        sites_unchanged=unchanged,
        figures=_figures(old, new),
        recommendation=_recommendation(old.get("result") or {}, new.get("result") or {}),
        table=Change(
            "table.version",
            gettext_lazy("Sizing table"),
            old_table.get("version"),
            new_table.get("version"),
            "table",
        ),
        table_dates=(_day(old_table.get("effective_date")), _day(new_table.get("effective_date"))),
    )


def _day(text: Any) -> date | None:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return None


def _answers(old: dict[str, Any], new: dict[str, Any]) -> tuple[Change, ...]:
    old_project, new_project = old.get("project", {}), new.get("project", {})
    changes = [
        Change(
            "customer.company_name",
            gettext_lazy("Customer"),
            old.get("customer", {}).get("company_name"),
            new.get("customer", {}).get("company_name"),
        )
    ]
    changes += [
        Change(
            f"project.{name}",
            _field_label(Project, name),
            old_project.get(name),
            new_project.get(name),
            kind,
        )
        for name, kind in PROJECT_ANSWERS
    ]
    old_requirements = old_project.get("requirements", {})
    new_requirements = new_project.get("requirements", {})
    changes += [
        Change(
            f"project.requirements.{name}",
            _field_label(Project, name),
            old_requirements.get(name),
            new_requirements.get(name),
            "bool",
        )
        for name in REQUIREMENT_FIELDS
    ]
    return tuple(changes)


def _keyed_sites(sites: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Sites by name; a name repeated in the inventory is told apart by its rank
    ("Filiale", "Filiale (2)"), so the n-th of a name meets the n-th on the other side."""
    keyed: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    for site in sites:
        name = str(site.get("name", ""))
        seen[name] = seen.get(name, 0) + 1
        keyed[name if seen[name] == 1 else f"{name} ({seen[name]})"] = site
    return keyed


def _site_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> tuple[Change, ...]:
    changes = []
    for name, kind in SITE_FIELDS:
        before = None if old is None else old.get(name)
        after = None if new is None else new.get(name)
        change = Change(f"site.{name}", _field_label(SiteModel, name), before, after, kind)
        # An added or removed site lists what it has (its link, its address, its counts
        # above zero); a site on both sides lists what differs.
        if old is None or new is None:
            if name == "connectivity" or (before or after):
                changes.append(change)
        elif change.changed:
            changes.append(change)
    return tuple(changes)


def _sites(
    old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> tuple[tuple[SiteDiff, ...], tuple[SiteDiff, ...], tuple[SiteDiff, ...], int]:
    old_sites, new_sites = _keyed_sites(old), _keyed_sites(new)
    added = tuple(
        SiteDiff(name, _site_changes(None, site))
        for name, site in new_sites.items()
        if name not in old_sites
    )
    removed = tuple(
        SiteDiff(name, _site_changes(site, None))
        for name, site in old_sites.items()
        if name not in new_sites
    )
    both = [name for name in new_sites if name in old_sites]
    changed = tuple(
        SiteDiff(name, changes)
        for name in both
        if (changes := _site_changes(old_sites[name], new_sites[name]))
    )
    return added, removed, changed, len(both) - len(changed)


def _at(data: Any, path: str) -> Any:
    """The value at a dotted path of the sizing output, None when absent."""
    for key in path.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _totals(snapshot: dict[str, Any], name: str) -> int | None:
    sites = snapshot.get("sites")
    if sites is None:
        return None
    return sum(int(site.get(name) or 0) for site in sites)


def _figures(old: dict[str, Any], new: dict[str, Any]) -> tuple[Section, ...]:
    old_result, new_result = old.get("result") or {}, new.get("result") or {}
    inventory = Section(
        "inventory",
        gettext_lazy("Sites and devices"),
        (
            Change(
                "inventory.sites",
                gettext_lazy("Sites"),
                len(old["sites"]) if "sites" in old else None,
                len(new["sites"]) if "sites" in new else None,
                "number",
            ),
            *(
                Change(
                    f"inventory.{name}",
                    _field_label(SiteModel, name),
                    _totals(old, name),
                    _totals(new, name),
                    "number",
                )
                for name in COUNT_FIELDS
            ),
        ),
    )

    def section(key: str, title: Label, rows: tuple[tuple[str, Label, str, str], ...]) -> Section:
        return Section(
            key,
            title,
            tuple(
                Change(path, label, _at(old_result, path), _at(new_result, path), kind, unit)
                for path, label, kind, unit in rows
            ),
        )

    sections = [
        inventory,
        section("mcs", gettext_lazy("TVox + MCS sizing"), MCS_FIGURES),
        section("licences", gettext_lazy("Licences"), LICENCE_FIGURES),
    ]
    old_groups = _at(old_result, "mcs.instance_groups") or []
    new_groups = _at(new_result, "mcs.instance_groups") or []
    count = max(len(old_groups), len(new_groups))
    if count > 1:
        sections += [_group_section(index, old_groups, new_groups) for index in range(count)]
    return tuple(sections)


def _group_title(number: int) -> str:
    return _("Instance group %(number)s") % {"number": number}


_lazy_group_title = lazy(_group_title, str)


def _group_section(index: int, old_groups: list[Any], new_groups: list[Any]) -> Section:
    """The figures of the index-th group of equal instances (S1, S2), an absent group's
    figures None."""
    old_group = old_groups[index] if index < len(old_groups) else {}
    new_group = new_groups[index] if index < len(new_groups) else {}
    return Section(
        f"group{index}",
        _lazy_group_title(index + 1),
        tuple(
            Change(
                f"mcs.instance_groups[{index}].{name}",
                label,
                old_group.get(name),
                new_group.get(name),
                kind,
                unit,
            )
            for name, label, kind, unit in GROUP_FIGURES
        ),
    )


def _recommendation(old_result: dict[str, Any], new_result: dict[str, Any]) -> tuple[Change, ...]:
    def architecture(result: dict[str, Any]) -> Any:
        if "recommendation" not in result:
            return _ABSENT
        return result["recommendation"].get("architecture")

    def fits(result: dict[str, Any], key: str) -> bool | None:
        option = _at(result, f"recommendation.options.{key}")
        return None if option is None else bool(option.get("fits"))

    return (
        Change(
            "recommendation.architecture",
            gettext_lazy("Recommendation"),
            architecture(old_result),
            architecture(new_result),
            "architecture",
        ),
        *(
            Change(
                f"recommendation.options.{key}",
                ARCHITECTURE_NAMES[key],
                fits(old_result, key),
                fits(new_result, key),
                "verdict",
            )
            for key in ARCHITECTURES
        ),
    )


# A recommendation missing from a snapshot (no result), unlike None (nothing fits).
_ABSENT: Final = "-"


# --- how values read -------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _same_value(value: Any) -> Any:
    """Values as compared: 8 and 8.0 are the same figure, "" and None the same blank."""
    if _is_number(value):
        return Decimal(str(value))
    if value == "":
        return None
    return value


def _text(kind: str, value: Any, unit: str) -> str:
    if kind == "architecture":
        if value == _ABSENT:
            return "—"
        if value in ARCHITECTURES:
            return architecture_label(value)
        return _("No architecture fits these requirements")
    if value is None or value == "":
        return "—"
    if kind == "number" and _is_number(value):
        return f"{number(value)} {unit}".strip()
    if kind == "share":
        return share_percent(value)
    if kind == "bool":
        return _("Yes") if value else _("No")
    if kind == "verdict":
        return _("fits") if value else _("does not fit")
    if kind == "hypervisor":
        return choice_label(value, "hypervisor")
    if kind == "connectivity":
        return choice_label(value, "connectivity")
    if kind == "table":
        return _("version %(version)s") % {"version": value}
    return str(value)


# --- a snapshot sized again ------------------------------------------------------------------


def resized_snapshot(snapshot: dict[str, Any], table: SizingTable) -> dict[str, Any] | None:
    """`snapshot` with its own inputs sized with `table` instead (its result and its table
    replaced, everything else as it was); None when its inputs do not size any more."""
    from .snapshot import frozen_table_snapshot

    lang = "it" if snapshot.get("language") == "it" else "en"
    try:
        result = size_json(snapshot["sizing_input"], table, lang)
    except (InvalidInput, KeyError):
        return None
    return {**snapshot, "result": result, "table": frozen_table_snapshot(table)}


def _newer(table: SizingTable, snapshot: dict[str, Any]) -> bool:
    """Whether `table` applies after the snapshot's table: a later effective date, or the
    same date and a higher version (SizingTableVersion.objects.in_effect's order)."""
    used = snapshot.get("table", {})
    return (table.effective_date.isoformat(), table.version) > (
        str(used.get("effective_date", "")),
        int(used.get("version", 0)),
    )


def table_changes(snapshot: dict[str, Any], table: SizingTable) -> list[Change]:
    """The figures and verdicts that `table` would change in `snapshot`, when it is newer
    than the snapshot's table; empty when it is not, or when nothing changes."""
    if not _newer(table, snapshot):
        return []
    resized = resized_snapshot(snapshot, table)
    if resized is None:
        return []
    diff = compare_snapshots(snapshot, resized)
    return [*diff.changed_figures, *diff.changed_recommendation]


def rules_changed(proposal: Proposal) -> list[Change]:
    """What the sizing table in effect would change in `proposal` ("rules changed since
    this offer"): its own inputs re-sized with that table and compared with what it says.
    Empty when the proposal used the table in effect, or nothing would change."""
    from sizing.models import SizingTableVersion

    current = SizingTableVersion.objects.in_effect()
    if current is None or current.version == proposal.table_version:
        return []
    return table_changes(proposal.snapshot, current.as_table())
