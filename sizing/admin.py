"""The sizing tables in the admin: Telenia's rules, shared by every partner. Partners'
administrators read them; only platform operators (configurator.admin_access) change them.
Saving a version, new or opened from an old one, always creates a new version; an old one
never changes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.translation import gettext_lazy as _

from configurator.admin_access import SharedRulesAdmin

from .models import SizingTableVersion, SizingTier

TIER_FIELDS = (
    "max_users",
    "vcpu",
    "ram_gb",
    "disk_gb",
    "disk_type",
    "nic_gbit",
    "min_bandwidth_mbps",
)


class SizingTierForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = SizingTier
        fields = TIER_FIELDS
        # Every page writes the bandwidth in Mbit/s; "Mb/s" reads as megabytes in the
        # admin's upper-case column titles ("MB/S").
        labels = {"min_bandwidth_mbps": _("internet bandwidth, at least (Mbit/s)")}


class SizingTierInline(SharedRulesAdmin, admin.TabularInline):  # type: ignore[type-arg]
    model = SizingTier
    form = SizingTierForm
    extra = 0
    min_num = 1
    fields = TIER_FIELDS
    # "Delete" on a tier leaves it out of the new version; no saved row is deleted.


@admin.register(SizingTableVersion)
class SizingTableVersionAdmin(SharedRulesAdmin, admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["version", "effective_date", "in_effect", "created_at", "created_by"]
    readonly_fields = ["version", "created_at", "created_by"]
    inlines = [SizingTierInline]
    fieldsets = [
        (
            None,
            {
                "fields": ["version", "effective_date", "source", "created_at", "created_by"],
                "description": _(
                    "Saving always creates a new version; the version shown here stays as it "
                    "is, so results that recorded it can be reproduced."
                ),
            },
        ),
        (
            _("MCS (R8, R10, R11)"),
            {
                "fields": [
                    "max_tvox_per_instance",
                    "kb_per_second_per_connection",
                    "supported_hypervisors",
                    "os_name",
                    "os_end_of_life",
                ]
            },
        ),
        (
            _("Assumptions (S1, S3)"),
            {
                "fields": [
                    "bytes_per_kb",
                    "default_concurrency",
                    "counts_mobile_apps",
                    "counts_web_clients",
                    "counts_widgets",
                ]
            },
        ),
    ]

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # results refer to versions by number

    @admin.display(boolean=True, description=_("in effect"))
    def in_effect(self, obj: SizingTableVersion) -> bool:
        return obj == SizingTableVersion.objects.in_effect()

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST" and object_id is not None:
            # Django's "save as new" copies the version and its tiers; every save is one.
            post: QueryDict = request.POST.copy()
            post["_saveasnew"] = "1"
            request.POST = post  # type: ignore[assignment]
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(
        self, request: HttpRequest, obj: SizingTableVersion, form: Any, change: bool
    ) -> None:
        obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
