"""The organisation's side of customer links: create, copy, revoke, re-issue, the
decision and its receipt on the project, a manager's reopening (portal/views.py)."""

from typing import Any

from django.urls import path  # noqa: F401

from . import views  # noqa: F401

urlpatterns: list[Any] = []
