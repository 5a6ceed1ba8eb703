"""Who may do what in the Django admin: the base classes every app's admin module uses.

Two kinds of rows live there.

A partner's rows (users, customers, projects, proposals and the organisation itself) belong
to an organisation: its administrator sees and changes only those. Every choice an admin
form offers them (a foreign key, a many-to-many, a raw-id lookup, a list filter) comes from
the related model's own admin, scoped the same way, and a related model without an admin or
hidden from them offers nothing; the form field validates against that choice on save, so a
posted id of another organisation's row is refused next to the field.

Telenia's rules (the sizing tables with their assumptions and MCS tiers, the prerequisites
annex) are shared by every partner: partners' administrators may read them, only platform
operators change them. A platform operator is an active staff user who holds Django's
permission `sizing.change_sizingtableversion` ("Can change sizing table version", which here
stands for all of Telenia's shared rules): every superuser, and whoever a superuser grants it
to (for example an administrator of Telenia's own organisation). No partner can hold it:
only superusers see the permission fields of the user form, an organisation's administrator
cannot open an account that holds any permission, and the group admin requires permissions
that only a superuser can grant.

A superuser may move a customer or a user to another organisation, but not while rows of the
old one point at it (its projects, the projects and customers a user owns or created): they
would show the other organisation's row to the old one.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth.forms import UserChangeForm
from django.core.paginator import Paginator
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Role, User

SHARED_RULES_PERMISSION = "sizing.change_sizingtableversion"


def is_org_admin(user: Any) -> bool:
    """An organisation's administrator: staff by role, not by Django permissions."""
    return bool(
        user.is_active and user.is_staff and getattr(user, "role", "") == Role.ADMINISTRATOR
    )


def is_platform_operator(user: Any) -> bool:
    """May change Telenia's shared rules (see the module docstring)."""
    return bool(user.is_active and user.is_staff and user.has_perm(SHARED_RULES_PERMISSION))


def organization_id_of(obj: Model, path: str) -> int | None:
    """The organisation a row belongs to, following `path` ("organization",
    "project__organization", or "pk" for an organisation itself)."""
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop)
    return obj.pk if last == "pk" else getattr(obj, f"{last}_id")


class OrganizationScopedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Rows that belong to the organisation at `organization_path`: its administrators see
    and change only those, and every related choice is scoped by the related model's admin.
    Superusers see every organisation."""

    organization_path = "organization"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.organization_path: request.user.organization_id})  # type: ignore[union-attr]

    def _allowed(self, request: HttpRequest, obj: Model | None) -> bool:
        if request.user.is_superuser:
            return True
        if not is_org_admin(request.user):
            return False
        return (
            obj is None
            or organization_id_of(obj, self.organization_path) == request.user.organization_id  # type: ignore[union-attr]
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, None)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request, None)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # Nothing saved is ever lost: an organisation's rows are not deleted here.
        return bool(request.user.is_superuser)

    def get_form(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, **kwargs)
        if not request.user.is_superuser and self.organization_path in form.base_fields:
            form.base_fields[self.organization_path].initial = request.user.organization_id  # type: ignore[union-attr]
        return form

    def get_field_queryset(self, db: str | None, db_field: Any, request: HttpRequest) -> Any:
        """The choices of every foreign key and many-to-many field of the forms: for an
        administrator, the rows the related model's admin shows them, else none."""
        if request.user.is_superuser:
            return super().get_field_queryset(db, db_field, request)
        related = db_field.remote_field.model
        related_admin = self.admin_site._registry.get(related)
        if related_admin is None or not related_admin.has_view_permission(request):
            return related._default_manager.none()
        return related_admin.get_queryset(request)

    def get_list_filter(self, request: HttpRequest) -> Any:
        """A filter on a relation lists only the related rows of the rows shown; the
        organisation filter, which would list every partner's name, only for superusers."""
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        scoped: list[Any] = []
        for item in filters:
            if isinstance(item, str) and item == self.organization_path:
                continue
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation:
                item = (item, admin.RelatedOnlyFieldListFilter)
            scoped.append(item)
        return scoped

    def get_paginator(self, request: HttpRequest, queryset: Any, *args: Any, **kwargs: Any) -> Any:
        if queryset.model is LogEntry and not request.user.is_superuser:
            # A row's history (the one LogEntry list of the admin) keeps the entries made
            # before a superuser moved it here from another organisation: show only those
            # of this organisation's users and of the platform's superusers.
            queryset = queryset.filter(
                Q(user__organization_id=request.user.organization_id)  # type: ignore[union-attr]
                | Q(user__is_superuser=True)
            )
        paginator: Paginator = super().get_paginator(request, queryset, *args, **kwargs)
        return paginator


# The path to their organisation of the models with no admin of their own.
UNLISTED_PATHS = {
    "review.Transition": "project__organization",
    "portal.CustomerLink": "project__organization",
    "portal.LinkEvent": "link__project__organization",
    "portal.Decision": "project__organization",
}


