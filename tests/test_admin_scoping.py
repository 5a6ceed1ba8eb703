"""The admin never crosses organisations, and Telenia's shared rules are read-only to
partners.

adam administers `org`; charlie's organisation (`other_org`) has a customer, a project and a
proposal that adam must never reach: not by posting their ids into any admin form (every
foreign key and many-to-many of every registered admin, found by introspection), nor in a
list filter, a raw-id popup, an autocomplete answer, a history page or an action. The
sizing tables, their tiers and the prerequisites are the same for every partner: adam reads
them, only a platform operator (a superuser, or staff holding `sizing.change_sizingtableversion`)
changes them.

Every registered admin is either owned by an organisation (OWNED below, with the path to
it) or, for an organisation's administrator, read-only or hidden: a new admin or a new
relation is covered without touching this module, and a new relation to a model this
module cannot name a foreign row of fails until it can.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Field, Model
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from configurator.models import Customer, Organization, Project, Role, User
from reports.models import Prerequisite, Proposal
from sizing.models import SizingTableVersion

from .factories import make_customer, make_project, make_user

# Registered models owned by an organisation, and the path from a row to it.
OWNED = {
    "configurator.Organization": "pk",
    "configurator.User": "organization",
    "configurator.Customer": "organization",
    "configurator.Project": "organization",
    "reports.Proposal": "project__organization",
}


def relations(model: type[Model]) -> list[Field[Any, Any]]:
    """The forward foreign keys, one-to-ones and many-to-manys of a model."""
    return [
        f
        for f in model._meta.get_fields()
        if f.is_relation and not f.auto_created and (f.many_to_one or f.many_to_many)
    ]


REGISTERED = list(admin.site._registry.items())
ADMIN_RELATIONS = [
    pytest.param(model, field, id=f"{model._meta.label}.{field.name}")
    for model, _ in REGISTERED
    for field in relations(model)
]
INLINES = [(model, inline) for model, model_admin in REGISTERED for inline in model_admin.inlines]
SHARED = [
    pytest.param(model, id=model._meta.label)
    for model, _ in REGISTERED
    if model._meta.label not in OWNED
]

SECRETS_OF = (
    "Partner Two S.r.l.",
    "charlie",
    "Segreto Industrie",
    "Zoe Riservata",
    "Gara riservata",
)


@dataclass
class World:
    own: dict[str, Model]
    foreign: dict[str, Model]

    def own_row(self, model: type[Model]) -> Model | None:
        return self.own.get(model._meta.label)

    def foreign_row(self, model: type[Model]) -> Model:
        label = model._meta.label
        if label not in self.foreign:
            pytest.fail(f"name a {label} row that an organisation's administrator must not reach")
        return self.foreign[label]


def make_proposal(project: Project) -> Proposal:
    return Proposal.objects.create(
        project=project,
        version=1,
        language="en",
        snapshot={"customer": {"company_name": project.customer.company_name}},
        project_revision=project.revision,
        table_version=1,
    )


@pytest.fixture
def world(adam: User, alice: User, customer: Customer, project: Project, charlie: User) -> World:
    theirs = make_customer(
        charlie.organization, charlie, "Segreto Industrie S.p.A.", contact_name="Zoe Riservata"
    )
    their_project = make_project(charlie, theirs, "Gara riservata")
    group = Group.objects.create(name="Operators")
    own: dict[str, Model] = {
        "configurator.Organization": adam.organization,
        "configurator.User": alice,
        "configurator.Customer": customer,
        "configurator.Project": project,
        "reports.Proposal": make_proposal(project),
        "sizing.SizingTableVersion": SizingTableVersion.objects.get(version=1),
        "reports.Prerequisite": Prerequisite.objects.first(),
        "auth.Group": group,
    }
    foreign: dict[str, Model] = {
        "configurator.Organization": charlie.organization,
        "configurator.User": charlie,
        "configurator.Customer": theirs,
        "configurator.Project": their_project,
        "reports.Proposal": make_proposal(their_project),
        # Rows of the platform: an organisation's administrator may pick none of them.
        "auth.Permission": Permission.objects.get(codename="change_user"),
        "auth.Group": group,
        "contenttypes.ContentType": ContentType.objects.get_for_model(User),
    }
    return World(own, foreign)


@pytest.fixture
def root(org: Organization) -> User:
    return User.objects.create_superuser(
        "root", "root@example.com", "root-pass-2026", organization=org
    )


# --- The forms as a browser posts them ----------------------------------------------------


class _FormFields(HTMLParser):
    """The controls of one <form> and the values a browser would submit."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.names: set[str] = set()
        self.data: dict[str, list[str]] = defaultdict(list)
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        name = a.get("name")
        if not self.inside or (name is None and tag != "option"):
            return
        if tag == "input" and a.get("type", "text") not in ("submit", "button", "file", "image"):
            self.names.add(name)  # type: ignore[arg-type]
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.data[name].append(a.get("value") or ("on" if "checked" in a else ""))  # type: ignore[index]
        elif tag == "select":
            self.names.add(name)  # type: ignore[arg-type]
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value") or "")
        elif tag == "textarea":
            self.names.add(name)  # type: ignore[arg-type]
            self._textarea = name
            self.data[name].append("")  # type: ignore[index]

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            value = self.data[self._textarea][-1]
            self.data[self._textarea][-1] = value.removeprefix("\r\n").removeprefix("\n")
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data


