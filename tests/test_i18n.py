"""Everything a user reads exists in English (the source language) and Italian.

The Italian catalogue is locale/it/LC_MESSAGES/django.po, compiled to django.mo; both are
committed. The checks here read the files directly (no gettext tools, no makemessages), so
they run on any machine:

* every entry of the .po has a translation, none is fuzzy, placeholders survive;
* the .mo says exactly what the .po says (a forgotten compile fails);
* every string marked for translation in the code and templates is in the .po (a
  forgotten makemessages fails);
* pages and form errors render in Italian for an Italian user and in English otherwise.

When one of the catalogue checks fails, run scripts/update-translations.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation.template import templatize
from pytest_django.asserts import assertContains

from configurator.models import Customer, Project, User

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"

HOW_TO_FIX = (
    "\n\nRun scripts/update-translations (makemessages + compilemessages), translate the "
    "new or fuzzy entries in locale/it/LC_MESSAGES/django.po, remove their '#, fuzzy' "
    "lines, run scripts/update-translations again and commit both django.po and django.mo."
)


# --- The catalogue, read with polib ---------------------------------------------------------


def catalogue_key(entry: polib.POEntry) -> str:
    """The key gettext uses for this entry in a compiled catalogue."""
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid


def describe(entry: polib.POEntry) -> str:
    return f"django.po line {entry.linenum}: msgid {entry.msgid!r}"


def sources(entry: polib.POEntry) -> dict[int, str]:
    """The English forms: plural index -> text (0 only, for a singular entry)."""
    return {0: entry.msgid, 1: entry.msgid_plural} if entry.msgid_plural else {0: entry.msgid}


def translations(entry: polib.POEntry) -> dict[int, str]:
    """The Italian forms the entry has: plural index -> text (0 only, for a singular entry)."""
    if entry.msgid_plural:
        return {int(index): text for index, text in entry.msgstr_plural.items()}
    return {0: entry.msgstr}


# %(name)s, %(n)d, %s, %d ... (python-format) and {name}, {0} (python-brace-format).
_PERCENT_RE = re.compile(r"%(?:\((\w+)\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
_BRACE_RE = re.compile(r"(?<!\{)\{(\w*)(?:[!:][^{}]*)?\}(?!\})")


def placeholders(text: str, flags: set[str]) -> list[str]:
    found: list[str] = []
    if "python-format" in flags:
        found += sorted(m.group(0) for m in _PERCENT_RE.finditer(text) if m.group(0) != "%%")
    if "python-brace-format" in flags:
        found += sorted(m.group(0) for m in _BRACE_RE.finditer(text))
    # A template variable left in a translation is never substituted: always wrong.
    found += sorted(re.findall(r"\{\{.*?\}\}", text))
    return found


@pytest.fixture(scope="module")
def po_file() -> polib.POFile:
    assert PO_PATH.exists(), f"{PO_PATH} is missing." + HOW_TO_FIX
    catalogue = polib.pofile(str(PO_PATH), encoding="utf-8")
    assert catalogue.metadata, "django.po must start with its header entry." + HOW_TO_FIX
    return catalogue


@pytest.fixture(scope="module")
def messages(po_file: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po_file if not entry.obsolete]


# --- The catalogue -----------------------------------------------------------------------


def test_the_po_header_declares_italian_utf8_and_two_plural_forms(po_file: polib.POFile) -> None:
    fields = po_file.metadata
    assert fields.get("Language") == "it"
    assert fields.get("Plural-Forms") == "nplurals=2; plural=(n != 1);"
    assert fields.get("Content-Type") == "text/plain; charset=UTF-8"
    assert not po_file.metadata_is_fuzzy, (
        "The header of django.po is marked fuzzy: remove its '#, fuzzy' line." + HOW_TO_FIX
    )


def test_every_entry_has_an_italian_translation_with_the_same_placeholders(
    messages: list[polib.POEntry],
) -> None:
    assert len(messages) > 100, "django.po has suspiciously few entries." + HOW_TO_FIX
    problems: list[str] = []
    for entry in messages:
        flags = set(entry.flags)
        if "fuzzy" in flags:
            problems.append(f"{describe(entry)} is fuzzy (check it, then remove the flag)")
        english, italian = sources(entry), translations(entry)
        if sorted(italian) != sorted(english):
            problems.append(
                f"{describe(entry)} has forms {sorted(italian)}, expected {sorted(english)}"
            )
        for index, source in english.items():
            translated = italian.get(index, "")
            if not translated.strip():
                problems.append(f"{describe(entry)} has no Italian translation (form {index})")
                continue
            expected = placeholders(source, flags)
            actual = placeholders(translated, flags)
            if expected != actual:
                problems.append(
                    f"{describe(entry)} form {index}: placeholders {actual} instead of {expected}"
                )
    assert not problems, "\n".join(problems) + HOW_TO_FIX


def test_the_po_has_no_duplicate_entries(messages: list[polib.POEntry]) -> None:
    keys = [catalogue_key(entry) for entry in messages]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    assert not duplicates, f"Duplicate msgids in django.po: {duplicates}" + HOW_TO_FIX


def test_the_compiled_mo_says_exactly_what_the_po_says(messages: list[polib.POEntry]) -> None:
    assert MO_PATH.exists(), f"{MO_PATH} is missing." + HOW_TO_FIX
    with MO_PATH.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    in_mo = {key: text for key, text in compiled._catalog.items() if key != ""}  # type: ignore[attr-defined]
    in_po: dict[object, str] = {}
    for entry in messages:
        if not entry.msgid_plural:
            in_po[catalogue_key(entry)] = entry.msgstr
        else:
            for index, text in translations(entry).items():
                in_po[(catalogue_key(entry), index)] = text
    missing = sorted(str(key) for key in in_po.keys() - in_mo.keys())
    extra = sorted(str(key) for key in in_mo.keys() - in_po.keys())
    different = sorted(str(key) for key in in_po.keys() & in_mo.keys() if in_po[key] != in_mo[key])
    assert not (missing or extra or different), (
        "django.mo is out of date with django.po.\n"
        f"Only in the .po: {missing}\nOnly in the .mo: {extra}\nTranslated differently: "
        f"{different}" + HOW_TO_FIX
    )
    assert compiled.info().get("language") == "it"
    assert compiled.ngettext("%(n)s project", "%(n)s projects", 1) == "%(n)s progetto"
    assert compiled.ngettext("%(n)s project", "%(n)s projects", 2) == "%(n)s progetti"


# --- Every marked string is in the catalogue ----------------------------------------------

# The keywords makemessages hands to xgettext: position of the context and of the message(s).
_PY_KEYWORDS: dict[str, tuple[int | None, tuple[int, ...]]] = {
    "_": (None, (0,)),
    "gettext": (None, (0,)),
    "gettext_lazy": (None, (0,)),
    "gettext_noop": (None, (0,)),
    "ngettext": (None, (0, 1)),
    "ngettext_lazy": (None, (0, 1)),
    "pgettext": (0, (1,)),
    "pgettext_lazy": (0, (1,)),
    "npgettext": (0, (1, 2)),
    "npgettext_lazy": (0, (1, 2)),
}
_STRING_ARG_RE = re.compile(r"""\s*u?('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")\s*,?""")
_TEMPLATE_CALL_RE = re.compile(r"\b(_|gettext|ngettext|pgettext|npgettext)\(")


def _source_files() -> Iterator[Path]:
    """The files makemessages reads, with the same --ignore options as the script."""
    base = Path(settings.BASE_DIR).resolve()
    ignored = {base / ".venv", base / "staticfiles", base / "tests"}
    for root in (settings.STATIC_ROOT, settings.MEDIA_ROOT):
        if root:
            ignored.add(Path(root).resolve())
    for dirpath, dirnames, filenames in os.walk(base):
        here = Path(dirpath)
        dirnames[:] = [
            name
            for name in dirnames
            if not name.startswith(".")
            and name not in ("__pycache__", "node_modules", "CVS")
            and (here / name).resolve() not in ignored
        ]
        for name in filenames:
            if name.endswith((".py", ".html", ".txt")) and not name.startswith("."):
                yield here / name


def _message_key(context: str | None, singular: str, plural: str | None) -> str:
    key = f"{context}\x04{singular}" if context is not None else singular
    return key if plural is None else f"{key} [plural: {plural}]"


def _python_messages(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in _PY_KEYWORDS:
            continue
        context_at, message_at = _PY_KEYWORDS[name]
        wanted = [*message_at, *([] if context_at is None else [context_at])]
        args = node.args
        if len(args) <= max(wanted) or not all(
            isinstance(args[i], ast.Constant) and isinstance(args[i].value, str)  # type: ignore[attr-defined]
            for i in wanted
        ):
            continue  # not a literal: xgettext cannot extract it either
        values = [args[i].value for i in message_at]  # type: ignore[attr-defined]
        context = None if context_at is None else args[context_at].value  # type: ignore[attr-defined]
        plural = values[1] if len(values) > 1 else None
        if values[0]:
            yield _message_key(context, values[0], plural)


def _template_messages(path: Path) -> Iterator[str]:
    # templatize() is what makemessages itself uses to turn a template into gettext calls.
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for call in _TEMPLATE_CALL_RE.finditer(code):
        strings: list[str] = []
        position = call.end()
        while match := _STRING_ARG_RE.match(code, position):
            strings.append(ast.literal_eval(match.group(1)))
            position = match.end()
        name = call.group(1)
        if name == "pgettext" and len(strings) >= 2:
            yield _message_key(strings[0], strings[1], None)
        elif name == "npgettext" and len(strings) >= 3:
            yield _message_key(strings[0], strings[1], strings[2])
        elif name == "ngettext" and len(strings) >= 2:
            yield _message_key(None, strings[0], strings[1])
        elif name in ("_", "gettext") and strings and strings[0]:
            yield _message_key(None, strings[0], None)


def test_every_string_marked_for_translation_is_in_the_catalogue(
    messages: list[polib.POEntry],
) -> None:
    in_po = {_message_key(e.msgctxt, e.msgid, e.msgid_plural or None) for e in messages}
    missing: dict[str, set[str]] = {}
    base = Path(settings.BASE_DIR)
    for path in _source_files():
        found = _python_messages(path) if path.suffix == ".py" else _template_messages(path)
        for key in found:
            if key not in in_po:
                missing.setdefault(key, set()).add(str(path.relative_to(base)))
    assert not missing, (
        "Strings marked for translation but missing from django.po:\n"
        + "\n".join(f"  {key!r} ({', '.join(sorted(paths))})" for key, paths in missing.items())
        + HOW_TO_FIX
    )


# --- Pages in both languages ---------------------------------------------------------------


def _assert_shows(html: str, expected: list[str], absent: list[str]) -> None:
    """Each text of `expected` is on the page as a whole phrase, none of `absent` is."""

    def present(text: str) -> bool:
        return re.search(rf"(?<!\w){re.escape(escape(text))}(?!\w)", html) is not None

    for text in expected:
        assert present(text), f"{text!r} is not on the page"
    for text in absent:
        assert not present(text), f"{text!r} is on the page but should not be"


def _client_in(language: str, how: str) -> Client:
    if how == "header":
        return Client(headers={"accept-language": language})
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


SIGN_IN = {
    "it": ["Accedi", "Password dimenticata?", "Dimensiona le offerte TVox Pure Cloud"],
    "en": ["Sign in", "Forgot your password?", "Size TVox Pure Cloud"],
}
PROJECT_LIST = {
    "it": [
        "Progetti",
        "Clienti",
        "Nuovo progetto",
        "I tuoi progetti.",
        "1 progetto",
        "Bozza",
        "Tutti gli stati",
        "Titolo",
        "Proprietario",
        "Tecnico commerciale",
        "Esci",
    ],
    "en": [
        "Projects",
        "Customers",
        "New project",
        "The projects you own.",
        "1 project",
        "Draft",
        "All statuses",
        "Title",
        "Owner",
        "Sales engineer",
        "Sign out",
    ],
}
CUSTOMER_FORM = {
    "it": [
        "Nuovo cliente",
        "Ragione sociale",
        "Partita IVA",
        "Paese",
        "Italia",
        "Lingua preferita",
        "Referente",
        "Crea cliente",
        "Annulla",
    ],
    "en": [
        "New customer",
        "Company name",
        "VAT number",
        "Country",
        "Italy",
        "Preferred language",
        "Contact person",
        "Create customer",
        "Cancel",
    ],
}
PROJECT_FORM = {
    "it": [
        "Nuovo progetto",
        "Cliente",
        "Titolo",
        "Stato",
        "Bozza",  # a new project is a draft: the only status its form offers
        "Note",
        "Crea progetto",
    ],
    "en": [
        "New project",
        "Customer",
        "Title",
        "Status",
        "Draft",
        "Notes",
        "Create project",
    ],
}


def _other(language: str) -> str:
    return "en" if language == "it" else "it"


LANGUAGES_AND_WAYS = pytest.mark.parametrize(
    ("language", "how"), [("it", "header"), ("it", "cookie"), ("en", "header"), ("en", "cookie")]
)


@pytest.mark.django_db
@LANGUAGES_AND_WAYS
def test_the_sign_in_page_speaks_the_users_language(language: str, how: str) -> None:
    response = _client_in(language, how).get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assertContains(response, f'<html lang="{language}">')
    _assert_shows(html, SIGN_IN[language], SIGN_IN[_other(language)])


@LANGUAGES_AND_WAYS
def test_the_project_list_speaks_the_users_language(
    language: str, how: str, alice: User, project: Project
) -> None:
    client = _client_in(language, how)
    client.force_login(alice)
    response = client.get(reverse("project_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assertContains(response, f'<html lang="{language}">')
    _assert_shows(html, PROJECT_LIST[language], PROJECT_LIST[_other(language)])


@LANGUAGES_AND_WAYS
def test_the_customer_form_speaks_the_users_language(language: str, how: str, alice: User) -> None:
    client = _client_in(language, how)
    client.force_login(alice)
    response = client.get(reverse("customer_create"))
    assert response.status_code == 200
    html = response.content.decode()
    _assert_shows(html, CUSTOMER_FORM[language], CUSTOMER_FORM[_other(language)])
    # The help texts come from the form, not the template.
    with translation.override(language):
        help_text = translation.gettext("Italian numbers are checked with their check digit.")
    assertContains(response, escape(help_text))


@LANGUAGES_AND_WAYS
def test_the_project_form_speaks_the_users_language(
    language: str, how: str, alice: User, customer: Customer
) -> None:
    client = _client_in(language, how)
    client.force_login(alice)
    response = client.get(reverse("project_create"))
    assert response.status_code == 200
    html = response.content.decode()
    _assert_shows(html, PROJECT_FORM[language], PROJECT_FORM[_other(language)])


def test_the_not_found_page_is_in_italian(alice: User) -> None:
    client = _client_in("it", "header")
    client.force_login(alice)
    response = client.get(reverse("project_detail", args=[999_999]))
    assert response.status_code == 404
    _assert_shows(response.content.decode(), ["Pagina non trovata"], ["Not found"])


def test_the_language_switcher_turns_the_interface_italian(alice: User) -> None:
    client = Client(headers={"accept-language": "en"})
    client.force_login(alice)
    response = client.post(
        reverse("set_language"), {"language": "it", "next": reverse("project_list")}, follow=True
    )
    assert response.status_code == 200
    _assert_shows(response.content.decode(), ["Progetti", "Nuovo progetto"], ["New project"])
    response = client.get(reverse("customer_list"))
    _assert_shows(response.content.decode(), ["Clienti", "Nuovo cliente"], ["New customer"])


# --- Validation messages -------------------------------------------------------------------


def _customer_data(**changes: str) -> dict[str, str]:
    data = {
        "company_name": "Logistica Adriatica S.r.l.",
        "vat_number": "12345678903",
        "country": "IT",
        "preferred_language": "it",
        "contact_name": "Paolo Conti",
        "contact_email": "p.conti@example.it",
        "contact_phone": "+39 02 1234567",
    }
    data.update(changes)
    return data


VAT_ERROR = {
    "it": "Una partita IVA italiana è composta da 11 cifre",
    "en": "An Italian VAT number has 11 digits with a valid check digit.",
}


@pytest.mark.parametrize("language", ["it", "en"])
def test_a_wrong_italian_vat_number_is_explained_in_the_users_language(
    language: str, alice: User
) -> None:
    client = _client_in(language, "header")
    client.force_login(alice)
    response = client.post(
        reverse("customer_create"),
        _customer_data(vat_number="12345678901"),  # bad check digit
    )
    assert response.status_code == 200
    assert not Customer.objects.exists()
    html = response.content.decode()
    _assert_shows(html, [VAT_ERROR[language]], [VAT_ERROR[_other(language)]])
    summary = {
        "it": "Correggi i campi evidenziati qui sotto.",
        "en": "Please correct the fields marked below.",
    }
    _assert_shows(html, [summary[language]], [summary[_other(language)]])


def test_django_and_project_messages_are_both_italian_on_one_form(alice: User) -> None:
    client = _client_in("it", "cookie")
    client.force_login(alice)
    response = client.post(
        reverse("customer_create"),
        _customer_data(company_name="   ", contact_email="not-an-email", vat_number="IT1234"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    english = ["This field is required.", "Enter a valid email address."]
    with translation.override("it"):
        italian = [translation.gettext(text) for text in english]
    assert italian == ["Questo campo è obbligatorio.", "Inserisci un indirizzo email valido."]
    _assert_shows(html, [*italian, VAT_ERROR["it"]], [*english, VAT_ERROR["en"]])


def test_saving_over_a_newer_revision_is_explained_in_italian(
    alice: User, project: Project
) -> None:
    client = _client_in("it", "header")
    client.force_login(alice)
    form = {
        "customer": str(project.customer_id),
        "title": "Tre ospedali",
        "status": "draft",
        "description": "",
        "revision": "1",
    }
    url = reverse("project_edit", args=[project.pk])
    response = client.post(url, form, follow=True)
    _assert_shows(response.content.decode(), ["Progetto salvato (revisione 2)."], [])
    response = client.post(url, {**form, "title": "Quattro ospedali"})
    assert response.status_code == 409
    _assert_shows(
        response.content.decode(),
        [
            "Alice ha salvato questo progetto mentre lo stavi modificando "
            "(ora è alla revisione 2).",
            "Valori salvati (revisione 2)",
            "Salvato il",
        ],
        ["saved this project while you were editing it"],
    )


PROPOSAL_PAGE = {
    "it": [
        "Genera una nuova versione",
        "Genera la proposta",
        "Versioni",
        "Non è ancora stata generata alcuna proposta per questo progetto.",
    ],
    "en": [
        "Generate a new version",
        "Generate proposal",
        "Versions",
        "No proposal has been generated for this project yet.",
    ],
}
BRANDING_PAGE = {
    "it": ["Colori", "Dati aziendali", "Non è ancora stato caricato alcun logo."],
    "en": ["Colours", "Company details", "No logo has been uploaded yet."],
}


@LANGUAGES_AND_WAYS
def test_the_proposal_page_speaks_the_users_language(
    language: str, how: str, alice: User, project: Project
) -> None:
    client = _client_in(language, how)
    client.force_login(alice)
    response = client.get(reverse("project_proposals", args=[project.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    _assert_shows(html, PROPOSAL_PAGE[language], PROPOSAL_PAGE[_other(language)])


@LANGUAGES_AND_WAYS
def test_the_branding_page_speaks_the_users_language(language: str, how: str, adam: User) -> None:
    client = _client_in(language, how)
    client.force_login(adam)
    response = client.get(reverse("organization_branding"))
    assert response.status_code == 200
    html = response.content.decode()
    _assert_shows(html, BRANDING_PAGE[language], BRANDING_PAGE[_other(language)])
    with translation.override(language):
        help_text = translation.gettext(
            "PNG or SVG, at most %(size)d KB and %(side)d × %(side)d pixels. An SVG may not "
            "contain scripts or links to other files."
        ) % {"size": 512, "side": 4000}
    assertContains(response, escape(help_text))
