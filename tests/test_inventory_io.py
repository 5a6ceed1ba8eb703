"""Site inventory import (CSV, XLSX, with a preview and a confirmation) and export of the
inventory and the results; hostile files are refused before they are read."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from configurator import inventory_io
from configurator.models import Project, Site, User

from .factories import make_site
from .spreadsheets import HEADER, csv_file, token_of, upload, xlsx_bytes

GOOD_ROWS = [
    "Milano,Via Manzoni 12,mpls,100,80,20,30,1,5,2",
    "Roma,,VPN,10,5,0,2,0,0,0",
]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def confirm(client: Client, project: Project, token: str, mode: str = "append"):  # type: ignore[no-untyped-def]
    return client.post(reverse("sites_import", args=[project.pk]), {"token": token, "mode": mode})


# --- Reading good files ----------------------------------------------------------------------


def test_it_previews_a_csv_and_writes_nothing(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    page = upload(client, project, csv_file(HEADER, *GOOD_ROWS))
    assert "Milano" in page and "Via Manzoni 12" in page and "Roma" in page
    assert "2 sites are ready" in page
    assert 'name="token"' in page
    assert not project.sites.exists()
    project.refresh_from_db()
    assert project.revision == 1


def test_it_imports_a_csv_on_confirm_and_counts_a_revision(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    page = upload(client, project, csv_file(HEADER, *GOOD_ROWS))
    response = confirm(client, project, token_of(page))
    assert response.status_code == 302
    assert response["Location"] == reverse("project_sites", args=[project.pk])
    sites = list(project.sites.order_by("position"))
    assert [(s.name, s.address, s.connectivity, s.users, s.smart_working_team) for s in sites] == [
        ("Milano", "Via Manzoni 12", "mpls", 100, 2),
        ("Roma", "", "vpn", 10, 0),
    ]
    project.refresh_from_db()
    assert project.revision == 2
    page = client.get(response["Location"]).content.decode()
    assert "2 sites imported." in page


def test_it_reads_semicolons_a_bom_and_italian_headers(
    client: Client, alice: User, project: Project
) -> None:
    header = (
        "Nome;Indirizzo;Connettività;Utenti;Telefoni SIP;App mobili;Web client;Widget;"
        "Webclient smart working;TVoxTeam_Smartworking"
    )
    client.force_login(alice)
    page = upload(
        client,
        project,
        csv_file(header, "Torino;Corso Francia 1, Torino;LAN;7;6;5;4;3;2;1", bom=True),
    )
    confirm(client, project, token_of(page))
    site = project.sites.get()
    assert (site.name, site.address, site.connectivity) == (
        "Torino",
        "Corso Francia 1, Torino",
        "lan",
    )
    assert [getattr(site, f) for f in Site.COUNT_FIELDS] == [7, 6, 5, 4, 3, 2, 1]


def test_it_imports_an_xlsx(client: Client, alice: User, project: Project) -> None:
    data = xlsx_bytes(
        [
            HEADER.upper().split(","),
            ["Napoli", "Via Toledo 1", "Internet", 12, 0, 3, 4.0, 0, 1, 0],
        ]
    )
    client.force_login(alice)
    page = upload(client, project, SimpleUploadedFile("sites.xlsx", data, XLSX_TYPE))
    confirm(client, project, token_of(page))
    site = project.sites.get()
    assert (site.name, site.connectivity, site.users, site.web_clients) == (
        "Napoli",
        "internet",
        12,
        4,
    )


def test_append_keeps_the_current_sites_and_replace_removes_them(
    client: Client, alice: User, project: Project
) -> None:
    make_site(project, "Bergamo", position=0)
    client.force_login(alice)
    confirm(client, project, token_of(upload(client, project, csv_file(HEADER, GOOD_ROWS[0]))))
    assert list(project.sites.values_list("name", flat=True)) == ["Bergamo", "Milano"]

    page = upload(client, project, csv_file(HEADER, GOOD_ROWS[1]))
    confirm(client, project, token_of(page), mode="replace")
    assert list(project.sites.values_list("name", flat=True)) == ["Roma"]
    project.refresh_from_db()
    assert project.revision == 3


# --- Refusing bad rows -----------------------------------------------------------------------


def test_it_explains_every_bad_row_and_field_and_offers_no_confirm(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    page = upload(
        client,
        project,
        csv_file(
            HEADER,
            GOOD_ROWS[0],
            "Como,,lan,many,0,0,0,0,0,0",
            "Lecco,,lan,10,-3,0,0,0,0,0",
            "Pavia,,satellite,10,0,0,0,0,0,0",
            ",,lan,10,0,0",
        ),
    )
    assert "4 rows of 5 are refused" in page
    assert "Row 3, Users: Enter a whole number." in page
    assert "Row 4, SIP phones: Ensure this value is greater than or equal to 0." in page
    assert (
        "Row 5, Connectivity: Select a valid choice. satellite is not one of the available choices."
        in page
    )
    assert "Row 6, Site name: This field is required." in page
    assert "Row 6, Widgets: This field is required." in page
    assert "Row 2," not in page
    assert 'name="token"' not in page
    assert not project.sites.exists()


def test_a_missing_column_refuses_the_file(client: Client, alice: User, project: Project) -> None:
    header = HEADER.replace(",widgets", "")
    client.force_login(alice)
    page = upload(client, project, csv_file(header, "Como,,lan,1,0,0,0,0,0"))
    assert "Missing columns: widgets." in page
    assert 'name="token"' not in page


def test_an_unknown_column_refuses_the_file(client: Client, alice: User, project: Project) -> None:
    client.force_login(alice)
    page = upload(client, project, csv_file(HEADER + ",colour", GOOD_ROWS[0] + ",red"))
    assert "Unknown columns: colour." in page
    assert 'name="token"' not in page


def test_it_refuses_more_than_the_row_limit(
    client: Client, alice: User, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inventory_io, "MAX_ROWS", 1)
    client.force_login(alice)
    page = upload(client, project, csv_file(HEADER, *GOOD_ROWS))
    assert "The file has more than 1 sites." in page
    assert 'name="token"' not in page


# --- Confirming --------------------------------------------------------------------------------


def test_a_confirm_after_another_change_is_refused(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    page = upload(client, project, csv_file(HEADER, *GOOD_ROWS))
    make_site(project, "Bergamo")
    assert project.bump_revision(1)  # somebody saved meanwhile
    response = confirm(client, project, token_of(page))
    assert response.status_code == 409
    assertContains(response, "nothing was imported", status_code=409)
    assert list(project.sites.values_list("name", flat=True)) == ["Bergamo"]
    project.refresh_from_db()
    assert project.revision == 2


def test_a_token_is_used_once_and_never_invented(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    token = token_of(upload(client, project, csv_file(HEADER, GOOD_ROWS[0])))
    assert confirm(client, project, "made-up").status_code == 400
    assert not project.sites.exists()
    # The wrong token used up the preview too: the rows are gone from the session.
    assert confirm(client, project, token).status_code == 400
    token = token_of(upload(client, project, csv_file(HEADER, GOOD_ROWS[0])))
    assert confirm(client, project, token).status_code == 302
    assert confirm(client, project, token).status_code == 400
    assert project.sites.count() == 1


# --- Hostile files -----------------------------------------------------------------------------


def test_it_refuses_a_file_over_two_megabytes(
    client: Client, alice: User, project: Project
) -> None:
    filler = ",".join(["x"] * 10)
    data = (HEADER + "\n" + (filler + "\n") * 120_000).encode()
    assert len(data) > 2 * 1024 * 1024
    client.force_login(alice)
    page = upload(client, project, SimpleUploadedFile("big.csv", data, "text/csv"))
    assert "The file is larger than the limit of 2.0\xa0MB." in page
    assert 'name="token"' not in page


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("megabytes", [5, 30])
def test_it_refuses_a_zip_bomb_without_opening_it(
    client: Client,
    alice: User,
    project: Project,
    monkeypatch: pytest.MonkeyPatch,
    megabytes: int,
) -> None:
    def must_not_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("the bomb was parsed")

    monkeypatch.setattr(inventory_io.defused_etree, "iterparse", must_not_read)
    if megabytes > 20:  # the total alone must refuse it, whatever its ratio
        monkeypatch.setattr(inventory_io, "MAX_COMPRESSION_RATIO", 10**9)
    bomb = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"\0" * (megabytes * 1024 * 1024),
        }
    )
    assert len(bomb) < 2 * 1024 * 1024
    client.force_login(alice)
    page = upload(client, project, SimpleUploadedFile("sites.xlsx", bomb, XLSX_TYPE))
    assert "would unpack to far more than it weighs" in page
    assert not project.sites.exists()


def test_it_refuses_a_zip_that_is_not_a_workbook(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    page = upload(
        client, project, SimpleUploadedFile("sites.xlsx", _zip({"a.txt": b"hello"}), XLSX_TYPE)
    )
    assert "This file is not an XLSX workbook." in page


def test_it_refuses_a_non_zip_named_xlsx(client: Client, alice: User, project: Project) -> None:
    client.force_login(alice)
    data = "\n".join([HEADER, *GOOD_ROWS]).encode()
    page = upload(client, project, SimpleUploadedFile("sites.xlsx", data, XLSX_TYPE))
    assert "This file is not an XLSX workbook." in page
    assert 'name="token"' not in page


@pytest.mark.parametrize(
    "data",
    [bytes(range(256)) * 4, b"name,address\n\x00\x00\x00\x00", xlsx_bytes([HEADER.split(",")])],
    ids=["random-bytes", "nul-bytes", "xlsx-named-csv"],
)
def test_it_refuses_a_binary_csv(
    client: Client, alice: User, project: Project, data: bytes
) -> None:
    client.force_login(alice)
    page = upload(client, project, SimpleUploadedFile("sites.csv", data, "text/csv"))
    assert "This file is not a CSV text file in UTF-8." in page
    assert 'name="token"' not in page


def test_it_refuses_other_extensions(client: Client, alice: User, project: Project) -> None:
    client.force_login(alice)
    page = upload(client, project, SimpleUploadedFile("sites.xls", b"whatever"))
    assert "Upload a .csv or .xlsx file." in page


# --- Export ----------------------------------------------------------------------------------


FORMULA = '=HYPERLINK("http://evil.example","click")'


def _export(client: Client, project: Project, fmt: str):  # type: ignore[no-untyped-def]
    return client.get(reverse("sites_export", args=[project.pk, fmt]))


def test_the_csv_export_has_the_inventory_and_the_results(
    client: Client, alice: User, project: Project
) -> None:
    make_site(
        project, "Milano", address="Via Manzoni 12", users=100, mobile_apps=600, web_clients=401
    )
    client.force_login(alice)
    response = _export(client, project, "csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="sites-{project.pk}-three-hospitals.csv"'
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == HEADER.split(",")
    assert rows[1] == ["Milano", "Via Manzoni 12", "vpn", "100", "0", "600", "401", "0", "0", "0"]
    assert rows[2] == []
    assert rows[3] == ["Results", "Three hospitals"]
    labels = {row[0]: row[1:] for row in rows[4:] if row}
    assert labels["Recommendation"][0] in ("TVox Pure Cloud", "TVox + MCS", "Hybrid cloud")
    assert labels["MCS devices"][0] == "1001"
    assert labels["MCS instances"][0].isdigit()
    assert labels["Internet bandwidth"][1] == "Mbit/s"


def test_the_xlsx_export_has_a_sites_and_a_results_sheet(
    client: Client, alice: User, project: Project
) -> None:
    make_site(project, "Milano", users=100, mobile_apps=600, web_clients=401)
    client.force_login(alice)
    response = _export(client, project, "xlsx")
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"].endswith('-three-hospitals.xlsx"')
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Sites", "Results"]
    sites = list(workbook["Sites"].iter_rows(values_only=True))
    assert sites[0] == tuple(HEADER.split(","))
    assert sites[1] == ("Milano", None, "vpn", 100, 0, 600, 401, 0, 0, 0)
    results = {row[0]: row[1:] for row in workbook["Results"].iter_rows(values_only=True)}
    assert results["MCS devices"][0] == 1001
    assert results["Recommendation"][0] in ("TVox Pure Cloud", "TVox + MCS", "Hybrid cloud")


def test_the_export_neutralises_formulas_in_csv_and_xlsx(
    client: Client, alice: User, project: Project
) -> None:
    make_site(project, FORMULA, address="+39 02 1234", users=5)
    client.force_login(alice)
    text = _export(client, project, "csv").content.decode("utf-8").removeprefix("\ufeff")
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[:4] == ["'" + FORMULA, "'+39 02 1234", "vpn", "5"]

    content = _export(client, project, "xlsx").content
    sheet = openpyxl.load_workbook(io.BytesIO(content))["Sites"]
    assert sheet["A2"].value == "'" + FORMULA
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "'+39 02 1234"
    assert sheet["D2"].value == 5


def test_an_exported_xlsx_imports_back(client: Client, alice: User, project: Project) -> None:
    make_site(project, FORMULA, users=5)
    client.force_login(alice)
    content = _export(client, project, "xlsx").content
    page = upload(client, project, SimpleUploadedFile("back.xlsx", content, XLSX_TYPE))
    confirm(client, project, token_of(page), mode="replace")
    assert project.sites.get().name == FORMULA


def test_it_offers_no_other_export_format(client: Client, alice: User, project: Project) -> None:
    client.force_login(alice)
    assert _export(client, project, "pdf").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_has_the_header_and_an_example_that_imports(
    client: Client, alice: User, project: Project, fmt: str
) -> None:
    client.force_login(alice)
    response = client.get(reverse("sites_template", args=[fmt]))
    assert response["Content-Disposition"] == f'attachment; filename="sites-template.{fmt}"'
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode().removeprefix("\ufeff"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER.split(",")
    assert len(rows) == 2
    file = SimpleUploadedFile(f"template.{fmt}", response.content)
    confirm(client, project, token_of(upload(client, project, file)))
    assert project.sites.get().name == "Milano HQ"


# --- Access ----------------------------------------------------------------------------------


def test_the_import_is_for_editors_only(
    client: Client, alice: User, maria: User, bob: User, charlie: User, project: Project
) -> None:
    url = reverse("sites_import", args=[project.pk])
    client.force_login(alice)
    assert client.get(url).status_code == 200
    for user, status in ((maria, 403), (bob, 404), (charlie, 404)):
        client.force_login(user)
        assert client.get(url).status_code == status
        assert client.post(url, {"file": csv_file(HEADER, GOOD_ROWS[0])}).status_code == status
    assert not project.sites.exists()


def test_a_confirm_needs_edit_rights_too(
    client: Client, alice: User, maria: User, project: Project
) -> None:
    client.force_login(alice)
    token = token_of(upload(client, project, csv_file(HEADER, GOOD_ROWS[0])))
    client.force_login(maria)
    assert confirm(client, project, token).status_code == 403
    assert not project.sites.exists()


def test_the_export_is_for_whoever_sees_the_project(
    client: Client, alice: User, maria: User, bob: User, charlie: User, project: Project
) -> None:
    for user, status in ((alice, 200), (maria, 200), (bob, 404), (charlie, 404)):
        client.force_login(user)
        assert _export(client, project, "csv").status_code == status


def test_signing_in_is_needed_to_download_or_import(client: Client, project: Project) -> None:
    for url in (
        reverse("sites_template", args=["csv"]),
        reverse("sites_export", args=[project.pk, "csv"]),
        reverse("sites_import", args=[project.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_sites_page_links_import_only_for_editors(
    client: Client, alice: User, maria: User, project: Project
) -> None:
    client.force_login(alice)
    page = client.get(reverse("project_sites", args=[project.pk])).content.decode()
    assert reverse("sites_import", args=[project.pk]) in page
    assert reverse("sites_export", args=[project.pk, "xlsx"]) in page
    client.force_login(maria)
    page = client.get(reverse("project_sites", args=[project.pk])).content.decode()
    assert reverse("sites_import", args=[project.pk]) not in page
    assert reverse("sites_export", args=[project.pk, "csv"]) in page


LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol3;</t></si></sst>"""


def test_it_refuses_an_xml_bomb_inside_a_workbook(
    client: Client, alice: User, project: Project
) -> None:
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER.split(","), ["Milano"] * 10])))
    members = {info.filename: good.read(info) for info in good.infolist()}
    members["xl/sharedStrings.xml"] = LAUGHS
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    client.force_login(alice)
    page = upload(client, project, SimpleUploadedFile("sites.xlsx", _zip(members), XLSX_TYPE))
    assert "This workbook could not be read." in page
    assert not project.sites.exists()
