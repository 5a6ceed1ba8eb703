"""Codes as people read them, in the active language, for the pages and the PDF.

`{{ project.hypervisor|choice_label:"hypervisor" }}` is "VMware ESXi / vSphere" for
"vmware", `{{ "vpn"|choice_label:"connectivity" }}` is "VPN", and
`{{ project.concurrency|share_percent }}` is "100 %" for 1, and `{{ row.values|import_preview }}`
writes an import preview's cells the same way. The labels come from the one
table of each choice (the questionnaire's hypervisors, the site's connectivities), so a
label changed there changes everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Final

from django import template

from configurator.forms import HYPERVISOR_CHOICES
from configurator.inventory_io import COLUMNS
from configurator.models import Connectivity, Site
from configurator.svg import localized_number

register = template.Library()

CHOICES: Final[dict[str, Iterable[tuple[str, object]]]] = {
    "hypervisor": HYPERVISOR_CHOICES,
    "connectivity": Connectivity.choices,
}


@register.filter
def choice_label(code: object, kind: str) -> str:
    """The label of `code` among the choices of `kind`; a code outside them (a hypervisor
    the JSON contract accepts but the form does not offer) as written, "—" when empty."""
    text = "" if code is None else str(code).strip()
    if not text:
        return "—"
    labels = {key: str(label) for key, label in CHOICES[kind] if key}
    return labels.get(text.lower(), text)


@register.filter
def share_percent(share: object) -> str:
    """A share (0 to 1) as a percentage in the reader's format: 0.305 is "30.5 %" in
    English and "30,5 %" in Italian (a no-break space before the sign, as ISO 80000 writes
    it)."""
    if share in (None, ""):
        return "—"
    return f"{localized_number(Decimal(str(share)) * 100)}\u00a0%"


@register.filter
def import_preview(values: list[str]) -> list[str]:
    """The cells of an import preview's row (in `inventory_io.COLUMNS` order) as the site
    would show them: a value of a field with choices by its label, anything else (an
    unknown code among them, which the row's check refuses) as typed."""
    return [_site_value(name, value) for name, value in zip(COLUMNS, values, strict=False)]


def _site_value(name: str, value: str) -> str:
    choices = Site._meta.get_field(name).choices
    if not choices:
        return value
    labels = {str(key): str(label) for key, label in choices}
    return labels.get(value.strip().lower(), value)
