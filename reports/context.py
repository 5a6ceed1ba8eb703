"""What the PDF templates print, read from a proposal's snapshot alone.

Everything here is derived from the snapshot (never from the live project, the brand or
the tables), so the same snapshot gives the same document. Called inside
`translation.override(snapshot["language"])`: labels and number formats follow it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from configurator.brand import DEFAULT_ACCENT, DEFAULT_PRIMARY, colour
from configurator.charts import bandwidth_chart
from configurator.models import REQUIREMENT_FIELDS, Connectivity, Project
from configurator.templatetags.choice_labels import choice_label, share_percent
from sizing.inputs import COUNT_FIELDS
from sizing.labels import ARCHITECTURE_NAMES
from sizing.results import ARCHITECTURES

from .diagrams import architecture_diagram
from .draft_mark import watermark_svg
from .models import Architecture, PrerequisiteKind, snapshot_is_approved

# The headers of the PDF's site table, one for each count of a site (sizing.inputs).
SITE_COLUMN_LABELS: Final[dict[str, Promise]] = {
    "users": gettext_lazy("Users"),
    "sip_phones": gettext_lazy("SIP phones"),
    "mobile_apps": gettext_lazy("Mobile apps"),
    "web_clients": gettext_lazy("Web clients"),
    "widgets": gettext_lazy("Widgets"),
    "smart_working_webclient": gettext_lazy("Webclient in Smart Working"),
    "smart_working_team": gettext_lazy("TVoxTeam Smartworking"),
}
SITE_COLUMNS: Final = tuple((name, SITE_COLUMN_LABELS[name]) for name in COUNT_FIELDS)


@dataclass(frozen=True)
class Dimension:
    """One row of the vendor's comparison (R1–R5): what each option offers."""

    rule: str
    title: Promise
    pure_cloud: Promise
    mcs: Promise
    hybrid: Promise


DIMENSIONS: Final = (
    # Q1 first: where TVox runs decides more fits than any of R1–R5.
    Dimension(
        "Q1",
        gettext_lazy("Where TVox runs"),
        gettext_lazy("In a public cloud, exposed on the internet."),
        gettext_lazy(
            "In the customer's private infrastructure; only MCS, in a DMZ, faces the internet."
        ),
        gettext_lazy("In a public cloud, with a direct link to the company's sites."),
    ),
    Dimension(
        "R1",
        gettext_lazy("Smart working"),
        gettext_lazy("TVox client and web client over a plain internet connection."),
        gettext_lazy(
            "The same, only for users holding a named licence: Webclient in Smart Working "
            "and/or Utenti TVoxTeam Smartworking (one per user)."
        ),
        gettext_lazy("As Pure Cloud."),
    ),
    Dimension(
        "R2",
        gettext_lazy("Physical devices connected over the internet"),
        gettext_lazy("Available by definition."),
        gettext_lazy(
            "Not available: physical devices must reach TVox over a direct link (local LAN, "
            "VPN or MPLS)."
        ),
        gettext_lazy("Available: over the internet or over the private line."),
    ),
    Dimension(
        "R3",
        gettext_lazy("Application redundancy"),
        gettext_lazy(
            "A redundant TVox (Master + Slave) with the PURE_CLOUD licence on both, database "
            "replication and file-system sync."
        ),
        gettext_lazy(
            "MCS cannot be made redundant: its continuity depends on the hosting "
            "infrastructure; we recommend a backup procedure agreed with Telenia Customer "
            "Service."
        ),
        gettext_lazy("As Pure Cloud."),
    ),
    Dimension(
        "R4",
        gettext_lazy("Cyber security"),
        gettext_lazy(
            "TVox is exposed on the internet for the services MCS offers plus what phones "
            "need to connect from the cloud."
        ),
        gettext_lazy(
            "MCS sits in an isolated DMZ and exposes only some services of the TVox systems "
            "connected to it."
        ),
        gettext_lazy("As Pure Cloud."),
    ),
    Dimension(
        "R5",
        gettext_lazy("Hybrid cloud"),
        gettext_lazy("Possible with a direct link (see hybrid cloud)."),
        gettext_lazy("Not applicable."),
        gettext_lazy(
            "Pure Cloud plus a direct link (VPN, MPLS or LAN); provisioning follows the Pure "
            "Cloud modes, so DHCP provisioning is not possible."
        ),
    ),
)

