"""Site inventory in and out of spreadsheets: reading a CSV or XLSX upload within bounds,
validating its rows, and writing the inventory, the results and the template to fill in.
The pages are configurator/inventory_views.py, their forms configurator/forms.py.

An upload is read, checked for what it claims to be and validated row by row with
`SiteRowForm`, so its messages are those of manual entry. Nothing is written by the preview;
the rows that passed are kept on the server, in the session under a random token, and the
confirmation only names that token. The file is not posted again because a browser cannot
refill a file input (the engineer would have to pick the file twice without JavaScript) and
because a second upload could differ from the one previewed; the session keeps exactly the
rows the engineer saw, and the client can neither alter them nor point at another project's.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import posixpath
import re
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError  # nosec B405 # types; defusedxml parses

import openpyxl
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as defused_etree
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from sizing.labels import architecture_label
from sizing.results import ARCHITECTURES

from .forms import SiteRowForm
from .models import Project, Site
from .project_sizing import ProjectSizing, size_project

COLUMNS = ("name", "address", "connectivity", *Site.COUNT_FIELDS)
ITALIAN_COLUMNS = (
    "nome",
    "indirizzo",
    "connettività",
    "utenti",
    "telefoni_sip",
    "app_mobili",
    "web_client",
    "widget",
    "webclient_smart_working",
    "tvoxteam_smartworking",
)
EXAMPLE_ROW = ("Milano HQ", "Via Manzoni 12, Milano", "mpls", 100, 80, 20, 30, 1, 5, 2)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
MAX_ZIP_MEMBERS = 1000
MAX_ROWS = 5000
# What a sheet may hold around its sites: blank rows between them, empty formatted cells.
MAX_SHEET_ROWS = 10_000
MAX_COLUMNS = 30  # A to AD: the ten columns and some room for empty or unnamed ones
MAX_CELLS = 200_000  # every cell element read, empty or not, and every shared string
MAX_CELL_CHARS = 1000  # the longest field of a site is its address, 300
MAX_READ_SECONDS = 10  # of the 30 s a web worker has for the whole request
# In one part of a workbook: a cell, its value or inline text, the rows, a few settings.
MAX_XML_ELEMENTS = 3 * MAX_CELLS + MAX_SHEET_ROWS + 1000
# Below one cell or shared string: its longest legitimate value is MAX_CELL_CHARS
# characters, each in a rich-text run of its own with every formatting a run can have
# (<r>, <rPr> and its 15 properties, <t>), 18,000 elements.
MAX_CELL_ELEMENTS = 20_000
# worksheet/sheetData/row/c/is/r/rPr/b is 8 levels; what a spreadsheet writes stays close.
MAX_XML_DEPTH = 16
# Different element names in one part (the parser keeps each one): a sheet uses about 50.
MAX_XML_NAMES = 1000

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SESSION_KEY = "sites_import_{pk}"


class ImportRefused(Exception):
    """The file as a whole cannot be imported; the message says why, for the engineer."""


# --- Reading -------------------------------------------------------------------------------


def _normalize_header(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().strip()
    return "_".join(text.replace("_", " ").split())


HEADER_ALIASES = {
    _normalize_header(alias): column
    for aliases in (COLUMNS, ITALIAN_COLUMNS)
    for alias, column in zip(aliases, COLUMNS, strict=True)
}


def _cell_text(value: object) -> str:
    """A cell as the text a form would receive: 100.0 from a spreadsheet is "100"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    # Our own export prefixes an apostrophe to formula-like text: take it back off.
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
        text = text[1:]
    return text


def _count(number: int) -> str:
    return number_format(number, force_grouping=True)


