"""What a reader sees of a code, a share or a date, in Italian and English: every choice by
its label (never "vmware" or "internet"), a share as a percentage, numbers and dates as the
reader's language writes them, on the pages and in the PDF's context."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from configurator.models import Project, User
from configurator.templatetags.listing import attr_display
from reports.context import proposal_context
from reports.snapshot import build_snapshot

from .factories import make_site, signed_in
from .spreadsheets import HEADER, csv_file, upload

pytestmark = pytest.mark.usefixtures("sizing_table")

HYPERVISOR = {"en": "VMware ESXi / vSphere", "it": "VMware ESXi / vSphere"}
UNSUPPORTED = {
    "en": "KVM / Proxmox (not supported, R8)",
    "it": "KVM / Proxmox (non supportato, R8)",
}
INTERNET_ONLY = {"en": "Internet only", "it": "Solo internet"}


def reader(user: User, language: str) -> Client:
    client = signed_in(user)
    client.cookies["django_language"] = language
    return client


def cells(page: str) -> list[str]:
    """The text of every table cell and description of a page."""
    return [
        re.sub(r"<[^>]+>|[ \t\r\n]+", " ", cell).strip()
        for cell in re.findall(r"<(?:td|dd)[^>]*>(.*?)</(?:td|dd)>", page, re.S)
    ]


@pytest.fixture
def answered(project: Project) -> Project:
    project.hypervisor = "vmware"
    project.concurrency = Decimal("1")
    project.save()
    make_site(project, "Milano", "mpls", sip_phones=40, mobile_apps=300)
    make_site(project, "Lodi", "internet", sip_phones=4, mobile_apps=10)
    return project


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_project_page_names_the_hypervisor_and_writes_the_share_as_a_percentage(
    answered: Project, alice: User, language: str
) -> None:
    page = reader(alice, language).get(reverse("project_detail", args=[answered.pk])).content
    shown = cells(page.decode())
    assert HYPERVISOR[language] in shown
    assert "vmware" not in shown
    assert "100\u00a0%" in shown


@pytest.mark.parametrize("language", ["en", "it"])
def test_a_hypervisor_the_form_marks_unsupported_is_named_too(
    answered: Project, alice: User, language: str
) -> None:
    answered.hypervisor = "kvm"
    answered.concurrency = Decimal("0.305")
    answered.save()
    page = reader(alice, language).get(reverse("project_detail", args=[answered.pk])).content
    shown = cells(page.decode())
    assert UNSUPPORTED[language] in shown
    assert ("30,5\u00a0%" if language == "it" else "30.5\u00a0%") in shown


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_import_preview_names_the_connectivity(
    project: Project, alice: User, language: str
) -> None:
    client = reader(alice, language)
    lines = (HEADER, "Milano,,internet,1,1,0,0,0,0,0", "Roma,,VPN,1,1,0,0,0,0,0")
    shown = cells(upload(client, project, csv_file(*lines)))
    assert INTERNET_ONLY[language] in shown
    assert "VPN" in shown
    assert "internet" not in shown


def test_the_import_preview_keeps_an_unknown_connectivity_as_typed(
    project: Project, alice: User
) -> None:
    lines = (HEADER, "Milano,,satellite,1,1,0,0,0,0,0")
    shown = cells(upload(reader(alice, "en"), project, csv_file(*lines)))
    assert "satellite" in shown


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_pdf_names_the_hypervisor_the_connectivity_and_the_share(
    answered: Project, language: str
) -> None:
    snapshot = build_snapshot(answered, language, None)
    with translation.override(language):
        context = proposal_context(snapshot)
    assert context["hypervisor"] == HYPERVISOR[language]
    assert context["concurrency"] == "100\u00a0%"
    assert [row["connectivity"] for row in context["sites"]["rows"]] == [
        "MPLS",
        INTERNET_ONLY[language],
    ]
    assert "100\u00a0%" in [figure["value"] for figure in context["mcs"]["totals"]]


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_questionnaires_conflict_view_names_the_saved_answers(
    answered: Project, language: str
) -> None:
    with translation.override(language):
        assert attr_display(answered, "hypervisor") == HYPERVISOR[language]
        assert attr_display(answered, "concurrency") == "100\u00a0%"


# --- Dates as the language writes them ------------------------------------------------------

DATES = {
    "en": ("3 Dec 2026", "1 Mar 2026, 09:05"),
    "it": ("3 dicembre 2026", "1 marzo 2026, 09:05"),
}


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_project_page_writes_dates_as_the_language_does(
    answered: Project, alice: User, language: str
) -> None:
    saved = datetime(2026, 3, 1, 8, 5, tzinfo=UTC)  # 09:05 in Rome
    Project.objects.filter(pk=answered.pk).update(created_at=saved, updated_at=saved)
    page = reader(alice, language).get(reverse("project_detail", args=[answered.pk])).content
    assert cells(page.decode()).count(DATES[language][1]) == 2


@pytest.mark.parametrize("language", ["en", "it"])
def test_the_pdf_writes_its_date_as_the_language_does(answered: Project, language: str) -> None:
    snapshot = build_snapshot(answered, language, None)
    snapshot["generated_at"] = "2026-12-03T10:00:00+00:00"
    with translation.override(language):
        context = proposal_context(snapshot)
    assert context["generated"] == DATES[language][0]
    table_date = context["table_date"]
    assert not table_date.startswith("0")
    assert language == "en" or table_date == table_date.lower()