def browser_form(page: HttpResponse, form_id: str) -> _FormFields:
    parser = _FormFields(form_id)
    if page.status_code == 200:
        parser.feed(page.content.decode())
    return parser


def admin_url(model: type[Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def page_url(model: type[Model], view: str, world: World) -> str:
    if view == "add":
        return admin_url(model, "add")
    own = world.own_row(model)
    return admin_url(model, "change", own.pk if own is not None else 1)


def points_at(model: type[Model], field: Field[Any, Any], target: Model) -> set[Any]:
    """The rows of `model` whose `field` points at `target`."""
    return set(model._default_manager.filter(**{field.name: target}).values_list("pk", flat=True))


def request_by(user: User) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


# --- Holes 1: no form, filter, popup or page crosses organisations ------------------------


@pytest.mark.parametrize("view", ["add", "change"])
@pytest.mark.parametrize(("model", "field"), ADMIN_RELATIONS)
def test_every_admin_form_refuses_another_organisations_row(
    client: Client, adam: User, world: World, model: type[Model], field: Any, view: str
) -> None:
    foreign = world.foreign_row(field.remote_field.model)
    url = page_url(model, view, world)
    client.force_login(adam)
    form = browser_form(client.get(url), f"{model._meta.model_name}_form")
    data = {**form.data, field.name: [str(foreign.pk)], "_save": ["Save"]}
    before = points_at(model, field, foreign)

    response = client.post(url, data)

    assert points_at(model, field, foreign) == before
    if field.name in form.names:
        assert response.status_code in (200, 403), response.get("Location")
        if response.status_code == 200:
            errors = response.context["adminform"].form.errors
            assert field.name in errors, f"{field.name} took another organisation's row"
            # The page that refuses it does not name it either (a raw-id widget looked the
            # posted id up unscoped and printed the other organisation's name).
            assertNotContains(response, str(foreign), msg_prefix=field.name)
    if view == "add":
        # Nor does an add page that the id is handed to in its query string.
        prefilled = client.get(f"{url}?{field.name}={foreign.pk}")
        assert str(foreign) not in prefilled.content.decode(), field.name


def test_every_inline_offers_only_the_organisations_rows(adam: User, world: World) -> None:
    """An inline's relations other than the link to its page's row (none today: the MCS
    tiers have only that link) offer no other organisation's row."""
    request = request_by(adam)
    walked = []
    for model, inline in INLINES:
        parent = world.own_row(model)
        formset = inline(model, admin.site).get_formset(request, parent)
        form = formset(instance=parent).empty_form
        for field in relations(inline.model):
            if field.remote_field.model is not model and field.name in form.fields:
                foreign = world.foreign_row(field.remote_field.model)
                assert foreign not in form.fields[field.name].queryset, field
        walked.append(inline.model._meta.label)
    assert "sizing.SizingTier" in walked


def test_the_form_walker_posts_what_a_browser_posts(
    client: Client, adam: User, world: World
) -> None:
    """The refusals above are about the foreign id: each form the walker resubmits unchanged
    is saved."""
    client.force_login(adam)
    saved = []
    for model, model_admin in REGISTERED:
        own = world.own_row(model)
        if own is None or not model_admin.has_change_permission(request_by(adam), own):
            continue
        url = admin_url(model, "change", own.pk)
        form = browser_form(client.get(url), f"{model._meta.model_name}_form")
        response = client.post(url, {**form.data, "_save": ["Save"]})
        assert response.status_code == 302, response.context["adminform"].form.errors
        saved.append(model._meta.label)
    assert {"configurator.User", "configurator.Customer", "configurator.Project"} <= set(saved)


def test_no_admin_page_shows_another_organisations_rows(
    client: Client, adam: User, world: World
) -> None:
    """Every page adam can open, list filters, raw-id popups, autocomplete answers and
    histories included, is free of charlie's organisation."""
    LogEntry.objects.log_actions(
        user_id=make_user(world.foreign["configurator.Organization"], "charlie_admin").pk,
        queryset=[world.foreign["configurator.Customer"]],
        action_flag=CHANGE,
        change_message="Changed Segreto Industrie",
    )
    client.force_login(adam)
    request = request_by(adam)
    urls = [reverse("admin:index")]
    for model, model_admin in REGISTERED:
        if not model_admin.has_module_permission(request):
            continue
        urls += [admin_url(model, "changelist"), admin_url(model, "changelist") + "?_popup=1"]
        urls.append(admin_url(model, "changelist") + "?_popup=1&_to_field=id")
        own = world.own_row(model)
        if own is not None:
            urls += [admin_url(model, "change", own.pk), admin_url(model, "history", own.pk)]
        if model_admin.has_add_permission(request):
            urls.append(admin_url(model, "add"))
        for field in relations(model):
            meta = model._meta
            query = f"app_label={meta.app_label}&model_name={meta.model_name}&term="
            urls.append(f"{reverse('admin:autocomplete')}?{query}&field_name={field.name}")
    shown = {url: client.get(url) for url in urls}
    opened = {url: r.content.decode() for url, r in shown.items() if r.status_code == 200}
    assertContains(shown[admin_url(User, "changelist")], "alice")  # the crawl saw real pages
    for url, content in opened.items():
        leaked = [secret for secret in SECRETS_OF if secret in content]
        assert not leaked, f"{url} shows {leaked}"


def test_an_autocomplete_answers_only_with_the_organisations_rows(
    client: Client, adam: User, world: World
) -> None:
    client.force_login(adam)
    query = "app_label=configurator&model_name=project&field_name=customer&term="
    response = client.get(f"{reverse('admin:autocomplete')}?{query}")
    assert response.status_code == 200
    ids = {int(result["id"]) for result in json.loads(response.content)["results"]}
    assert ids == {world.own["configurator.Customer"].pk}


@pytest.mark.parametrize(("label", "path"), OWNED.items())
def test_an_administrator_lists_exactly_the_organisations_rows(
    client: Client, adam: User, world: World, label: str, path: str
) -> None:
    model = type(world.own[label])
    client.force_login(adam)
    listing = client.get(admin_url(model, "changelist"))
    shown = {row.pk for row in listing.context["cl"].result_list}
    rows = model._default_manager.filter(**{path: adam.organization_id})
    assert shown == set(rows.values_list("pk", flat=True))
    assert world.own[label].pk in shown


@pytest.mark.parametrize("label", list(OWNED))
def test_another_organisations_row_opens_for_no_administrator(
    client: Client, adam: User, world: World, label: str
) -> None:
    foreign = world.foreign[label]
    model = type(foreign)
    client.force_login(adam)
    for view in ("change", "history", "delete"):
        response = client.get(admin_url(model, view, foreign.pk))
        assert response.status_code in (302, 403, 404), view
        if response.status_code == 302:
            assert response["Location"] in (reverse("admin:index"), admin_url(model, "changelist"))
    assert client.post(admin_url(model, "delete", foreign.pk), {"post": "yes"}).status_code != 200
    assert model._default_manager.filter(pk=foreign.pk).exists()


@pytest.mark.parametrize("label", list(OWNED))
def test_no_action_reaches_another_organisations_row(
    client: Client, adam: User, root: User, world: World, label: str
) -> None:
    foreign = world.foreign[label]
    model = type(foreign)
    before = list(model._default_manager.filter(pk=foreign.pk).values())
    client.force_login(adam)
    for action in admin.site._registry[model].get_actions(request_by(root)):
        client.post(
            admin_url(model, "changelist"),
            {"action": action, "_selected_action": [foreign.pk], "post": "yes"},
        )
    assert list(model._default_manager.filter(pk=foreign.pk).values()) == before


def test_a_history_shows_no_entry_of_another_organisation(
    client: Client, adam: User, alice: User, root: User, charlie: User
) -> None:
    """alice's account was moved here by a superuser from charlie's organisation, where
    charlie's administrator had changed it: that entry stays theirs."""
    LogEntry.objects.log_actions(
        user_id=charlie.pk, queryset=[alice], action_flag=CHANGE, change_message="By charlie"
    )
    LogEntry.objects.log_actions(
        user_id=root.pk, queryset=[alice], action_flag=CHANGE, change_message="By root"
    )
    client.force_login(adam)
    page = client.get(admin_url(User, "history", alice.pk))
    assertContains(page, "By root")
    assertNotContains(page, "By charlie")
    client.force_login(root)
    assertContains(client.get(admin_url(User, "history", alice.pk)), "By charlie")


def test_an_administrator_cannot_reach_a_superusers_or_a_permission_holders_account(
    client: Client, adam: User, alice: User, root: User
) -> None:
    """Changing their password would hand an organisation's administrator the platform."""
    holder = make_user(adam.organization, "perry")
    holder.user_permissions.add(Permission.objects.get(codename="change_user"))
    password = {"password1": "taken-over-2026", "password2": "taken-over-2026"}
    client.force_login(root)  # the same request from a superuser sets the password
    url = reverse("admin:auth_user_password_change", args=[alice.pk])
    assert client.post(url, {**password, "usable_password": "true"}).status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("taken-over-2026")
    client.force_login(adam)
    for account in (root, holder):
        assert client.get(admin_url(User, "change", account.pk)).status_code != 200
        url = reverse("admin:auth_user_password_change", args=[account.pk])
        assert client.post(url, {**password, "usable_password": "true"}).status_code in (403, 404)
        account.refresh_from_db()
        assert not account.check_password("taken-over-2026")
    listing = client.get(admin_url(User, "changelist"))
    assert {u.username for u in listing.context["cl"].result_list} == {"adam", "alice"}


def test_an_administrator_grants_no_flag_permission_or_group(
    client: Client, adam: User, alice: User, world: World
) -> None:
    client.force_login(adam)
    for account in (alice, adam):
        url = admin_url(User, "change", account.pk)
        form = browser_form(client.get(url), "user_form")
        data = {
            **form.data,
            "is_superuser": ["on"],
            "is_staff": ["on"],
            "user_permissions": [str(world.foreign["auth.Permission"].pk)],
            "groups": [str(world.foreign["auth.Group"].pk)],
            "_save": ["Save"],
        }
        assert client.post(url, data).status_code == 302
        account.refresh_from_db()
        assert not account.is_superuser
        assert account.is_staff == (account.role == Role.ADMINISTRATOR)
        assert not account.user_permissions.exists() and not account.groups.exists()


def test_a_superuser_cannot_give_a_project_another_organisations_customer(
    client: Client, root: User, world: World
) -> None:
    """A superuser is offered every organisation's rows; the form still keeps a project's
    customer and owner in the project's organisation."""
    project = world.own["configurator.Project"]
    url = admin_url(Project, "change", project.pk)
    client.force_login(root)
    form = browser_form(client.get(url), "project_form")
    for name in ("customer", "owner"):
        foreign = world.foreign[
            "configurator.Customer" if name == "customer" else "configurator.User"
        ]
        response = client.post(url, {**form.data, name: [str(foreign.pk)], "_save": ["Save"]})
        assert response.status_code == 200
        assert response.context["adminform"].form.errors[name] == [
            "This belongs to another organisation."
        ]
    project.refresh_from_db()
    assert project.customer == world.own["configurator.Customer"]


# --- Hole 2: Telenia's shared rules are read-only to partners -----------------------------


def rows_of(model: type[Model]) -> dict[str, list[dict[str, Any]]]:
    """Every row of the model and of its admin's inlines, as stored."""
    models = [model, *(inline.model for inline in admin.site._registry[model].inlines)]
    return {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in models}


def pk_of(world: World, model: type[Model]) -> Any:
    own = world.own_row(model)
    return own.pk if own is not None else 1  # a row adam may not even list


@pytest.mark.parametrize("model", SHARED)
def test_an_administrator_may_only_read_what_no_organisation_owns(
    adam: User, world: World, model: type[Model]
) -> None:
    model_admin = admin.site._registry[model]
    request, own = request_by(adam), world.own_row(model)
    inlines = [inline(model, admin.site) for inline in model_admin.inlines]
    assert not model_admin.has_add_permission(request)
    assert not any(inline.has_add_permission(request, own) for inline in inlines)
    for each in (model_admin, *inlines):
        assert not each.has_change_permission(request, own)
        assert not each.has_delete_permission(request, own)


@pytest.mark.parametrize("model", SHARED)
def test_an_administrator_reads_the_shared_rules_and_nothing_else_of_the_platform(
    client: Client, adam: User, world: World, model: type[Model]
) -> None:
    readable = model._meta.label in ("sizing.SizingTableVersion", "reports.Prerequisite")
    client.force_login(adam)
    assert client.get(admin_url(model, "changelist")).status_code == (200 if readable else 403)
    page = client.get(admin_url(model, "change", pk_of(world, model)))
    assert page.status_code == (200 if readable else 403)
    if readable:
        assert not page.context["has_change_permission"]
    assert client.get(admin_url(model, "add")).status_code == 403


@pytest.mark.parametrize("model", SHARED)
def test_an_administrator_adds_changes_and_deletes_nothing_no_organisation_owns(
    client: Client, adam: User, root: User, world: World, model: type[Model]
) -> None:
    """The forms as a superuser would post them, tiers inline included."""
    pk = pk_of(world, model)
    client.force_login(root)
    form = browser_form(
        client.get(admin_url(model, "change", pk)), f"{model._meta.model_name}_form"
    )
    client.force_login(adam)  # a sign-in is logged (axes.AccessLog) before the count
    before = rows_of(model)
    posts = {
        "add": (admin_url(model, "add"), {**form.data, "_save": ["Save"]}),
        "change": (admin_url(model, "change", pk), {**form.data, "_save": ["Save"]}),
        "delete": (admin_url(model, "delete", pk), {"post": "yes"}),
    }
    for view, (url, data) in posts.items():
        assert client.post(url, data).status_code == 403, view
    assert rows_of(model) == before


@pytest.mark.parametrize("model", SHARED)
def test_no_bulk_edit_or_action_of_an_administrator_changes_what_no_organisation_owns(
    client: Client, adam: User, root: User, world: World, model: type[Model]
) -> None:
    model_admin = admin.site._registry[model]
    client.force_login(root)
    listing = browser_form(client.get(admin_url(model, "changelist")), "changelist-form")
    editable = {f"-{name}" for name in model_admin.list_editable}
    bulk = {
        key: [value + "1" for value in values] if key.endswith(tuple(editable)) else values
        for key, values in listing.data.items()
    }
    client.force_login(adam)
    before = rows_of(model)
    response = client.post(admin_url(model, "changelist"), {**bulk, "_save": ["Save"]})
    if editable:
        assert response.status_code == 403
    for action in model_admin.get_actions(request_by(root)):
        client.post(
            admin_url(model, "changelist"),
            {"action": action, "_selected_action": [pk_of(world, model)], "post": "yes"},
        )
    assert rows_of(model) == before


def test_a_platform_operator_edits_the_shared_rules(
    client: Client, operator: User, world: World
) -> None:
    """The same forms, bulk edit and inline tiers save for olga (the refusals above are
    about who posts)."""
    client.force_login(operator)
    versions = SizingTableVersion.objects.count()
    for model in (SizingTableVersion, Prerequisite):
        url = admin_url(model, "change", pk_of(world, model))
        form = browser_form(client.get(url), f"{model._meta.model_name}_form")
        response = client.post(url, {**form.data, "_save": ["Save"]})
        assert response.status_code == 302, response.context["adminform"].form.errors
    assert SizingTableVersion.objects.count() == versions + 1
    listing = browser_form(client.get(admin_url(Prerequisite, "changelist")), "changelist-form")
    bulk = {**listing.data, "form-0-position": ["77"], "_save": ["Save"]}
    assert client.post(admin_url(Prerequisite, "changelist"), bulk).status_code == 302
    assert Prerequisite.objects.filter(position=77).count() == 1
    assert client.get(admin_url(SizingTableVersion, "add")).status_code == 200


def test_a_superuser_is_a_platform_operator(client: Client, root: User) -> None:
    client.force_login(root)
    assert client.get(admin_url(SizingTableVersion, "add")).status_code == 200
    assert client.get(admin_url(Prerequisite, "add")).status_code == 200


def test_a_partners_administrator_is_no_platform_operator(
    client: Client, adam: User, root: User
) -> None:
    """Not even with Django's model permissions on the shared rules, which only a superuser
    can grant: the operator's permission is the one that counts."""
    adam.user_permissions.add(*Permission.objects.filter(codename__endswith="prerequisite"))
    client.force_login(adam)
    assert client.get(admin_url(Prerequisite, "add")).status_code == 403


# --- Hole 3: a row moved to another organisation leaves none of the old one behind ---------


def error_next_to(page: HttpResponse, name: str) -> str:
    """The error list the admin shows beside field `name` ('' when there is none)."""
    content = page.content.decode()
    start = content.find(f'id="id_{name}_error"')
    return "" if start == -1 else content[start : content.index("</ul>", start)]


def move(
    client: Client, root: User, row: Customer | User | Project, to: Organization, **more: str
) -> Any:
    """Post the row's admin form as the browser has it, with another organisation."""
    model = type(row)
    url = admin_url(model, "change", row.pk)
    client.force_login(root)
    form = browser_form(client.get(url), f"{model._meta.model_name}_form")
    data = {**form.data, "organization": [str(to.pk)], "_save": ["Save"]}
    return client.post(url, data | {name: [value] for name, value in more.items()})


def stored(row: Model) -> dict[str, Any]:
    return type(row)._default_manager.filter(pk=row.pk).values().get()  # type: ignore[no-any-return]


def test_a_superuser_cannot_move_a_customer_that_has_projects(
    client: Client, root: User, alice: User, customer: Customer, charlie: User
) -> None:
    """Organisation A's projects would show organisation B's customer."""
    make_project(alice, customer, "Three hospitals")
    make_project(alice, customer, "Fourth hospital")
    before = stored(customer)

    # The creator moves too: the customer's own rows must be the new organisation's.
    response = move(client, root, customer, charlie.organization, created_by=str(charlie.pk))

    assert response.status_code == 200
    message = "This customer has 2 projects in Partner One S.r.l.; move or delete them first."
    assert response.context["adminform"].form.errors["organization"] == [message]
    assert message in error_next_to(response, "organization")
    assert stored(customer) == before
    assert set(Project.objects.values_list("customer__organization", flat=True)) == {
        customer.organization_id
    }


def test_a_superuser_moves_a_customer_without_projects(
    client: Client, root: User, alice: User, charlie: User
) -> None:
    lone = make_customer(alice.organization, alice, "Cliente Solitario S.r.l.")

    response = move(client, root, lone, charlie.organization, created_by=str(charlie.pk))

    assert response.status_code == 302, response.context["adminform"].form.errors
    lone.refresh_from_db()
    assert (lone.organization, lone.created_by) == (charlie.organization, charlie)


def test_a_superuser_cannot_move_a_user_who_owns_or_created_rows(
    client: Client, root: User, alice: User, customer: Customer, project: Project, charlie: User
) -> None:
    """Organisation A's projects and customers would name organisation B's user as their
    owner or author."""
    before = stored(alice)

    response = move(client, root, alice, charlie.organization)

    assert response.status_code == 200
    message = (
        "This user owns or created 1 customer, 1 project in Partner One S.r.l.: give them to "
        "another user first, or open a new account in the other organisation."
    )
    assert response.context["adminform"].form.errors["organization"] == [message]
    assert message in error_next_to(response, "organization")
    assert stored(alice) == before


def test_a_user_who_generated_a_proposal_stays_in_its_organisation(
    client: Client, root: User, bob: User, project: Project, charlie: User
) -> None:
    """A proposal is never changed nor deleted: its author stays with it."""
    Proposal.objects.filter(pk=make_proposal(project).pk).update(created_by=bob)

    response = move(client, root, bob, charlie.organization)

    assert response.status_code == 200
    assert "1 proposal in Partner One S.r.l." in error_next_to(response, "organization")
    bob.refresh_from_db()
    assert bob.organization != charlie.organization


def test_a_superuser_moves_a_user_who_owns_nothing(
    client: Client, root: User, bob: User, project: Project, charlie: User
) -> None:
    response = move(client, root, bob, charlie.organization)

    assert response.status_code == 302, response.context["adminform"].form.errors
    bob.refresh_from_db()
    assert bob.organization == charlie.organization


def test_a_project_with_proposals_or_a_review_record_stays_in_its_organisation(
    client: Client, root: User, alice: User, maria: User, project: Project, charlie: User
) -> None:
    """Its proposals hold the old organisation's brand and customer, its transitions the
    old organisation's reviewers: moving it would show them to the other organisation."""
    from review.models import Action, Transition

    other_customer = make_customer(charlie.organization, charlie, "Altro Cliente S.r.l.")
    make_proposal(project)
    Transition.objects.create(
        project=project,
        action=Action.SUBMIT,
        from_status="draft",
        to_status="in_review",
        revision=1,
        actor=alice,
    )
    before = stored(project)

    response = move(
        client,
        root,
        project,
        charlie.organization,
        customer=str(other_customer.pk),
        owner=str(charlie.pk),
    )

    assert response.status_code == 200
    error = error_next_to(response, "organization")
    assert "1 proposal, 1 review transition of Partner One S.r.l." in error
    assert stored(project) == before


def test_a_user_who_reviewed_stays_in_its_organisation(
    client: Client, root: User, maria: User, project: Project, charlie: User
) -> None:
    from review.models import Action, Transition

    Transition.objects.create(
        project=project,
        action=Action.APPROVE,
        from_status="in_review",
        to_status="approved",
        revision=1,
        actor=maria,
    )

    response = move(client, root, maria, charlie.organization)

    assert response.status_code == 200
    assert "1 review transition in Partner One S.r.l." in error_next_to(response, "organization")
    maria.refresh_from_db()
    assert maria.organization != charlie.organization
