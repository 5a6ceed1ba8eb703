from django import template
from django.utils.translation import gettext as _

from .choice_labels import CHOICES, choice_label, share_percent

register = template.Library()


@register.filter
def aria_sort(current: str, key: str) -> str:
    """The aria-sort value of a column header: `{{ sort|aria_sort:"title" }}`."""
    if current == key:
        return "ascending"
    if current == f"-{key}":
        return "descending"
    return "none"


@register.filter
def attr_display(obj: object, name: str) -> object:
    """A model field's value as people read it: `{{ project|attr_display:"hypervisor" }}`."""
    if name in CHOICES:
        return choice_label(getattr(obj, name, ""), name)
    if name == "concurrency":
        return share_percent(getattr(obj, name, ""))
    display = getattr(obj, f"get_{name}_display", None)
    value = display() if callable(display) else getattr(obj, name, "")
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    return value if value not in ("", None) else "—"