def _column_letters(number: int) -> str:
    """1 is A, 27 is AA: the name a spreadsheet shows (also past XFD, for a CSV)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _beyond_rows(row: int) -> ImportRefused:
    return ImportRefused(
        _("The sheet has a value in row %(row)s: the sites must be in its first %(max)s rows.")
        % {"row": _count(row), "max": _count(MAX_SHEET_ROWS)}
    )


def _beyond_columns(row: int, column: int) -> ImportRefused:
    return ImportRefused(
        _(
            "Row %(row)s has a value in column %(column)s: the sites must be within columns "
            "A to %(last)s."
        )
        % {
            "row": _count(row),
            "column": _column_letters(column),
            "last": _column_letters(MAX_COLUMNS),
        }
    )


def _too_many_cells() -> ImportRefused:
    return ImportRefused(
        _("The sheet has more than %(max)s cells: nothing was imported.")
        % {"max": _count(MAX_CELLS)}
    )


def _unreadable() -> ImportRefused:
    return ImportRefused(_("This workbook could not be read."))


class _Deadline:
    """The time a file may take to be read: only the reading counts, not the validation
    of the rows already read (which MAX_ROWS bounds), so a large legitimate file on a busy
    server is not refused for the time its forms take."""

    def __init__(self) -> None:
        self.seconds = MAX_READ_SECONDS
        self.spent = 0.0
        self.since: float | None = time.monotonic()

    def check(self) -> None:
        spent = self.spent + (time.monotonic() - self.since if self.since is not None else 0)
        if spent >= self.seconds:
            raise ImportRefused(
                _("Reading this file took longer than %(seconds)s seconds: nothing was imported.")
                % {"seconds": self.seconds}
            )

    def pause(self) -> None:
        if self.since is not None:
            self.spent += time.monotonic() - self.since
            self.since = None

    def resume(self) -> None:
        self.since = time.monotonic()


def _within_limits(rows: Iterable[list[str]], deadline: _Deadline) -> Iterator[list[str]]:
    """The rows of either format, refused at the first value beyond the rows, the columns
    or the length a site can have; trailing empty cells are dropped. The deadline runs
    while a row is read, and stops while the caller works on it."""
    lines = iter(rows)
    for number in itertools.count(1):
        deadline.resume()
        values = next(lines, None)
        deadline.check()
        if values is None:
            return
        end = len(values)
        while end and not values[end - 1]:
            end -= 1
        if end and number > MAX_SHEET_ROWS:
            raise _beyond_rows(number)
        if end > MAX_COLUMNS:
            beyond = next(i for i in range(MAX_COLUMNS, end) if values[i])
            raise _beyond_columns(number, beyond + 1)
        for column, text in enumerate(values[:end], start=1):
            if len(text) > MAX_CELL_CHARS:
                raise ImportRefused(
                    _("Row %(row)s, column %(column)s has more than %(max)s characters.")
                    % {
                        "row": _count(number),
                        "column": _column_letters(column),
                        "max": _count(MAX_CELL_CHARS),
                    }
                )
        deadline.pause()
        yield values[:end]


def _check_xlsx(data: bytes) -> zipfile.ZipFile:
    """Refuse a file that is not a workbook or would unpack to far more than it weighs,
    before a byte of it is parsed. The sizes checked are those the zip declares; Python's
    zipfile never inflates a member past its declared size (it stops there and the CRC
    check fails), so a member that lies about its size cannot get around this."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportRefused(_("This file is not an XLSX workbook.")) from exc
    members = archive.infolist()
    names = {info.filename for info in members}
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise ImportRefused(_("This file is not an XLSX workbook."))
    unpacked = sum(info.file_size for info in members)
    too_dense = any(
        info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1) for info in members
    )
    if len(members) > MAX_ZIP_MEMBERS or unpacked > MAX_UNPACKED_BYTES or too_dense:
        raise ImportRefused(
            _("This workbook would unpack to far more than it weighs: it was not read.")
        )
    return archive


# An XLSX is read here from its XML, not through openpyxl: openpyxl's read-only sheet pads
# every row to the dimension the sheet claims (a 5 KB file claiming A1:XFD1048576 is 17
# billion cells), builds a whole row before handing it over and loads the whole shared
# string table first, so none of the limits could cut in before the work was done. The XML
# is parsed by defusedxml (no entity expansion), one element at a time, and only the rows
# and cells really present are looked at.


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