# The sizing figures of one MCS instance group, in the order the PDF prints them.
INSTANCE_FIGURES: Final[tuple[tuple[str, Promise, str], ...]] = (
    ("tier_max_users", gettext_lazy("Tier (users up to)"), ""),
    ("vcpu", gettext_lazy("CPU cores"), ""),
    ("ram_gb", gettext_lazy("RAM"), "GB"),
    ("disk_gb", gettext_lazy("Disk"), "GB"),
    ("nic_gbit", gettext_lazy("Ethernet"), "Gbit"),
    ("min_bandwidth_mbps", gettext_lazy("Minimum internet bandwidth"), "Mbit/s"),
    ("bandwidth_mbps", gettext_lazy("Internet bandwidth per instance"), "Mbit/s"),
)
TOTAL_FIGURES: Final[tuple[tuple[str, Promise, str], ...]] = (
    ("devices", gettext_lazy("MCS devices (apps, web clients, widgets)"), ""),
    ("concurrency", gettext_lazy("Share connected at the same time"), "%"),
    ("active_connections", gettext_lazy("Active connections"), ""),
    ("mbps_per_connection", gettext_lazy("Bandwidth per connection"), "Mbit/s"),
    ("connections_bandwidth_mbps", gettext_lazy("Connections' need"), "Mbit/s"),
    ("min_bandwidth_mbps", gettext_lazy("Tiers' minimum"), "Mbit/s"),
    ("bandwidth_mbps", gettext_lazy("Recommended internet bandwidth"), "Mbit/s"),
    ("instances", gettext_lazy("MCS instances"), ""),
    ("openvpn_tunnels", gettext_lazy("OpenVPN tunnels"), ""),
)
KIND_ORDER: Final = [kind for kind, _label in PrerequisiteKind.choices]


def number(value: Any) -> str:
    """A figure in the document's language: 1.000,5 in Italian, 1,000.5 in English."""
    if isinstance(value, bool) or value is None:
        return "—"
    as_decimal = Decimal(str(value)).normalize()
    if as_decimal == as_decimal.to_integral_value():
        as_decimal = as_decimal.quantize(Decimal(1))
    return formats.number_format(as_decimal, use_l10n=True, force_grouping=True)


def _figure(result: dict[str, Any], path: str, value: Any, label: Promise, unit: str) -> dict:
    explanation = result["explanations"].get(path, {})
    return {
        "label": label,
        "value": share_percent(value) if unit == "%" else f"{number(value)} {unit}".strip(),
        "why": explanation.get("message", ""),
    }


def _mcs(result: dict[str, Any], primary: str, accent: str) -> dict[str, Any]:
    mcs = result["mcs"]
    groups = []
    for index, group in enumerate(mcs["instance_groups"]):
        prefix = f"mcs.instance_groups[{index}]"
        groups.append(
            {
                "instances": group["instances"],
                "devices": number(group["devices"]),
                "tvox_systems": number(group["tvox_systems"]),
                "disk_type": group.get("disk_type", ""),
                "figures": [
                    _figure(result, f"{prefix}.{name}", group[name], label, unit)
                    for name, label, unit in INSTANCE_FIGURES
                ],
                "why": [
                    result["explanations"][f"{prefix}.{name}"]["message"]
                    for name in ("instances", "devices", "tvox_systems")
                    if f"{prefix}.{name}" in result["explanations"]
                ],
            }
        )
    return {
        "groups": groups,
        "totals": [
            _figure(result, f"mcs.{name}", mcs[name], label, unit)
            for name, label, unit in TOTAL_FIGURES
        ],
        "chart": bandwidth_chart(mcs, primary, accent),
        "bandwidth": f"{number(mcs['bandwidth_mbps'])} Mbit/s",
        "instances": number(mcs["instances"]),
        "openvpn_tunnels": number(mcs["openvpn_tunnels"]),
    }


def _marks(result: dict[str, Any], option: str) -> dict[str, str]:
    """Per rule, how the option stands for this customer: `blocker` when one of its
    blocking conflicts (or reasons not to fit) cites the rule, `warning` when a warning
    does, else `ok`."""
    section = result[option]
    marks: dict[str, str] = {}
    not_fitting = result["recommendation"]["options"][option]
    blocking = [*section["blockers"], *([] if not_fitting["fits"] else not_fitting["reasons"])]
    for notice in section["warnings"]:
        for rule in notice["rules"]:
            marks[rule] = "warning"
    for notice in blocking:
        for rule in notice["rules"]:
            marks[rule] = "blocker"
    return marks


