"""The customer's pages, under /offer/ (portal/public.py): no account, the token in the
path. Every pattern takes any string as the token, so a mistyped one reaches the same
view, and the same 404, as a guessed one."""

from typing import Any

from django.urls import path  # noqa: F401

from . import public  # noqa: F401

urlpatterns: list[Any] = []
