"""The history timelines of the project and customer pages (configurator.history).

`{% history_timeline %}` on the project page shows its latest entries and links to the
whole history; `{% customer_history %}` on the customer page shows the customer's own.
"""

from __future__ import annotations

from typing import Any

from django import template

from configurator.history import customer_timeline, project_timeline

register = template.Library()

LATEST = 20  # entries on the project and customer pages


@register.inclusion_tag("configurator/history/_timeline_card.html", takes_context=True)
def history_timeline(context: dict[str, Any]) -> dict[str, Any]:
    project = context["project"]
    return {"project": project, "entries": project_timeline(project, limit=LATEST)}


@register.inclusion_tag("configurator/history/_customer_card.html", takes_context=True)
def customer_history(context: dict[str, Any]) -> dict[str, Any]:
    customer = context["customer"]
    return {"customer": customer, "entries": customer_timeline(customer, limit=LATEST)}
