"""`{{ key|architecture_label }}`: an architecture's name in the active language."""

from __future__ import annotations

from django import template

from sizing.labels import architecture_label

register = template.Library()
register.filter("architecture_label", architecture_label)
