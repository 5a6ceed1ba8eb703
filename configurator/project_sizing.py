"""A project sized as its pages and its proposal show it: one step, one typed answer.

`size_project` sizes a project's sites with the sizing table in effect, in a language,
and answers a `ProjectSizing`: the sizing output (the JSON contract of `sizing.schema`)
with the figure table, the option boxes and the bandwidth chart that the results panel
shows, or the reasons it could not be sized. The project's pages and the proposal's
snapshot (reports/snapshot.py) both call it, so they size the same way and say the same
thing when they cannot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from sizing.models import SizingTableVersion
from sizing.schema import InvalidInput, size_json

from .charts import bandwidth_chart
from .models import Project, Site

# The figures the project page shows, by their path in the sizing output.
SIZING_FIGURES = [
    ("mcs.instances", gettext_lazy("MCS instances"), ""),
    ("mcs.tier_max_users", gettext_lazy("Tier (users up to, per instance)"), ""),
    ("mcs.vcpu", gettext_lazy("CPU cores per instance"), ""),
    ("mcs.ram_gb", gettext_lazy("RAM per instance"), "GB"),
    ("mcs.disk_gb", gettext_lazy("Disk per instance"), "GB SSD"),
    ("mcs.nic_gbit", gettext_lazy("Ethernet per instance"), "Gbit"),
    ("mcs.devices", gettext_lazy("MCS devices"), ""),
    ("mcs.active_connections", gettext_lazy("Active connections"), ""),
    ("mcs.bandwidth_mbps", gettext_lazy("Internet bandwidth"), "Mbit/s"),
    ("mcs.openvpn_tunnels", gettext_lazy("OpenVPN tunnels"), ""),
    (
        "mcs.licenses.webclient_smart_working",
        gettext_lazy("Webclient in Smart Working licences"),
        "",
    ),
    ("mcs.licenses.tvoxteam_smart_working", gettext_lazy("TVoxTeam Smartworking licences"), ""),
    ("pure_cloud.licenses.PURE_CLOUD", gettext_lazy("PURE_CLOUD licences (Pure Cloud)"), ""),
]


@dataclass(frozen=True)
class FigureRow:
    """One row of the figure table: the figure, its unit and why (message, rules, inputs)."""

    label: str
    value: Any
    unit: str
    why: str
    rules: list[str]
    inputs: list[tuple[str, Any]]


@dataclass(frozen=True)
class InstanceGroupRow:
    """One group of equal MCS instances and why its bandwidth is what it is (S3)."""

    group: dict[str, Any]
    bandwidth_why: str


@dataclass(frozen=True)
class OptionBox:
    """One architecture: whether it fits, why, and its own notices."""

    key: str
    fits: bool
    reasons: list[Any]
    notices: list[Any]


@dataclass(frozen=True)
class ProjectSizing:
    """The sizing of a project, or why there is none (`errors`, in the reader's language).

    `input` is what was sized (the JSON contract's input), `table` the table version it
    was sized with, `result` the output in `lang`. The figure rows, the option boxes and
    the chart are derived from the result when a page asks for them.
    """

    errors: tuple[str, ...] = ()
    input: dict[str, Any] = field(default_factory=dict)
    table: SizingTableVersion | None = None
    result: dict[str, Any] | None = None
    lang: str = "en"

    @classmethod
    def refused(cls, message: str) -> ProjectSizing:
        return cls(errors=(message,))

    @cached_property
    def figures(self) -> list[FigureRow]:
        return _figure_rows(self.result) if self.result else []

    @cached_property
    def instance_groups(self) -> list[InstanceGroupRow]:
        if not self.result:
            return []
        explanations = self.result["explanations"]
        return [
            InstanceGroupRow(
                group=group,
                bandwidth_why=explanations[f"mcs.instance_groups[{i}].bandwidth_mbps"]["message"],
            )
            for i, group in enumerate(self.result["mcs"]["instance_groups"])
        ]

    @cached_property
    def options(self) -> list[OptionBox]:
        return _option_boxes(self.result) if self.result else []

    @cached_property
    def chart(self) -> str:
        return bandwidth_chart(self.result["mcs"]) if self.result else ""


def size_project(
    project: Project, sites: list[Site], language: str | None = None
) -> ProjectSizing | None:
    """The sizing of `project` with these sites (saved or being typed) and the table
    version in effect, in `language` (the page's by default); None without sites."""
    if not sites:
        return None
    lang = "it" if (language or get_language()) == "it" else "en"
    version = SizingTableVersion.objects.in_effect()
    if version is None:
        return ProjectSizing.refused(_("No sizing table is in effect: ask an administrator."))
    data = project.sizing_data(sites)
    try:
        result = size_json(data, version.as_table(), lang)  # type: ignore[arg-type]
    except InvalidInput as exc:
        errors = tuple(f"{e.field}: {e.message(lang)}" for e in exc.errors)  # type: ignore[arg-type]
        return ProjectSizing(errors=errors, input=data, table=version, lang=lang)
    return ProjectSizing(input=data, table=version, result=result, lang=lang)


def _figure_rows(result: dict[str, Any]) -> list[FigureRow]:
    rows = []
    for path, label, unit in SIZING_FIGURES:
        value: Any = result
        for key in path.split("."):
            value = value[key]
        why = result["explanations"].get(path, {})
        rows.append(
            FigureRow(
                label=label,
                value=value,
                unit=unit,
                why=why.get("message", ""),
                rules=why.get("rules", []),
                inputs=sorted(why.get("inputs", {}).items()),
            )
        )
    return rows


def _option_boxes(result: dict[str, Any]) -> list[OptionBox]:
    """Each architecture with why it fits or not and its own notices (MCS's are listed
    under the sizing, so its box carries only the reasons)."""
    return [
        OptionBox(
            key=key,
            fits=option["fits"],
            reasons=option["reasons"],
            notices=[] if key == "mcs" else result[key]["blockers"] + result[key]["warnings"],
        )
        for key, option in result["recommendation"]["options"].items()
    ]