def _customer_needs(snapshot: dict[str, Any]) -> dict[str, str]:
    """What this customer asked for, per dimension, in a few words."""
    requirements = snapshot["project"]["requirements"]
    sites = snapshot["sites"]
    smart = sum(s["smart_working_webclient"] + s["smart_working_team"] for s in sites)
    remote = sum(s["sip_phones"] for s in sites if s["connectivity"] == Connectivity.INTERNET)
    yes, no = _("Required"), _("Not required")
    if requirements.get("keep_tvox_private"):
        where = _("In the private infrastructure")
    elif requirements.get("full_cloud"):
        where = _("Fully in the cloud")
    else:
        where = _("No preference")
    return {
        "Q1": where,
        "R1": ngettext("%(count)s smart-working user", "%(count)s smart-working users", smart)
        % {"count": number(smart)}
        if smart
        else no,
        "R2": ngettext(
            "%(count)s SIP phone at internet-only sites",
            "%(count)s SIP phones at internet-only sites",
            remote,
        )
        % {"count": number(remote)}
        if remote
        else no,
        "R3": yes if requirements.get("redundancy") else no,
        "R4": yes if requirements.get("no_public_pbx_exposure") else no,
        "R5": _("DHCP provisioning required")
        if requirements.get("dhcp_provisioning")
        else (yes if requirements.get("reuse_local_lines_and_phones") else no),
    }