# What the value of a cell or a shared string is read from, by parent: a cell's <v> or
# inline string <is>, the <t> and rich-text runs <r> of a string, the <t> of a run. Every
# other element (a run's formatting, a phonetic guide, a formula, anything unknown) is taken
# off its parent as soon as it ends, as is every element outside a cell or string.
_READ_FROM = {
    "c": frozenset({"v", "is"}),
    "is": frozenset({"t", "r"}),
    "si": frozenset({"t", "r"}),
    "r": frozenset({"t"}),
}


def _far_more_than_sites() -> ImportRefused:
    return ImportRefused(_("This workbook holds far more than a list of sites: it was not read."))


def _too_many_pieces(reference: str | None) -> ImportRefused:
    """A cell (named when its reference is one) or a shared string made of more elements
    than any site's field needs."""
    limit = {"max": _count(MAX_CELL_ELEMENTS)}
    if reference is not None and re.fullmatch(r"[A-Z]{1,3}[1-9][0-9]{0,6}", reference):
        return ImportRefused(
            _(
                "Cell %(cell)s holds more than %(max)s pieces of text and formatting: nothing "
                "was imported."
            )
            % {**limit, "cell": reference}
        )
    return ImportRefused(
        _(
            "A text of this workbook holds more than %(max)s pieces of text and formatting: "
            "nothing was imported."
        )
        % limit
    )


def _events(
    archive: zipfile.ZipFile, name: str, deadline: _Deadline
) -> Iterator[tuple[str, Element]]:
    """The start and end of each element of a part, refused past MAX_XML_ELEMENTS of them,
    MAX_XML_DEPTH levels or MAX_XML_NAMES names, and past MAX_CELL_ELEMENTS below one cell
    or shared string. Once its end is handled, an element is taken off its parent, so a
    long list of settings, rows or cells costs no memory; below a cell or string only what
    its value is read from (_READ_FROM) stays, until that one ends."""
    open_elements: list[Element] = []
    kept: list[int] = []  # children each open element keeps: they come before the others
    names: dict[str, str] = {}  # every tag seen, to its local name
    value_depth: int | None = None  # where the cell or shared string being read is open
    value_reference: str | None = None
    below_value = started = 0
    with archive.open(name) as source:
        events = defused_etree.iterparse(source, events=("start", "end"))
        for count, (event, element) in enumerate(events):
            if count % 4096 == 0:
                deadline.check()
            tag = names.get(element.tag)
            if tag is None:
                if len(names) == MAX_XML_NAMES:
                    raise _far_more_than_sites()
                tag = names[element.tag] = _local(element.tag)
            if event == "start":
                started += 1
                if started > MAX_XML_ELEMENTS or len(open_elements) == MAX_XML_DEPTH:
                    raise _far_more_than_sites()
                if value_depth is not None:
                    below_value += 1
                    if below_value > MAX_CELL_ELEMENTS:
                        raise _too_many_pieces(value_reference)
                elif tag in _READ_FROM:
                    value_depth, value_reference = len(open_elements), element.get("r")
                    below_value = 0
                open_elements.append(element)
                kept.append(0)
                yield event, element
                continue
            open_elements.pop()
            kept.pop()
            yield event, element
            if value_depth == len(open_elements):
                value_depth = None
            if not open_elements:
                continue
            parent = open_elements[-1]
            read_from = _READ_FROM.get(names[parent.tag])
            if read_from is None:
                # The parser may have added the next siblings already: whichever child goes,
                # each goes once, and none of them is read through this parent.
                del parent[-1]
            elif tag in read_from:
                kept[-1] += 1
            else:
                del parent[kept[-1]]  # after the kept ones, before the siblings parsed ahead


def _member(archive: zipfile.ZipFile, target: str) -> str:
    """The zip member a relationship of the workbook points at."""
    name = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    name = posixpath.normpath(name)
    if name not in archive.NameToInfo:
        raise _unreadable()
    return name


