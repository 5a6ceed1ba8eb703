"""The Django admin, scoped: an administrator of an organisation manages only its users,
customers and projects; only a superuser sees every organisation."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Customer, Organization, Project, Role, User


def _is_org_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(
        user.is_active and user.is_staff and getattr(user, "role", "") == Role.ADMINISTRATOR
    )


class OrganizationScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Rows belong to `organization`; administrators see and change only their own."""

    org_field = "organization"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.org_field}_id": request.user.organization_id})  # type: ignore[union-attr]

    def _allowed(self, request: HttpRequest, obj: Model | None) -> bool:
        if request.user.is_superuser:
            return True
        if not _is_org_admin(request):
            return False
        return obj is None or getattr(obj, f"{self.org_field}_id") == request.user.organization_id  # type: ignore[union-attr]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, None)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, None)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Nothing saved is ever lost: customers and projects are not deleted here.
        return bool(request.user.is_superuser)

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and self.org_field in form.base_fields:
            field = form.base_fields[self.org_field]
            field.queryset = Organization.objects.filter(pk=request.user.organization_id)  # type: ignore[attr-defined,union-attr]
            field.initial = request.user.organization_id  # type: ignore[union-attr]
        return form


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    # The logo changes only through the branding page, which checks the file and stores it
    # under its own content hash: a hash typed here could overwrite another's logo.
    exclude = ["logo", "logo_content_type"]
    readonly_fields = ["logo_sha256"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk=request.user.organization_id)  # type: ignore[union-attr]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser or _is_org_admin(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request) and (
            request.user.is_superuser or obj is None or obj.pk == request.user.organization_id  # type: ignore[union-attr]
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(OrganizationScopedAdmin, BaseUserAdmin):  # type: ignore[misc]
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "organization",
        "is_active",
    ]
    list_filter = ["role", "is_active", "organization"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Organisation and role"), {"fields": ("organization", "role")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "organization", "role", "password1", "password2"),
            },
        ),
    )

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # An organisation administrator manages roles, not Django permissions.
        return [(name, opts) for name, opts in fieldsets if "is_superuser" not in opts["fields"]]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        # Administrators use the admin; the others use the application only.
        obj.is_staff = obj.is_superuser or obj.role == Role.ADMINISTRATOR
        super().save_model(request, obj, form, change)


@admin.register(Customer)
class CustomerAdmin(OrganizationScopedAdmin):
    list_display = ["company_name", "vat_number", "country", "preferred_language", "organization"]
    list_filter = ["country", "preferred_language"]
    search_fields = ["company_name", "vat_number"]
    raw_id_fields = ["created_by"]


@admin.register(Project)
class ProjectAdmin(OrganizationScopedAdmin):
    list_display = ["title", "customer", "owner", "status", "revision", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "customer__company_name"]
    list_select_related = ["customer", "owner"]
    raw_id_fields = ["customer", "owner"]
    readonly_fields = ["revision", "created_at", "updated_at"]
