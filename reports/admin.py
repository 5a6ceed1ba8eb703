"""Proposals in the admin, read-only and scoped to the organisation; the prerequisites
annex editable by superusers and administrators (a proposal keeps the rows it printed)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from configurator.models import Role

from .models import Prerequisite, Proposal


def _is_administrator(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        user.is_active
        and (
            user.is_superuser or (user.is_staff and getattr(user, "role", "") == Role.ADMINISTRATOR)
        )
    )


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["project", "version", "language", "status", "created_at", "sha256"]
    list_filter = ["status", "language"]
    search_fields = ["project__title", "project__customer__company_name"]
    exclude = ["snapshot"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request).select_related("project")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(project__organization_id=request.user.organization_id)  # type: ignore[union-attr]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # generated from a project's proposal page, never by hand

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # immutable

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # nothing saved is ever lost


@admin.register(Prerequisite)
class PrerequisiteAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["architecture", "kind", "ports", "protocol", "text_en", "rule", "position"]
    list_filter = ["architecture", "kind", "rule"]
    list_editable = ["position"]
    ordering = ["architecture", "position"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_administrator(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_administrator(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _is_administrator(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return _is_administrator(request)