def _parts(archive: zipfile.ZipFile, deadline: _Deadline) -> tuple[str, str | None]:
    """The first sheet of the workbook and its shared string table, if it has one."""
    sheet_id = None
    for event, element in _events(archive, "xl/workbook.xml", deadline):
        if event == "end" and _local(element.tag) == "sheet":
            sheet_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            break
    sheet = strings = None
    for event, element in _events(archive, "xl/_rels/workbook.xml.rels", deadline):
        if event == "end" and _local(element.tag) == "Relationship":
            if element.get("Id") == sheet_id:
                sheet = _member(archive, element.get("Target", ""))
            elif element.get("Type", "").endswith("/sharedStrings"):
                strings = _member(archive, element.get("Target", ""))
    if sheet_id is None or sheet is None:
        raise _unreadable()
    if strings is None and "xl/sharedStrings.xml" in archive.NameToInfo:
        strings = "xl/sharedStrings.xml"
    return sheet, strings


def _text_of(item: Element | None) -> str:
    """The text of a shared or inline string: its <t>, or those of its rich-text runs; the
    phonetic guides (<rPh>) are not part of it."""
    parts = []
    for child in item if item is not None else ():
        if _local(child.tag) == "t":
            parts.append(child.text or "")
        elif _local(child.tag) == "r":
            parts.extend(t.text or "" for t in child if _local(t.tag) == "t")
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile, name: str, deadline: _Deadline) -> list[str]:
    strings: list[str] = []
    for event, element in _events(archive, name, deadline):
        if event == "end" and _local(element.tag) == "si":
            if len(strings) == MAX_CELLS:  # more texts than the cells that could show them
                raise _too_many_cells()
            strings.append(_text_of(element))
            element.clear()
    return strings


