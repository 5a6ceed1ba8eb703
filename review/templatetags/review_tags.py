"""The review panel of a project's page: `{% load review_tags %}{% review_panel %}`.

It reads `project` and `request.user` from the page's context (and `review_error`, the
reason of a refused transition, when the page is that refusal) and shows the status, the
buttons of the transitions this user may make (no others), the last review's comment and
the project's record of transitions.
"""

from __future__ import annotations

from typing import Any

from django import template

from review import workflow

register = template.Library()


@register.inclusion_tag("review/_panel.html", takes_context=True)
def review_panel(context: template.Context) -> dict[str, Any]:
    project = context["project"]
    user = context["request"].user
    return {
        "project": project,
        "allowed": workflow.allowed_actions(project, user),
        "last_review": workflow.last_review(project),
        "outdated": workflow.outdated_approval(project),
        "transitions": workflow.transitions_of(project),
        "review_error": context.get("review_error", ""),
        "request": context["request"],
    }
