"""Site inventory import from hostile files: the work is bounded by what is really in the
file (rows, columns and cells read, time), whatever the file claims about itself.

Every hostile workbook is written here by hand (zipfile and the XML of the sheet), so each
test shows what its file holds. Every refusal is a message next to the file field, in a
page answered with status 200 (htmx 2 swaps no 4xx), and nothing is kept for a confirm.
"""

from __future__ import annotations

import io
import random
import re
import signal
import string
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from configurator import inventory_io
from configurator.models import Project, User

COLUMNS = [
    "name",
    "address",
    "connectivity",
    "users",
    "sip_phones",
    "mobile_apps",
    "web_clients",
    "widgets",
    "smart_working_webclient",
    "smart_working_team",
]
SITE = ["Milano", "Via Manzoni 12", "mpls", 100, 80, 20, 30, 1, 5, 2]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


# --- Hand-written workbooks ------------------------------------------------------------------


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell(ref: str, value: object) -> str:
    """A cell as Excel writes it: numbers in <v>, text inline."""
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def row(number: int, values: list[object], first_column: int = 1) -> str:
    cells = "".join(
        cell(f"{column_letter(first_column + i)}{number}", value)
        for i, value in enumerate(values)
        if value != ""
    )
    return f'<row r="{number}">{cells}</row>'


def sheet(*rows: str, dimension: str | None = None, after: str = "") -> bytes:
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    body = "".join(rows)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{head}'
        f"<sheetData>{body}</sheetData>{after}</worksheet>"
    ).encode()


def workbook(
    *sheets: bytes, strings: list[str] | None = None, string_items: str | None = None
) -> bytes:
    """A minimal valid XLSX: content types, the package and workbook relationships, the
    sheets in order and, when given, a shared string table (of plain texts, or of the
    <si> items written as given)."""
    names = "".join(
        f'<sheet name="Sheet{i}" sheetId="{i}" r:id="rId{i}"/>' for i in range(1, len(sheets) + 1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    members = {}
    if strings is not None or string_items is not None:
        rels += f'<Relationship Id="rIdS" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
        items = string_items or "".join(f"<si><t>{escape(text)}</t></si>" for text in strings or [])
        members["xl/sharedStrings.xml"] = f'<sst xmlns="{MAIN}">{items}</sst>'.encode()
        overrides += (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    members |= {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}</Types>"
        ).encode(),
        "_rels/.rels": (
            f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>{names}</sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG_REL}">{rels}</Relationships>'
        ).encode(),
    }
    for i, content in enumerate(sheets, start=1):
        members[f"xl/worksheets/sheet{i}.xml"] = content
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def header_and_sites(count: int = 1) -> list[str]:
    return [row(1, list(COLUMNS))] + [row(n, [f"Sede {n}", *SITE[1:]]) for n in range(2, count + 2)]


# --- Posting and looking at the answer ---------------------------------------------------------


