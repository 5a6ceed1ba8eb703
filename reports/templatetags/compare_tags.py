"""`{% rules_changed_notice %}`: "rules changed since this offer" on a project's pages.

Reads `project` from the context. When the sizing table in effect is not the one the
project's latest proposal was sized with, and sizing that proposal's own inputs with it
would change a figure or a verdict, the notice lists them with a link to the comparison;
otherwise it prints nothing.
"""

from __future__ import annotations

from typing import Any

from django import template

from reports.compare import table_changes
from reports.models import Proposal
from sizing.models import SizingTableVersion

register = template.Library()


@register.inclusion_tag("reports/_rules_changed.html", takes_context=True)
def rules_changed_notice(context: template.Context) -> dict[str, Any]:
    project = context.get("project")
    if project is None:
        return {"changes": []}
    # The snapshot is read only when the tables differ.
    latest = Proposal.objects.filter(project=project).defer("snapshot").order_by("-version").first()
    if latest is None:
        return {"changes": []}
    current = SizingTableVersion.objects.in_effect()
    if current is None or latest.table_version == current.version:
        return {"changes": []}
    return {
        "project": project,
        "proposal": latest,
        "changes": table_changes(latest.snapshot, current.as_table()),
        "current_table": current,
        "link": True,
    }
