"""Spreadsheets for the site import: a CSV or XLSX as a browser uploads it, the upload, and
the preview's confirmation token."""

from __future__ import annotations

import io
import re

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from configurator.models import Project

HEADER = (
    "name,address,connectivity,users,sip_phones,mobile_apps,web_clients,widgets,"
    "smart_working_webclient,smart_working_team"
)


def csv_file(*lines: str, name: str = "sites.csv", bom: bool = False) -> SimpleUploadedFile:
    text = "\r\n".join(lines) + "\r\n"
    data = ("\ufeff" if bom else "").encode() + text.encode("utf-8")
    return SimpleUploadedFile(name, data, content_type="text/csv")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client: Client, project: Project, file: SimpleUploadedFile) -> str:
    """Upload `file` to the project's import page; the preview page (status 200)."""
    response = client.post(reverse("sites_import", args=[project.pk]), {"file": file})
    assert response.status_code == 200
    return response.content.decode()


def token_of(page: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', page)
    assert match, "the preview has no confirm button"
    return match.group(1)