def _comparison(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    result = snapshot["result"]
    marks = {option: _marks(result, option) for option in ARCHITECTURES}
    needs = _customer_needs(snapshot)
    return [
        {
            "rule": dimension.rule,
            "title": dimension.title,
            "need": needs[dimension.rule],
            "cells": [
                {
                    "text": getattr(dimension, option),
                    "mark": marks[option].get(dimension.rule, "ok"),
                }
                for option in ARCHITECTURES
            ],
        }
        for dimension in DIMENSIONS
    ]


def _options(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    result = snapshot["result"]
    brand = snapshot["organization"]
    project = snapshot["project"]
    primary = colour(brand.get("primary_color"), DEFAULT_PRIMARY)
    accent = colour(brand.get("accent_color"), DEFAULT_ACCENT)
    recommended = result["recommendation"]["architecture"]
    return [
        {
            "code": option,
            "label": ARCHITECTURE_NAMES[option],
            "fits": result["recommendation"]["options"][option]["fits"],
            "recommended": option == recommended,
            "reasons": result["recommendation"]["options"][option]["reasons"],
            "warnings": result[option]["warnings"],
            "blockers": result[option]["blockers"],
            "diagram": architecture_diagram(
                option,
                snapshot["sites"],
                tvox_systems=project["tvox_systems"],
                mcs_instances=result["mcs"]["instances"],
                redundancy=bool(project["requirements"].get("redundancy")),
                primary=primary,
                accent=accent,
            ),
        }
        for option in ARCHITECTURES
    ]


def _sites(snapshot: dict[str, Any]) -> dict[str, Any]:
    rows = [
        {
            "name": site["name"],
            "address": site.get("address", ""),
            "connectivity": choice_label(site["connectivity"], "connectivity"),
            "internet_only": site["connectivity"] == Connectivity.INTERNET,
            "counts": [number(site[name]) for name, _label in SITE_COLUMNS],
        }
        for site in snapshot["sites"]
    ]
    totals = [number(sum(site[name] for site in snapshot["sites"])) for name, _ in SITE_COLUMNS]
    return {"columns": [label for _name, label in SITE_COLUMNS], "rows": rows, "totals": totals}


# Telenia's licence names, the same in every language (R1).
MCS_LICENCE_NAMES: Final = {
    "webclient_smart_working": "Webclient in Smart Working",
    "tvoxteam_smart_working": "Utenti TVoxTeam Smartworking",
}


def _bill_of_materials(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Licences and quantities per option (S5), each with the reason for it."""
    mcs = result["mcs"]

    def row(option: str, item: str, quantity: int, path: str, why: str = "") -> dict:
        explanation = result["explanations"].get(path, {}).get("message", "")
        return {
            "option": ARCHITECTURE_NAMES[option],
            "item": item,
            "quantity": number(quantity),
            "why": why or explanation,
        }

    servers = ", ".join(
        _("%(n)s × up to %(users)s users (%(cpu)s cores, %(ram)s GB RAM, %(disk)s GB %(type)s)")
        % {
            "n": group["instances"],
            "users": number(group["tier_max_users"]),
            "cpu": group["vcpu"],
            "ram": group["ram_gb"],
            "disk": group["disk_gb"],
            "type": group.get("disk_type", ""),
        }
        for group in mcs["instance_groups"]
    )
    rows = [
        row(option, code, quantity, f"{option}.licenses.{code}")
        for option in ("pure_cloud", "hybrid")
        for code, quantity in result[option]["licenses"].items()
    ]
    rows.append(row("mcs", _("MCS server (virtual machine)"), mcs["instances"], "", servers))
    rows.extend(
        row("mcs", MCS_LICENCE_NAMES.get(code, code), quantity, f"mcs.licenses.{code}")
        for code, quantity in mcs["licenses"].items()
    )
    rows.append(row("mcs", _("OpenVPN tunnels"), mcs["openvpn_tunnels"], "mcs.openvpn_tunnels"))
    return rows


def _prerequisites(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    language = snapshot["language"]
    kinds = dict(PrerequisiteKind.choices)
    sections = []
    labels = {
        Architecture.MCS: ARCHITECTURE_NAMES["mcs"],
        Architecture.PURE_CLOUD: _("TVox Pure Cloud and hybrid cloud"),
    }
    for architecture, label in labels.items():
        rows = [p for p in snapshot["prerequisites"] if p["architecture"] == architecture]
        if not rows:
            continue
        rows.sort(key=lambda p: KIND_ORDER.index(p["kind"]) if p["kind"] in KIND_ORDER else 99)
        sections.append(
            {
                "label": label,
                "rows": [
                    {
                        "kind": kinds.get(p["kind"], p["kind"]),
                        "ports": p["ports"],
                        "protocol": p["protocol"],
                        "text": p["it"] if language == "it" else p["en"],
                        "rule": p["rule"],
                    }
                    for p in rows
                ],
                "sources": sorted({p["source"] for p in rows}),
            }
        )
    return sections


def _requirements(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    answers = snapshot["project"]["requirements"]
    return [
        {
            "label": Project._meta.get_field(name).verbose_name,
            "answer": _("Yes") if answers.get(name) else _("No"),
        }
        for name in REQUIREMENT_FIELDS
    ]


def _generated(snapshot: dict[str, Any]) -> date:
    """The day the snapshot was taken, in the project's time zone (not UTC's)."""
    return timezone.localdate(datetime.fromisoformat(snapshot["generated_at"]))


def approval_line(snapshot: dict[str, Any]) -> str:
    """ "Approved on <date> by <name> (revision n)" for an approved proposal, else empty."""
    if not snapshot_is_approved(snapshot):
        return ""
    approval = snapshot["approval"]
    approved_on = timezone.localdate(datetime.fromisoformat(approval["at"]))
    return _("Approved on %(date)s by %(name)s (revision %(revision)s)") % {
        "date": formats.date_format(approved_on, "DATE_FORMAT"),
        "name": approval.get("by") or "—",
        "revision": approval["revision"],
    }


def _valid_until(snapshot: dict[str, Any]) -> str:
    """The offer's last day, formatted, or "" when none is set (older snapshots have none)."""
    day = snapshot["project"].get("offer_valid_until")
    return formats.date_format(date.fromisoformat(day), "DATE_FORMAT") if day else ""


def proposal_context(snapshot: dict[str, Any], version: int | None = None) -> dict[str, Any]:
    result = snapshot["result"]
    brand = snapshot["organization"]
    recommended = result["recommendation"]["architecture"]
    primary = colour(brand.get("primary_color"), DEFAULT_PRIMARY)
    accent = colour(brand.get("accent_color"), DEFAULT_ACCENT)
    return {
        "snapshot": snapshot,
        "version": version,
        # Not approved: "Draft – not approved" on every page (proposal.html).
        "approved": snapshot_is_approved(snapshot),
        "approval": approval_line(snapshot),
        "draft_mark": _("Draft – not approved"),
        "draft_watermark": ""
        if snapshot_is_approved(snapshot)
        else watermark_svg(_("Draft – not approved")),
        "brand": brand,
        "primary": primary,
        "accent": accent,
        "has_logo": bool(brand.get("logo")),
        "customer": snapshot["customer"],
        "project": snapshot["project"],
        "prepared_by": snapshot["prepared_by"],
        "generated": formats.date_format(_generated(snapshot), "DATE_FORMAT"),
        "valid_until": _valid_until(snapshot),
        "recommended": ARCHITECTURE_NAMES[recommended] if recommended else None,
        "recommended_code": recommended,
        "reasons": result["recommendation"]["reasons"],
        "options": _options(snapshot),
        "comparison": _comparison(snapshot),
        "requirements": _requirements(snapshot),
        "sites": _sites(snapshot),
        "mcs": _mcs(result, primary, accent),
        "bill": _bill_of_materials(result),
        "prerequisites": _prerequisites(snapshot),
        "assumptions": result["assumptions"],
        "table": snapshot["table"],
        "table_date": formats.date_format(
            date.fromisoformat(snapshot["table"]["effective_date"]), "DATE_FORMAT"
        ),
        "tvox_systems": number(snapshot["project"]["tvox_systems"]),
        "concurrency": share_percent(snapshot["project"]["concurrency"]),
        "hypervisor": choice_label(snapshot["project"]["hypervisor"], "hypervisor")
        if snapshot["project"]["hypervisor"]
        else _("not chosen yet"),
        "public_domain": snapshot["project"]["public_domain"] or _("to be provided"),
    }