@contextmanager
def at_most(seconds: float) -> Iterator[None]:
    """Fail the test with TimeoutError if the block runs longer (the server's budget is
    30 s a request; a refusal must come in a fraction of it)."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"the upload took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def post(
    client: Client, project: Project, name: str, data: bytes, *, seconds: float = 5, **extra: str
) -> HttpResponse:
    url = reverse("sites_import", args=[project.pk])
    with at_most(seconds):
        response = client.post(url, {"file": SimpleUploadedFile(name, data, XLSX_TYPE)}, **extra)
    assert response.status_code == 200
    return response


def field_error(page: HttpResponse) -> str:
    """The text of the error block under the file field ('' when there is none)."""
    content = page.content.decode()
    start = content.find('id="id_file_error"')
    if start == -1:
        return ""
    return content[start : content.index("</div>", start)]


def assert_refused(client: Client, project: Project, page: HttpResponse, message: str) -> None:
    assert message in field_error(page), field_error(page) or page.content.decode()
    assertNotContains(page, 'name="token"')
    assert inventory_io.SESSION_KEY.format(pk=project.pk) not in client.session
    assert not project.sites.exists()


@pytest.fixture
def signed_in(client: Client, alice: User) -> Client:
    client.force_login(alice)
    return client


# --- The sheet claims more than it holds ------------------------------------------------------


def test_a_sheet_claiming_the_whole_grid_with_a_cell_in_its_last_row_is_refused_at_once(
    signed_in: Client, project: Project
) -> None:
    data = workbook(
        sheet(
            *header_and_sites(1),
            row(1_048_576, ["Fondo del foglio"]),
            dimension="A1:XFD1048576",
        )
    )
    assert len(data) < 5_000
    page = post(signed_in, project, "sites.xlsx", data)
    assert_refused(
        signed_in,
        project,
        page,
        "The sheet has a value in row 1,048,576: the sites must be in its first 10,000 rows.",
    )


def test_the_refusal_is_italian_on_an_italian_page(signed_in: Client, project: Project) -> None:
    msgid = "The sheet has a value in row %(row)s: the sites must be in its first %(max)s rows."
    with translation.override("it"):
        assert translation.gettext(msgid) != msgid, "the Italian catalogue lacks the message"
    data = workbook(sheet(*header_and_sites(1), row(1_048_576, ["x"]), dimension="A1:XFD1048576"))
    page = post(signed_in, project, "sites.xlsx", data, HTTP_ACCEPT_LANGUAGE="it")
    assert_refused(
        signed_in,
        project,
        page,
        "Il foglio ha un valore nella riga 1.048.576: le sedi devono stare nelle sue prime "
        "10.000 righe.",
    )


def test_a_claimed_dimension_is_ignored_and_the_real_rows_are_imported(
    signed_in: Client, project: Project
) -> None:
    data = workbook(sheet(*header_and_sites(2), dimension="A1:XFD1048576"))
    page = post(signed_in, project, "sites.xlsx", data)
    assertContains(page, "2 sites are ready")
    assertContains(page, "Sede 2")
    assertContains(page, "Sede 3")
    assert field_error(page) == ""


def test_empty_rows_far_below_the_sites_cost_nothing(signed_in: Client, project: Project) -> None:
    # Excel writes a row element for a row whose height was changed, even without cells.
    data = workbook(
        sheet(
            *header_and_sites(2),
            '<row r="1048576" ht="30" customHeight="1"/>',
            dimension="A1:XFD1048576",
        )
    )
    page = post(signed_in, project, "sites.xlsx", data)
    assertContains(page, "2 sites are ready")


def test_rows_are_numbered_as_in_the_sheet_when_some_are_missing(
    signed_in: Client, project: Project
) -> None:
    data = workbook(sheet(row(1, list(COLUMNS)), row(7, ["Como", "", "lan", "many"])))
    page = post(signed_in, project, "sites.xlsx", data)
    assertContains(page, "Row 7, Users: Enter a whole number.")


def test_a_wide_and_sparse_sheet_is_refused_at_its_first_cell_beyond_the_columns(
    signed_in: Client, project: Project
) -> None:
    # Every row holds one cell in the last column Excel has: 16,384 columns a row if padded.
    rows = [row(n, ["x"], first_column=16_384) for n in range(2, 3_002)]
    data = workbook(sheet(row(1, list(COLUMNS)), *rows, dimension="A1:XFD3001"))
    page = post(signed_in, project, "sites.xlsx", data)
    assert_refused(
        signed_in,
        project,
        page,
        "Row 2 has a value in column XFD: the sites must be within columns A to AD.",
    )


def test_a_header_with_an_absurd_number_of_columns_is_refused_briefly(
    signed_in: Client, project: Project
) -> None:
    names = [f"colonna{i}" for i in range(5_000)]
    data = workbook(sheet(row(1, [*COLUMNS, *names])))
    page = post(signed_in, project, "sites.xlsx", data)
    assert_refused(
        signed_in,
        project,
        page,
        "Row 1 has a value in column AE: the sites must be within columns A to AD.",
    )
    assertNotContains(page, "colonna4999")


def test_a_sheet_of_empty_cells_is_read_only_up_to_the_cell_limit(
    signed_in: Client, project: Project
) -> None:
    # Styled empty cells are legal, and as many as the zip allows: 250,000 of them here.
    empty = "".join(f'<c r="{column_letter(c)}{{n}}" s="1"/>' for c in range(1, 26))
    rows = [f'<row r="{n}">' + empty.format(n=n) + "</row>" for n in range(2, 10_002)]
    data = workbook(sheet(row(1, list(COLUMNS)), *rows))
    assert len(data) < inventory_io.MAX_UPLOAD_BYTES
    page = post(signed_in, project, "sites.xlsx", data, seconds=20)
    assert_refused(
        signed_in, project, page, "The sheet has more than 200,000 cells: nothing was imported."
    )


def test_one_row_of_a_million_cells_is_stopped_while_it_is_read(
    signed_in: Client, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # openpyxl builds a whole row before it hands it over (about 800 MB for this one); the
    # limit must cut inside the row. A lower limit keeps the test quick under tracemalloc.
    monkeypatch.setattr(inventory_io, "MAX_COMPRESSION_RATIO", 10**6)
    monkeypatch.setattr(inventory_io, "MAX_CELLS", 20_000)
    cells = '<c s="1"/>' * 1_000_000
    data = workbook(sheet(row(1, list(COLUMNS)), f'<row r="2">{cells}</row>'))
    tracemalloc.start()
    try:
        page = post(signed_in, project, "sites.xlsx", data, seconds=20)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_refused(
        signed_in, project, page, "The sheet has more than 20,000 cells: nothing was imported."
    )
    assert peak < 32 * 1024 * 1024


def test_a_long_list_of_settings_before_the_data_costs_no_memory(
    signed_in: Client, project: Project
) -> None:
    widths = "".join(f'<col min="{i}" max="{i}" width="9"/>' for i in range(1, 40_001))
    data = workbook(
        sheet(*header_and_sites(1)).replace(
            b"<sheetData>", f"<cols>{widths}</cols><sheetData>".encode()
        )
    )
    assertContains(post(signed_in, project, "sites.xlsx", data), "1 site is ready")
    tracemalloc.start()
    try:
        rows = list(inventory_io.read_upload(SimpleUploadedFile("sites.xlsx", data)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(rows) == 2
    assert peak < 4 * 1024 * 1024  # 17 MB if the 40,000 elements were kept


def test_a_part_with_more_elements_than_any_inventory_is_refused(
    signed_in: Client, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inventory_io, "MAX_XML_ELEMENTS", 5_000)
    widths = "".join(f'<col min="{i}" max="{i}"/>' for i in range(1, 6_000))
    data = workbook(
        sheet(*header_and_sites(1)).replace(
            b"<sheetData>", f"<cols>{widths}</cols><sheetData>".encode()
        )
    )
    page = post(signed_in, project, "sites.xlsx", data)
    assert_refused(
        signed_in,
        project,
        page,
        "This workbook holds far more than a list of sites: it was not read.",
    )


@pytest.fixture
def events_read(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many XML events (the start or end of an element) the reader took from the
    parser: where a hostile file stopped being read."""
    taken = [0]
    iterparse = inventory_io.defused_etree.iterparse

    def counting(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for item in iterparse(*args, **kwargs):
            taken[0] += 1
            yield item

    monkeypatch.setattr(inventory_io.defused_etree, "iterparse", counting)
    return taken


def random_letters(count: int) -> list[str]:
    # Random, so that the file is not refused for its compression ratio first.
    return random.Random(8).choices(string.ascii_letters, k=count)


def test_a_cell_split_into_many_runs_is_refused_while_it_is_read(
    signed_in: Client, project: Project, events_read: list[int]
) -> None:
    # Every run was kept until the cell ended: 300,000 of them, about 40 MB.
    runs = "".join(f"<r><t>{letter}</t></r>" for letter in random_letters(100_000))
    site = f'<row r="2"><c r="A2" t="inlineStr"><is>{runs}</is></c></row>'
    data = workbook(sheet(row(1, list(COLUMNS)), site))
    page = post(signed_in, project, "sites.xlsx", data)
    assert_refused(
        signed_in,
        project,
        page,
        "Cell A2 holds more than 20,000 pieces of text and formatting: nothing was imported.",
    )
    assert events_read[0] < 2 * (inventory_io.MAX_CELL_ELEMENTS + 100)  # of 400,000


def test_a_shared_string_split_into_many_runs_is_refused_while_it_is_read(
    signed_in: Client, project: Project, events_read: list[int]
) -> None:
    runs = "".join(f"<r><rPr><b/></rPr><t>{x}</t></r>" for x in random_letters(50_000))
    data = workbook(sheet(*header_and_sites(1)), string_items=f"<si>{runs}</si>")
    page = post(signed_in, project, "sites.xlsx", data)
    assert_refused(
        signed_in,
        project,
        page,
        "A text of this workbook holds more than 20,000 pieces of text and formatting: "
        "nothing was imported.",
    )
    assert events_read[0] < 2 * (inventory_io.MAX_CELL_ELEMENTS + 100)  # of 400,000


def test_a_cell_nested_deeper_than_any_spreadsheet_is_refused_at_once(
    signed_in: Client, project: Project, monkeypatch: pytest.MonkeyPatch, events_read: list[int]
) -> None:
    # Every open element stays in memory until it ends: 100,000 of them here.
    monkeypatch.setattr(inventory_io, "MAX_COMPRESSION_RATIO", 10**6)
    nested = "<r>" * 100_000 + "<t>Milano</t>" + "</r>" * 100_000
    site = f'<row r="2"><c r="A2" t="inlineStr"><is>{nested}</is></c></row>'
    page = post(signed_in, project, "sites.xlsx", workbook(sheet(row(1, list(COLUMNS)), site)))
    assert_refused(
        signed_in,
        project,
        page,
        "This workbook holds far more than a list of sites: it was not read.",
    )
    assert events_read[0] < 100


def test_a_part_with_more_element_names_than_any_spreadsheet_is_refused(
    signed_in: Client, project: Project, events_read: list[int]
) -> None:
    # The parser keeps every name it has seen, whatever becomes of the elements.
    names = "".join(f"<x{i}/>" for i in range(5_000))
    data = workbook(
        sheet(*header_and_sites(1)).replace(b"<sheetData>", f"{names}<sheetData>".encode())
    )
    page = post(signed_in, project, "sites.xlsx", data)
    assert_refused(
        signed_in,
        project,
        page,
        "This workbook holds far more than a list of sites: it was not read.",
    )
    assert events_read[0] < 3 * inventory_io.MAX_XML_NAMES  # of 10,000


def test_what_a_cell_is_not_read_from_is_dropped_as_it_is_read(
    signed_in: Client, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Phonetic guides, a formula, formatting: legal in a cell, and none of its value.
    guides = "".join(f'<rPh sb="0" eb="1"><t>{x}</t></rPh>' for x in random_letters(5_000))
    site = row(2, ["", *SITE[1:]]).replace(
        '<row r="2">',
        '<row r="2"><c r="A2" t="inlineStr"><f>A9</f>'
        f'<is><r><rPr><b/><sz val="11"/></rPr><t>Mil</t></r><t>ano</t>{guides}</is></c>',
    )
    held = []
    cell_value = inventory_io._cell_value

    def spy(cell: Any, *args: Any) -> str:
        held.append([inventory_io._local(e.tag) for e in cell.iter()])
        return cell_value(cell, *args)

    monkeypatch.setattr(inventory_io, "_cell_value", spy)
    page = post(signed_in, project, "sites.xlsx", workbook(sheet(row(1, list(COLUMNS)), site)))
    assertContains(page, "1 site is ready")
    assertContains(page, "Milano")
    assert held[len(COLUMNS)] == ["c", "is", "r", "t", "t"]  # of 10,009 elements


def test_a_cell_of_the_longest_text_each_letter_formatted_apart_is_read(
    signed_in: Client, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a spreadsheet can write for one value: a run of its own for each character,
    # with every property a run can have (so repetitive that only a file with much else
    # in it would pass the compression ratio).
    monkeypatch.setattr(inventory_io, "MAX_COMPRESSION_RATIO", 10**6)
    properties = (
        '<rFont val="Calibri"/><charset val="1"/><family val="2"/><b/><i/><strike/>'
        '<outline/><shadow/><condense/><extend/><color rgb="FF0000FF"/><sz val="11"/>'
        '<u/><vertAlign val="baseline"/><scheme val="minor"/>'
    )
    address = "".join(random_letters(inventory_io.MAX_CELL_CHARS))
    runs = "".join(f"<r><rPr>{properties}</rPr><t>{x}</t></r>" for x in address)
    site = row(2, SITE).replace(
        '<c r="B2" t="inlineStr"><is><t>Via Manzoni 12</t></is></c>',
        f'<c r="B2" t="inlineStr"><is>{runs}</is></c>',
    )
    assert runs in site
    page = post(signed_in, project, "sites.xlsx", workbook(sheet(row(1, list(COLUMNS)), site)))
    # Read whole: the form then finds it longer than an address may be.
    assertContains(page, "Ensure this value has at most 300 characters (it has 1000).")
    assert field_error(page) == ""


def test_the_reading_has_a_time_limit(
    signed_in: Client, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inventory_io, "MAX_READ_SECONDS", 0)
    data = workbook(sheet(*header_and_sites(3)))
    page = post(signed_in, project, "sites.xlsx", data)
    assert_refused(
        signed_in,
        project,
        page,
        "Reading this file took longer than 0 seconds: nothing was imported.",
    )


def test_the_time_limit_counts_the_reading_not_the_validation(
    signed_in: Client, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A large legitimate file on a busy server: its forms may take longer than the reading.
    validate = inventory_io._validate_row

    def slow_validation(*args: Any) -> inventory_io.ImportRow:
        time.sleep(0.2)
        return validate(*args)

    monkeypatch.setattr(inventory_io, "MAX_READ_SECONDS", 0.5)
    monkeypatch.setattr(inventory_io, "_validate_row", slow_validation)
    page = post(signed_in, project, "sites.xlsx", workbook(sheet(*header_and_sites(5))))
    assertContains(page, "5 sites are ready")


def test_more_sites_than_the_limit_are_refused_at_the_first_one_too_many(
    signed_in: Client, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inventory_io, "MAX_ROWS", 3)
    data = workbook(sheet(*header_and_sites(4), row(9_000, ["Lontano"])))
    page = post(signed_in, project, "sites.xlsx", data)
    assert_refused(signed_in, project, page, "The file has more than 3 sites.")


# --- Broken insides -----------------------------------------------------------------------------


@pytest.mark.parametrize("index", ["-1", "7", "1.5", "x"])
def test_a_shared_string_out_of_range_is_refused_and_named(
    signed_in: Client, project: Project, index: str
) -> None:
    rows = [row(1, list(COLUMNS)), f'<row r="2"><c r="A2" t="s"><v>{index}</v></c></row>']
    data = workbook(sheet(*rows), strings=["Milano", "Roma"])
    page = post(signed_in, project, "sites.xlsx", data)
    assert_refused(
        signed_in,
        project,
        page,
        "This workbook could not be read: cell A2 points at a text the workbook does not have.",
    )


def test_shared_strings_are_read(signed_in: Client, project: Project) -> None:
    header = "".join(f'<c r="{column_letter(i + 1)}1" t="s"><v>{i}</v></c>' for i in range(10))
    site = '<c r="A2" t="s"><v>10</v></c><c r="C2" t="s"><v>11</v></c>' + "".join(
        f'<c r="{column_letter(c)}2"><v>1</v></c>' for c in range(4, 11)
    )
    data = workbook(
        sheet(f'<row r="1">{header}</row>', f'<row r="2">{site}</row>'),
        strings=[*COLUMNS, "Genova", "LAN"],
    )
    page = post(signed_in, project, "sites.xlsx", data)
    assertContains(page, "1 site is ready")
    assertContains(page, "Genova")


def test_a_shared_string_table_longer_than_the_cell_limit_is_refused(
    signed_in: Client, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inventory_io, "MAX_CELLS", 100)
    data = workbook(sheet(*header_and_sites(1)), strings=[f"s{i}" for i in range(101)])
    page = post(signed_in, project, "sites.xlsx", data)
    assert_refused(
        signed_in, project, page, "The sheet has more than 100 cells: nothing was imported."
    )


def test_a_cell_longer_than_any_field_is_refused(signed_in: Client, project: Project) -> None:
    # Random letters: a run of one letter would be refused as a zip bomb before it is read.
    name = "".join(random.Random(8).choices(string.ascii_letters, k=50_000))
    data = workbook(sheet(row(1, list(COLUMNS)), row(2, [name, *SITE[1:]])))
    page = post(signed_in, project, "sites.xlsx", data)
    assert_refused(signed_in, project, page, "Row 2, column A has more than 1,000 characters.")
    assertNotContains(page, name[:1_001])


def test_rows_out_of_order_are_refused(signed_in: Client, project: Project) -> None:
    # openpyxl silently drops a row numbered below the one before it: a partial import.
    data = workbook(sheet(row(1, list(COLUMNS)), row(5, SITE), row(3, ["Roma", *SITE[1:]])))
    page = post(signed_in, project, "sites.xlsx", data)
    assert_refused(signed_in, project, page, "This workbook could not be read.")


def test_a_corrupted_member_is_refused(signed_in: Client, project: Project) -> None:
    data = bytearray(workbook(sheet(*header_and_sites(200))))
    start = data.index(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    for offset in range(start + 40, start + 90):
        data[offset] ^= 0x5A
    page = post(signed_in, project, "sites.xlsx", bytes(data))
    assert_refused(signed_in, project, page, "This workbook could not be read.")


@pytest.mark.parametrize("part", ["xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"])
def test_a_workbook_without_a_part_it_needs_is_refused(
    signed_in: Client, project: Project, part: str
) -> None:
    whole = zipfile.ZipFile(io.BytesIO(workbook(sheet(*header_and_sites(1)))))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in whole.infolist():
            if info.filename != part:
                archive.writestr(info, whole.read(info))
    page = post(signed_in, project, "sites.xlsx", buffer.getvalue())
    assert_refused(signed_in, project, page, "This workbook could not be read.")


@pytest.mark.parametrize("cut", [0.5, 0.97], ids=["half-of-the-file", "central-directory-cut"])
def test_a_truncated_zip_is_refused(signed_in: Client, project: Project, cut: float) -> None:
    data = workbook(sheet(*header_and_sites(50)))
    page = post(signed_in, project, "sites.xlsx", data[: int(len(data) * cut)])
    assert_refused(signed_in, project, page, "This file is not an XLSX workbook.")


def test_a_png_named_xlsx_is_refused_in_italian_too(signed_in: Client, project: Project) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(50)
    page = post(signed_in, project, "sites.xlsx", png, HTTP_ACCEPT_LANGUAGE="it")
    assert_refused(signed_in, project, page, "Questo file non è una cartella di lavoro XLSX.")


def test_merged_cells_leave_the_other_cells_empty(signed_in: Client, project: Project) -> None:
    merged = '<mergeCells count="2"><mergeCell ref="A2:A3"/><mergeCell ref="A1:XFD1048576"/>'
    data = workbook(
        sheet(
            *header_and_sites(1),
            row(3, ["", *SITE[1:]]),
            after=merged + "</mergeCells>",
        )
    )
    page = post(signed_in, project, "sites.xlsx", data)
    assertContains(page, "Row 3, Site name: This field is required.")
    assertNotContains(page, 'name="token"')


def test_only_the_first_of_many_sheets_is_read(signed_in: Client, project: Project) -> None:
    hostile = sheet(row(1_048_576, ["x"], first_column=16_384), dimension="A1:XFD1048576")
    data = workbook(sheet(*header_and_sites(1)), *[hostile] * 300)
    page = post(signed_in, project, "sites.xlsx", data)
    assertContains(page, "1 site is ready")


def test_an_xlsx_formula_gives_its_value_never_its_formula(
    signed_in: Client, project: Project
) -> None:
    formula = "<f>cmd|' /C calc'!A0</f>"
    site = row(2, ["", *SITE[1:]]).replace(
        '<row r="2">', f'<row r="2"><c r="A2" t="str">{formula}<v>Pavia</v></c>'
    )
    data = workbook(sheet(row(1, list(COLUMNS)), site))
    page = post(signed_in, project, "sites.xlsx", data)
    assertContains(page, "Pavia")
    assertNotContains(page, "cmd|")
    assertContains(page, "1 site is ready")


# --- CSV ------------------------------------------------------------------------------------------


HEADER = ",".join(COLUMNS)
GOOD = "Milano,Via Manzoni 12,mpls,100,80,20,30,1,5,2"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"x" * (10 * 1024 * 1024), "The file is larger than the limit of 2.0\xa0MB."),
        ((HEADER + "\n" + GOOD).encode("utf-16"), "This file is in UTF-16: save it as CSV UTF-8."),
        (b"name,address\n\xff\xfe\xfa,x\n", "This file is not a CSV text file in UTF-8."),
        (b"name,\x00address\n", "This file is not a CSV text file in UTF-8."),
        (
            (HEADER + '\n"' + "M" * 1_500_000).encode(),
            "This CSV file could not be read from line 2: a quote is not closed, or a cell "
            "is longer than 1,000 characters.",
        ),
        (
            (HEADER + "\n" + "M" * 5_000 + GOOD).encode(),
            "Row 2, column A has more than 1,000 characters.",
        ),
        (
            (HEADER + "," * 2_000_000 + "x\n" + GOOD).encode(),
            f"Row 1 has a value in column {column_letter(2_000_010)}: the sites must be within "
            "columns A to AD.",
        ),
        (
            (HEADER + "\n" + "\n" * 20_000 + GOOD).encode(),
            "The sheet has a value in row 20,002: the sites must be in its first 10,000 rows.",
        ),
    ],
    ids=[
        "ten-megabytes",
        "utf-16",
        "invalid-utf-8",
        "nul-byte",
        "unclosed-quote",
        "long-cell",
        "millions-of-commas",
        "far-row",
    ],
)
def test_a_hostile_csv_is_refused_with_a_message_under_the_field(
    signed_in: Client, project: Project, data: bytes, message: str
) -> None:
    page = post(signed_in, project, "sites.csv", data)
    assert_refused(signed_in, project, page, message)


def test_a_csv_formula_is_imported_as_text_and_exported_neutralised(
    signed_in: Client, project: Project
) -> None:
    name = "=cmd|' /C calc'!A0"
    data = (HEADER + "\n" + f'"{name}",,lan,1,0,0,0,0,0,0').encode()
    page = post(signed_in, project, "sites.csv", data)
    assertContains(page, "1 site is ready")
    assertContains(page, escape(name))
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode())
    assert token
    url = reverse("sites_import", args=[project.pk])
    signed_in.post(url, {"token": token.group(1), "mode": "append"})
    assert project.sites.get().name == name
    export = signed_in.get(reverse("sites_export", args=[project.pk, "csv"]))
    assert f"'{name}" in export.content.decode()


def test_trailing_empty_columns_of_a_csv_are_fine(signed_in: Client, project: Project) -> None:
    data = (HEADER + "," * 200 + "\n" + GOOD + "," * 200).encode()
    page = post(signed_in, project, "sites.csv", data)
    assertContains(page, "1 site is ready")
