"""Invisible control characters are refused in every text field: by the
models (so by every ModelForm and the admin), by the forms' other text fields and by the
spreadsheet import, with a message next to the field naming the character; nothing is
saved. Names in any language, with accents and emoji, are still text."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.forms import modelform_factory
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains

from configurator.forms import ProjectListForm
from configurator.models import Customer, Organization, Project, Site, User
from configurator.validators import VisibleTextValidator, text_validator_for
from sizing.invisible_characters import first_invisible, refused_code_points

from .spreadsheets import HEADER, csv_file, upload, xlsx_bytes

# One of each kind: C0 controls, escape, DEL, a C1 control, the bidi overrides and
# isolates, the marks, and the other invisible characters.
BAD_CHARACTERS = {
    "NUL-adjacent SOH": "\x01",
    "escape": "\x1b",
    "vertical tab": "\x0b",
    "delete": "\x7f",
    "C1 next line": "\x85",
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "right-to-left isolate": "\u2067",
    "pop directional isolate": "\u2069",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "Arabic letter mark": "\u061c",
    "zero width space": "\u200b",
    "byte order mark": "\ufeff",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "word joiner": "\u2060",
    "interlinear annotation": "\ufff9",
    "lone surrogate": "\ud800",
}
# Through the pages, every one a browser can send (UTF-8 cannot carry a lone surrogate).
PAGE_CHARACTERS = [char for char in BAD_CHARACTERS.values() if char != "\ud800"]
GOOD_TEXT = [
    "Città di Forlì — Ufficio Tecnico",
    "Müller & Söhne GmbH, Straße 5",
    "L'Aquila, Sant'Elpidio a Mare",
    "Ærøskøbing Ølstykke",
    "Łódź Kraków Žižkov",
    "東京本社",
    "شركة الاتصالات",  # Arabic text is right to left without any control
    "Team 😀 🇮🇹",
    "👩‍💻 sviluppo",  # a zero width joiner inside an emoji
    "🏴󠁧󠁢󠁳󠁣󠁴󠁿 Edinburgh",  # a subdivision flag: tag characters
    "co\u00adoperativa",  # a soft hyphen is a hyphenation hint, not a control
]
MESSAGE = "Remove the invisible character"
PROJECT_APPS = ("configurator", "reports", "sizing")


def _text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f for f in model._meta.get_fields() if isinstance(f, models.CharField | models.TextField)
    ]


def _project_models() -> list[type[models.Model]]:
    return [m for label in PROJECT_APPS for m in apps.get_app_config(label).get_models()]


def test_the_refused_list_is_exactly_what_the_rule_refuses() -> None:
    """The OpenAPI pattern is built from `refused_code_points` (a list, not a scan of
    every code point per process): it must be the rule's own set, every code point asked."""
    asked = (c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert refused_code_points() == [c for c in asked if first_invisible(chr(c)) is not None]


def test_every_text_field_of_every_model_has_the_validator() -> None:
    missing = [
        f"{model.__name__}.{field.name}"
        for model in _project_models()
        for field in _text_fields(model)
        if text_validator_for(field) not in field.validators
    ]
    assert _text_fields(User), "the introspection found no text field"
    assert missing == []


def test_text_fields_allow_line_breaks_and_single_line_fields_do_not() -> None:
    assert text_validator_for(Project._meta.get_field("description")) == VisibleTextValidator(
        multiline=True
    )
    assert text_validator_for(Site._meta.get_field("name")) == VisibleTextValidator()


@pytest.mark.parametrize("char", list(BAD_CHARACTERS.values()), ids=list(BAD_CHARACTERS))
def test_the_rule_finds_each_invisible_character(char: str) -> None:
    assert first_invisible(f"Milano{char}HQ") == (6, char)
    assert first_invisible(f"Milano{char}HQ", multiline=True) == (6, char)


@pytest.mark.parametrize("text", GOOD_TEXT)
def test_the_rule_keeps_names_of_every_language(text: str) -> None:
    assert first_invisible(text) is None


def test_multi_line_text_keeps_tabs_and_line_breaks() -> None:
    assert first_invisible("riga 1\r\nriga 2\tcolonna", multiline=True) is None
    assert first_invisible("riga 1\nriga 2") == (6, "\n")


@pytest.mark.parametrize("model", _project_models(), ids=lambda m: m.__name__)
def test_every_model_form_refuses_the_characters_in_every_text_field(
    model: type[models.Model],
) -> None:
    # What the admin and every ModelForm of the model do: model validation, field by field.
    for field in _text_fields(model):
        if not field.editable:
            continue
        form = modelform_factory(model, fields=[field.name])({field.name: "a\u202eb"})
        assert not form.is_valid()
        assert field.name in form.errors, field
        plain = not field.choices and type(field) in (models.CharField, models.TextField)
        if plain and field.name not in ("username", "password"):
            assert MESSAGE in str(form.errors[field.name]), field


# --- Through the pages -----------------------------------------------------------------------


def _state() -> dict[str, list[dict[str, Any]]]:
    return {
        "organizations": list(Organization.objects.order_by("pk").values()),
        "customers": list(Customer.objects.order_by("pk").values()),
        "projects": list(Project.objects.order_by("pk").values()),
        "sites": list(Site.objects.order_by("pk").values()),
    }


CUSTOMER = {
    "company_name": "Ospedale San Luca S.p.A.",
    "vat_number": "01234567897",
    "country": "IT",
    "preferred_language": "it",
    "contact_name": "Maria Rossi",
    "contact_email": "maria.rossi@example.com",
    "contact_phone": "+39 02 1234567",
}
BRANDING = {
    "revision": "1",
    "primary_color": "#112233",
    "accent_color": "#AABBCC",
    "legal_name": "Partner One S.r.l.",
    "vat_number": "01234567897",
    "address": "Via Roma 1, 20100 Milano",
    "phone": "+39 02 1234567",
    "email": "info@example.com",
    "website": "https://example.com",
    "legal_footer": "Capitale sociale € 10.000 i.v.\nREA MI-123456",
}
SITE = {"name": "Milano", "address": "Via Manzoni 12", "connectivity": "mpls", "users": "10"}


def _cases() -> list[tuple[str, str, bool]]:
    """(form, field, free text: the message is ours rather than the field's format's)."""
    formatted = {"vat_number", "contact_email", "email", "website", "public_domain"}
    fields = {
        "customer": [k for k in CUSTOMER if k not in ("country", "preferred_language")],
        "project": ["title", "description"],
        "questionnaire": ["public_domain"],
        "site": ["name", "address"],
        "branding": [k for k in BRANDING if not k.endswith("_color") and k != "revision"],
    }
    return [(form, f, f not in formatted) for form, names in fields.items() for f in names]


def _post(
    client: Client, form: str, field: str, char: str, project: Project, customer: Customer
) -> tuple[Any, str]:
    """Post the form with `char` inside `field`; the response and the prefixed field."""

    def spoil(data: dict[str, str], key: str) -> dict[str, str]:
        value = data.get(key) or "mcs.example.com"
        return {**data, key: value[:4] + char + value[4:]}

    if form == "customer":
        url = reverse("customer_edit", args=[customer.pk])
        return client.post(url, spoil(CUSTOMER, field)), field
    if form == "project":
        data = {"customer": str(customer.pk), "title": "Three hospitals", "status": "draft"}
        data.update({"description": "Notes\non two lines", "revision": str(project.revision)})
        return client.post(reverse("project_edit", args=[project.pk]), spoil(data, field)), field
    if form == "questionnaire":
        data = {"tvox_systems": "1", "concurrency": "1", "revision": str(project.revision)}
        url = reverse("project_questionnaire", args=[project.pk])
        return client.post(url, spoil(data, field)), field
    if form == "site":
        data = {**SITE, **dict.fromkeys(Site.COUNT_FIELDS[1:], "0")}
        data = {f"new-{k}": v for k, v in {**data, "revision": str(project.revision)}.items()}
        url = reverse("site_create", args=[project.pk])
        return client.post(url, spoil(data, f"new-{field}")), f"new-{field}"
    return client.post(reverse("organization_branding"), spoil(BRANDING, field)), field


@pytest.mark.parametrize("char", PAGE_CHARACTERS, ids=[f"U+{ord(c):04X}" for c in PAGE_CHARACTERS])
@pytest.mark.parametrize(("form", "field", "free_text"), _cases())
def test_each_form_refuses_the_character_next_to_the_field_and_saves_nothing(
    client: Client,
    adam: User,
    project: Project,
    customer: Customer,
    media_storage: Path,
    form: str,
    field: str,
    free_text: bool,
    char: str,
) -> None:
    client.force_login(adam)  # the administrator may change all of these
    before = _state()

    response, name = _post(client, form, field, char, project, customer)

    if (form, field) == ("customer", "vat_number") and char.isspace():
        # Whitespace of every kind separates the digits of a VAT number: taken out.
        assert response.status_code == 302
        assert Customer.objects.get(pk=customer.pk).vat_number == "01234567897"
        return
    assert response.status_code == 200
    errors = response.context["form"].errors if form != "site" else None
    if errors is None:
        errors = response.context["adding"].errors
    bare = name.removeprefix("new-")
    assert bare in errors, errors
    if free_text:
        assert MESSAGE in str(errors[bare])
        assertContains(response, f"U+{ord(char):04X}")
    assert _state() == before


def test_the_same_values_without_the_character_are_saved(
    client: Client, adam: User, customer: Customer, media_storage: Path
) -> None:
    # The test data of the refusals above is valid: the character alone was refused.
    client.force_login(adam)
    assert client.post(reverse("customer_edit", args=[customer.pk]), CUSTOMER).status_code == 302
    assert client.post(reverse("organization_branding"), BRANDING).status_code == 302
    customer.refresh_from_db()
    assert customer.contact_name == "Maria Rossi"
    assert Organization.objects.get(pk=adam.organization_id).legal_footer.count("\n") == 1


def test_the_message_is_italian_on_an_italian_page(
    client: Client, alice: User, customer: Customer
) -> None:
    with translation.override("it"):
        italian = str(VisibleTextValidator.message)
    assert italian != str(VisibleTextValidator.message), "the Italian catalogue lacks it"
    client.force_login(alice)
    data = {**CUSTOMER, "company_name": "Acme\u202e S.p.A."}
    response = client.post(
        reverse("customer_edit", args=[customer.pk]), data, headers={"Accept-Language": "it"}
    )
    assertContains(response, "Rimuovi il carattere invisibile U+202E")


def test_the_project_search_refuses_the_characters() -> None:
    form = ProjectListForm({"q": "Milano\x1b[2J"}, user=User())
    assert not form.is_valid()
    assert MESSAGE in str(form.errors["q"])


# --- Spreadsheet import -------------------------------------------------------------------


def test_the_import_refuses_a_csv_row_with_a_control_character(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    rows = ["Milano\x1b[31m,Via Manzoni 12,mpls,100,80,20,30,1,5,2", "Roma,,vpn,1,0,0,0,0,0,0"]

    page = upload(client, project, csv_file(HEADER, *rows))

    assert MESSAGE in page and "U+001B" in page
    assert 'name="token"' not in page  # no confirm: the file must be corrected
    assert not project.sites.exists()


def test_the_import_refuses_an_xlsx_cell_with_a_bidi_override(
    client: Client, alice: User, project: Project
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice)
    header = next(csv.reader([HEADER]))
    data = xlsx_bytes([header, ["Milano", "Via \u202eamoR", "lan", 1, 0, 0, 0, 0, 0, 0]])
    file = SimpleUploadedFile("sites.xlsx", data, content_type="application/octet-stream")

    page = upload(client, project, file)

    assert MESSAGE in page and "U+202E" in page
    assert not project.sites.exists()
