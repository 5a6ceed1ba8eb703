"""The Django admin, scoped: an administrator of an organisation manages only its users,
customers and projects, and every choice its forms offer is one of the organisation's rows
(configurator.admin_access); only a superuser sees every organisation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .admin_access import OrganizationScopedAdmin, SameOrganizationForm, ScopedUserChangeForm
from .models import CLOSED_STATUSES, Customer, Organization, Project, Role, User


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_path = "pk"
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    # The logo changes only through the branding page, which checks the file and stores it
    # under its own content hash: a hash typed here could overwrite another's logo.
    exclude = ["logo", "logo_content_type"]
    readonly_fields = ["logo_sha256", "branding_revision"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """A change here is a branding save too: a branding page opened before it then
        answers with its conflict page instead of overwriting it."""
        if change and form.changed_data:
            obj.branding_revision = F("branding_revision") + 1
        super().save_model(request, obj, form, change)
        obj.refresh_from_db(fields=["branding_revision"])

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(OrganizationScopedAdmin, BaseUserAdmin):  # type: ignore[misc]
    form = ScopedUserChangeForm
    list_display = [
        "username",
        "email",
        "first_name",
        "last_name",
        "role",
        "language",
        "organization",
        "is_active",
    ]
    list_filter = ["role", "language", "is_active", "organization"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Organisation and role"), {"fields": ("organization", "role", "language")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "email",
                    "organization",
                    "role",
                    "language",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        # Superusers' and permission holders' accounts are the platform's: an organisation's
        # administrator who could set their password would hold their powers.
        return queryset.filter(
            is_superuser=False, user_permissions__isnull=True, groups__isnull=True
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
    form = SameOrganizationForm
    list_display = ["company_name", "vat_number", "country", "preferred_language", "organization"]
    list_filter = ["country", "preferred_language"]
    search_fields = ["company_name", "vat_number"]
    # No raw-id widgets: theirs looks a typed or posted id up unscoped and prints that row's
    # name, another organisation's included; a select offers the scoped choices only.

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """As on the customer page: a change sends its reviewed projects back to draft."""
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            obj.reopen_reviewed_projects(request.user)


class ProjectAdminForm(SameOrganizationForm):
    """The project's change form carries the revision it was opened at: a save made since
    is not overwritten (the error says so next to the form), as on the project's pages."""

    opened_at_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["opened_at_revision"].initial = self.instance.revision

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        opened_at = cleaned.get("opened_at_revision")
        if self.instance.pk is not None:
            if Project.objects.filter(pk=self.instance.pk, status__in=CLOSED_STATUSES).exists():
                raise forms.ValidationError(
                    _(
                        "The customer accepted or declined this offer: the project is locked. "
                        "A manager reopens it as a new revision on the project's page."
                    )
                )
            stored = Project.objects.filter(pk=self.instance.pk).values_list("revision", flat=True)
            if opened_at is None or [opened_at] != list(stored):
                raise forms.ValidationError(
                    _(
                        "This project was changed while you were editing it: nothing was "
                        "saved. Open it again to see the saved values."
                    )
                )
        return cleaned


@admin.register(Project)
class ProjectAdmin(OrganizationScopedAdmin):
    form = ProjectAdminForm
    list_display = ["title", "customer", "owner", "status", "revision", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "customer__company_name"]
    list_select_related = ["customer", "owner"]
    # A scoped select, not a raw-id widget (see CustomerAdmin). The status changes by the
    # review's transitions only (review.workflow), never by a form.
    readonly_fields = ["status", "revision", "created_at", "updated_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """A change here is a new revision like any other save: a project in review or
        approved goes back to draft (its review was of the revision this replaces), and a
        save made since the form was opened is not overwritten (ProjectAdminForm; the
        conditional save closes the gap between its check and this save)."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        if not obj.save_revision(form.cleaned_data["opened_at_revision"], by=request.user):
            messages.error(
                request, _("This project was changed meanwhile: your change was not saved.")
            )