def _column_of(reference: str | None, previous: int) -> int:
    """The column of a cell from its reference ("XFD7"); the next one when it has none."""
    if reference is None:
        return previous + 1
    letters = reference.rstrip("0123456789")
    if not 1 <= len(letters) <= 3 or not (letters.isascii() and letters.isupper()):
        raise _unreadable()
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _cell_value(cell: Element, strings: list[str], row: int, column: int) -> str:
    """The value of a cell, as `_cell_text` gives it; a formula gives its last result, a
    date its serial number (no field of a site is a date, so none is converted)."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        return _cell_text(_text_of(next((c for c in cell if _local(c.tag) == "is"), None)))
    raw = next((c.text for c in cell if _local(c.tag) == "v"), None)
    if not raw:
        return ""
    if kind == "s":
        if not (raw.isascii() and raw.isdigit() and int(raw) < len(strings)):
            raise ImportRefused(
                _(
                    "This workbook could not be read: cell %(cell)s points at a text the "
                    "workbook does not have."
                )
                % {"cell": f"{_column_letters(column)}{row}"}
            )
        return _cell_text(strings[int(raw)])
    if kind == "b":
        return _cell_text(raw == "1")
    if kind == "n":
        try:
            return _cell_text(float(raw) if any(c in raw for c in ".eE") else int(raw))
        except ValueError as exc:
            raise _unreadable() from exc
    return _cell_text(raw)  # "str" (a formula's text), "e" (#N/A...), "d" (ISO date)


def _sheet_rows(
    archive: zipfile.ZipFile, name: str, strings: list[str], deadline: _Deadline
) -> Iterator[list[str]]:
    """The rows of the sheet as they are in its XML, with an empty row for each one the
    XML leaves out (so rows keep their numbers), up to the last row that has a value."""
    cells = rows = seen = given = column = 0
    values: dict[int, str] = {}
    for event, element in _events(archive, name, deadline):
        tag = _local(element.tag)
        if event == "start":
            if tag == "row":
                number = int(element.get("r") or seen + 1)
                rows += 1
                if number <= seen:  # openpyxl would drop such a row without a word
                    raise _unreadable()
                if rows > MAX_SHEET_ROWS:
                    raise _beyond_rows(number)
                seen, column, values = number, 0, {}
        elif tag == "c":
            cells += 1
            if cells > MAX_CELLS:
                raise _too_many_cells()
            column = _column_of(element.get("r"), column)
            if text := _cell_value(element, strings, seen, column):
                if column > MAX_COLUMNS:
                    raise _beyond_columns(seen, column)
                values[column] = text
            element.clear()
        elif tag == "row":
            element.clear()
            if values:
                if seen > MAX_SHEET_ROWS:
                    raise _beyond_rows(seen)
                yield from ([] for _missing in range(given + 1, seen))
                yield [values.get(c, "") for c in range(1, max(values) + 1)]
                given = seen
        elif tag == "sheetData":  # what follows (merged cells, formatting) is not data
            return


def _xlsx_rows(data: bytes, deadline: _Deadline) -> Iterator[list[str]]:
    archive = _check_xlsx(data)
    try:
        sheet, strings_part = _parts(archive, deadline)
        strings = _shared_strings(archive, strings_part, deadline) if strings_part else []
        yield from _sheet_rows(archive, sheet, strings, deadline)
    except ImportRefused:
        raise
    # A damaged or hostile member: XML that does not parse or declares entities, deflate
    # data or a CRC that does not check out, a row or a number that is not one.
    except (
        ParseError,
        DefusedXmlException,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        KeyError,  # a part the workbook needs is missing
        ValueError,
    ) as exc:
        raise _unreadable() from exc
    finally:
        archive.close()


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportRefused(_("This file is in UTF-16: save it as CSV UTF-8."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportRefused(_("This file is not a CSV text file in UTF-8.")) from exc
    if any(char in text for char in "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f"):
        raise ImportRefused(_("This file is not a CSV text file in UTF-8."))
    first_line = text.split("\n", 1)[0]
    # Excel with Italian settings separates with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for values in reader:
            yield [_cell_text(value) for value in values]
    except csv.Error as exc:  # past csv's own limit on a field (131,072 characters)
        raise ImportRefused(
            _(
                "This CSV file could not be read from line %(line)s: a quote is not closed, "
                "or a cell is longer than %(max)s characters."
            )
            % {"line": _count(reader.line_num), "max": _count(MAX_CELL_CHARS)}
        ) from exc


def read_upload(upload: UploadedFile) -> Iterator[list[str]]:
    """The rows of an uploaded CSV or XLSX file as lists of text, header first, refused as
    soon as they go past what an inventory can hold or take too long to read."""
    deadline = _Deadline()
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportRefused(
            _("The file is larger than the limit of %(limit)s.")
            % {"limit": filesizeformat(MAX_UPLOAD_BYTES)}
        )
    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        return _within_limits(_xlsx_rows(data, deadline), deadline)
    if name.endswith(".csv"):
        if data.startswith(b"PK\x03\x04"):
            raise ImportRefused(_("This file is not a CSV text file in UTF-8."))
        return _within_limits(_csv_rows(data), deadline)
    raise ImportRefused(_("Upload a .csv or .xlsx file."))


# --- Validating ----------------------------------------------------------------------------


@dataclass
class ImportRow:
    number: int
    values: list[str]
    errors: list[tuple[str, str]] = field(default_factory=list)
    cleaned: dict[str, Any] = field(default_factory=dict)


def _header_columns(header: list[str]) -> list[str | None]:
    """The column each cell of the header names (None for an empty cell); refuse unknown,
    repeated or missing columns."""
    columns = [HEADER_ALIASES.get(_normalize_header(text)) if text else None for text in header]
    unknown = [text for text, column in zip(header, columns, strict=True) if text and not column]
    if unknown:
        raise ImportRefused(
            _("Unknown columns: %(unknown)s. The columns are: %(expected)s.")
            % {"unknown": ", ".join(unknown), "expected": ", ".join(COLUMNS)}
        )
    named = [column for column in columns if column]
    repeated = sorted({column for column in named if named.count(column) > 1})
    if repeated:
        raise ImportRefused(_("Repeated columns: %(columns)s.") % {"columns": ", ".join(repeated)})
    missing = [column for column in COLUMNS if column not in named]
    if missing:
        raise ImportRefused(
            _("Missing columns: %(missing)s. The columns are: %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ", ".join(COLUMNS)}
        )
    return columns


def _validate_row(project: Project, number: int, data: dict[str, str]) -> ImportRow:
    data["connectivity"] = data["connectivity"].lower()
    form = SiteRowForm({**data, "revision": project.revision}, instance=Site(project=project))
    row = ImportRow(number, [data[column] for column in COLUMNS])
    if form.is_valid():
        row.cleaned = {column: form.cleaned_data[column] for column in COLUMNS}
    else:
        for name, errors in form.errors.items():
            label = str(form.fields[name].label) if name in form.fields else _("Row")
            row.errors.extend((label, str(message)) for message in errors)
    return row


def validate_rows(project: Project, rows: Iterable[list[str]]) -> list[ImportRow]:
    """Every data row checked with `SiteRowForm`; numbered as in the spreadsheet (header = 1).
    Empty rows are skipped; a file without sites or with too many is refused."""
    lines = iter(rows)
    header = next(lines, None)
    if header is None or not any(header):
        raise ImportRefused(_("The file is empty: the first row must name the columns."))
    columns = _header_columns(header)
    checked: list[ImportRow] = []
    for number, values in enumerate(lines, start=2):
        if not any(values):
            continue
        if len(checked) == MAX_ROWS:
            raise ImportRefused(
                _("The file has more than %(max)s sites.")
                % {"max": number_format(MAX_ROWS, force_grouping=True)}
            )
        data = dict.fromkeys(COLUMNS, "")
        data.update({c: v for c, v in zip(columns, values, strict=False) if c})
        checked.append(_validate_row(project, number, data))
    if not checked:
        raise ImportRefused(_("The file has no site below the header."))
    return checked


# --- Writing -------------------------------------------------------------------------------


def neutralize(value: object) -> object:
    """Text a spreadsheet would run as a formula gets an apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _architecture_label(key: str) -> str:
    if key in ARCHITECTURES:
        return architecture_label(key)
    return _("No architecture fits these requirements")