def rows_left_behind(row: Model, organization_id: int) -> list[tuple[type[Model], int]]:
    """The rows of an organisation that point at `row`, counted by model: through every
    foreign key to its model from a model whose admin is scoped by organisation, except
    those whose organisation is read through `row` itself (a project's proposals move with
    it)."""
    found = []
    for relation in row._meta.related_objects:
        # The admin site names each model's path to its organisation (the forms have no
        # admin of their own); a model without a scoped admin is no organisation's.
        path = getattr(admin.site._registry.get(relation.related_model), "organization_path", None)
        path = path or UNLISTED_PATHS.get(relation.related_model._meta.label)
        if not relation.one_to_many or path is None or path.split("__")[0] == relation.field.name:
            continue
        pointing = relation.related_model._default_manager.filter(
            **{relation.field.name: row, path: organization_id}
        )
        if count := pointing.count():
            found.append((relation.related_model, count))
    return found


# Rows that move with their project but are its organisation's record: a proposal holds the
# brand and the customer of its time, a review transition the reviewers' names, comments
# and the submitted snapshot. A project that has any stays in its organisation.
RECORD_MODELS = frozenset(
    {
        "reports.Proposal",
        "review.Transition",
        "portal.CustomerLink",
        "portal.LinkEvent",
        "portal.Decision",
    }
)


def records_moving_with(row: Model) -> list[tuple[type[Model], int]]:
    """The record rows (RECORD_MODELS) that point at `row`, counted by model."""
    found = []
    for relation in row._meta.related_objects:
        if relation.one_to_many and relation.related_model._meta.label in RECORD_MODELS:
            pointing = relation.related_model._default_manager.filter(**{relation.field.name: row})
            if count := pointing.count():
                found.append((relation.related_model, count))
    return found


def _counted(rows: list[tuple[type[Model], int]]) -> str:
    """2 projects, 1 customer."""
    return ", ".join(
        f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
        for model, count in rows
    )


class LeavesNoRowBehind(forms.ModelForm):  # type: ignore[type-arg]
    """Moving a row to another organisation is refused next to the organisation field while
    rows of the old one point at it (see `rows_left_behind`): the old organisation's pages
    would show the other's customer, or the other's user as an owner or an author."""

    # Translators: %(model)s is "customer" (cliente): the message is shown for customers.
    left_behind_message = _(
        "This %(model)s has %(rows)s in %(organization)s; move or delete them first."
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        moved_to = cleaned.get("organization")
        if self.instance.pk is None or moved_to is None:
            return cleaned
        model = type(self.instance)
        # As stored: the form may have copied the new organisation onto the instance.
        old = model._default_manager.filter(pk=self.instance.pk).values("organization").first()
        if old is None or moved_to.pk == old["organization"]:
            return cleaned
        organization = type(moved_to)._default_manager.get(pk=old["organization"])
        if rows := rows_left_behind(self.instance, old["organization"]):
            message = self.left_behind_message % {
                "model": model._meta.verbose_name,
                "rows": _counted(rows),
                "organization": organization,
            }
            self.add_error("organization", message)
        elif records := records_moving_with(self.instance):
            message = _(
                "This %(model)s has %(rows)s of %(organization)s: they would show that "
                "organisation's brand, customer and reviewers to the other one. It stays in "
                "its organisation."
            ) % {
                "model": model._meta.verbose_name,
                "rows": _counted(records),
                "organization": organization,
            }
            self.add_error("organization", message)
        return cleaned


class ScopedUserChangeForm(LeavesNoRowBehind, UserChangeForm):  # type: ignore[type-arg]
    """The user admin's change form: a user who owns or created rows of their organisation
    stays in it."""

    left_behind_message = _(
        "This user owns or created %(rows)s in %(organization)s: give them to another user "
        "first, or open a new account in the other organisation."
    )

    class Meta(UserChangeForm.Meta):
        model = User


class SameOrganizationForm(LeavesNoRowBehind):
    """Every related row chosen belongs to the row's own organisation, also when a superuser
    (who is offered every organisation's rows) fills the form; and a row moved to another
    organisation leaves none of the old one pointing at it."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        organization = cleaned.get("organization") or getattr(self.instance, "organization", None)
        if organization is None:
            return cleaned
        for name, value in list(cleaned.items()):
            theirs = getattr(value, "organization_id", None)
            if name != "organization" and theirs is not None and theirs != organization.pk:
                self.add_error(name, _("This belongs to another organisation."))
        return cleaned


class SharedRulesAdmin:
    """Telenia's rules, the same for every partner: partners' administrators read them,
    only platform operators add, change or delete them (see the module docstring)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_org_admin(request.user) or is_platform_operator(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_platform_operator(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_platform_operator(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_platform_operator(request.user)
