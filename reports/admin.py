"""Proposals in the admin, read-only and scoped to the organisation; the prerequisites
annex, one of Telenia's rules shared by every partner, read by partners' administrators and
edited by platform operators only (configurator.admin_access). A proposal keeps the rows it
printed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from configurator.admin_access import OrganizationScopedAdmin, SharedRulesAdmin

from .models import Prerequisite, Proposal


@admin.register(Proposal)
class ProposalAdmin(OrganizationScopedAdmin):
    organization_path = "project__organization"
    list_display = ["project", "version", "language", "status", "created_at", "sha256"]
    list_filter = ["status", "language"]
    search_fields = ["project__title", "project__customer__company_name"]
    exclude = ["snapshot"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).select_related("project")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # generated from a project's proposal page, never by hand

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # immutable

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # nothing saved is ever lost


@admin.register(Prerequisite)
class PrerequisiteAdmin(SharedRulesAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["architecture", "kind", "ports", "protocol", "text_en", "rule", "position"]
    list_filter = ["architecture", "kind", "rule"]
    list_editable = ["position"]
    ordering = ["architecture", "position"]