def _result_rows(project: Project, sites: list[Site]) -> list[list[object]]:
    """The results as rows: the recommendation, each option, then the sizing figures."""
    sizing: ProjectSizing | None = size_project(project, sites)
    if sizing is None:
        return [[_("No site yet: the results need at least one.")]]
    if sizing.result is None:
        return [[str(error)] for error in sizing.errors]
    recommendation = sizing.result["recommendation"]
    rows: list[list[object]] = [
        [_("Recommendation"), _architecture_label(recommendation["architecture"])],
        *([_("Reason"), reason["message"]] for reason in recommendation["reasons"]),
    ]
    for key, option in recommendation["options"].items():
        fits = _("fits") if option["fits"] else _("does not fit")
        reasons = " ".join(reason["message"] for reason in option["reasons"])
        rows.append([_architecture_label(key), fits, "", reasons])
    mcs = sizing.result["mcs"]
    rows.extend([_("Blocker under TVox + MCS"), notice["message"]] for notice in mcs["blockers"])
    rows.extend([_("Warning under TVox + MCS"), notice["message"]] for notice in mcs["warnings"])
    rows.append([_("Figure"), _("Value"), _("Unit"), _("Why")])
    rows.extend([str(row.label), row.value, row.unit, row.why] for row in sizing.figures)
    return rows


def _inventory_rows(sites: list[Site]) -> list[list[object]]:
    return [[getattr(site, column) for column in COLUMNS] for site in sites]


def write_csv(sections: list[list[list[object]]]) -> str:
    """The sections one after the other, an empty row between them, with the BOM that
    Excel needs to read UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for index, section in enumerate(sections):
        if index:
            writer.writerow([])
        writer.writerows([neutralize(value) for value in row] for row in section)
    return buffer.getvalue()


def write_xlsx(sheets: list[tuple[str, list[list[object]]]]) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        for row in rows:
            sheet.append([neutralize(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_sheets(project: Project, sites: list[Site]) -> list[tuple[str, list[list[object]]]]:
    """The inventory and the results, as the export writes them."""
    return [
        (_("Sites"), [list(COLUMNS), *_inventory_rows(sites)]),
        (_("Results"), [[_("Results"), project.title], *_result_rows(project, sites)]),
    ]


def template_sheets() -> list[tuple[str, list[list[object]]]]:
    """The file to fill in: the columns and an example row."""
    return [(_("Sites"), [list(COLUMNS), list(EXAMPLE_ROW)])]
