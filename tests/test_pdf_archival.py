"""The proposal PDF as an archive and a screen reader need it: PDF/A-3b (the XMP
identification, an sRGB output intent, every font embedded), tagged (a structure tree of
headings, tables and figures), with its language, title and dates set from the snapshot, and
its text still extracted in reading order. Checked with pypdf and poppler's tools."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from defusedxml import ElementTree as SafeElementTree
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from configurator.models import Project
from reports.render import render_pdf
from reports.snapshot import build_snapshot

from .factories import add_sites

pytestmark = pytest.mark.usefixtures("sizing_table", "media_storage")

PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
XMP = "{http://ns.adobe.com/xap/1.0/}"
SECTIONS = {
    "en": [
        "Executive summary",
        "Comparison on the five dimensions",
        "Architectures",
        "Site inventory",
        "MCS sizing",
        "Licences and quantities",
        "Warnings, conflicts and assumptions",
        "Annex: prerequisites",
    ],
    "it": [
        "Sintesi",
        "Confronto sulle cinque dimensioni",
        "Architetture",
        "Inventario delle sedi",
        "Dimensionamento MCS",
        "Licenze e quantità",
        "Avvisi, conflitti e ipotesi",
        "Allegato: prerequisiti",
    ],
}
TITLE = {"en": "TVox architecture proposal", "it": "Proposta di architettura TVox"}


@pytest.fixture(params=["en", "it"])
def rendered(request: pytest.FixtureRequest, project: Project) -> tuple[bytes, dict[str, Any]]:
    snapshot = build_snapshot(add_sites(project), request.param, None)
    result = render_pdf(snapshot, None, 2)
    assert result.refused_urls == ()
    return result.content, snapshot


def poppler(tool: str, pdf: bytes, *options: str) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "proposal.pdf"
        path.write_bytes(pdf)
        return subprocess.run(
            [tool, *options, str(path), *(["-"] if tool == "pdftotext" else [])],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout


def catalog(pdf: bytes) -> DictionaryObject:
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"].get_object()
    assert isinstance(root, DictionaryObject)
    return root


def xmp(pdf: bytes) -> ElementTree.Element:
    stream = catalog(pdf)["/Metadata"].get_object()
    return SafeElementTree.fromstring(re.sub(rb"<\?xpacket[^>]*\?>", b"", stream.get_data()))


def attribute(metadata: ElementTree.Element, name: str) -> str | None:
    values = {element.get(name) for element in metadata.iter()} - {None}
    assert len(values) <= 1, (name, values)
    return values.pop() if values else None


def structure_types(node: Any, found: list[str]) -> list[str]:
    node = node.get_object()
    if isinstance(node, DictionaryObject):
        if "/S" in node:
            found.append(str(node["/S"]))
        if "/K" in node:
            structure_types(node["/K"], found)
    elif isinstance(node, list):
        for kid in node:
            structure_types(kid, found)
    return found


def test_it_is_identified_as_pdf_a_3b_with_an_srgb_output_intent(
    rendered: tuple[bytes, dict[str, Any]],
) -> None:
    pdf, _ = rendered
    assert pdf.startswith(b"%PDF-1.7")
    metadata = xmp(pdf)
    assert attribute(metadata, f"{PDFAID}part") == "3"
    assert attribute(metadata, f"{PDFAID}conformance") == "B"
    intents = catalog(pdf)["/OutputIntents"]
    assert len(intents) == 1
    intent = intents[0].get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object().get_data()
    assert profile[36:40] == b"acsp" and profile[16:20] == b"RGB "  # an ICC colour profile


def test_it_is_tagged_with_headings_tables_and_figures(
    rendered: tuple[bytes, dict[str, Any]],
) -> None:
    pdf, _ = rendered
    root = catalog(pdf)
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    types = structure_types(root["/StructTreeRoot"], [])
    for needed in ("/H1", "/H2", "/H3", "/P", "/Table", "/TR", "/TH", "/TD", "/Figure", "/L"):
        assert needed in types, f"no {needed} in the structure tree"
    assert types.count("/H2") == len(SECTIONS["en"])
    assert "Tagged:          yes" in poppler("pdfinfo", pdf)


def test_its_language_title_and_dates_come_from_the_snapshot(
    rendered: tuple[bytes, dict[str, Any]],
) -> None:
    pdf, snapshot = rendered
    language = snapshot["language"]
    assert catalog(pdf)["/Lang"] == language
    info = PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None
    # Not approved (no record in this snapshot): the title says so too, as every page does.
    draft = {"en": "Draft – not approved", "it": "Bozza – non approvata"}[language]
    assert info.title == f"{TITLE[language]} · Ospedale San Luca S.p.A. · {draft}"
    generated = datetime.fromisoformat(snapshot["generated_at"])
    assert info.creation_date == info.modification_date == generated
    metadata = xmp(pdf)
    titles = [element.text for element in metadata.iter() if element.tag.endswith("}li")]
    assert info.title in titles
    created = [element.text for element in metadata.iter(f"{XMP}CreateDate")]
    assert created == [snapshot["generated_at"]]


def test_every_font_is_embedded(rendered: tuple[bytes, dict[str, Any]]) -> None:
    pdf, _ = rendered
    lines = poppler("pdffonts", pdf).splitlines()[2:]
    assert lines, "no font listed"
    for line in lines:
        # name type encoding emb sub uni object ID: "emb" is the 4th column from the end.
        assert line.split()[-5] == "yes", line


def test_the_text_still_extracts_in_reading_order(rendered: tuple[bytes, dict[str, Any]]) -> None:
    pdf, snapshot = rendered
    text = re.sub(r"\s+", " ", poppler("pdftotext", pdf))
    position = 0
    for title in SECTIONS[snapshot["language"]]:
        # Each section's heading comes after the previous section's (its name in the running
        # header of the page before does not count: it is searched from where the last ended).
        found = text.find(f"{title} ", position)
        assert found >= 0, f"{title!r} missing or out of order"
        position = found + len(title)
    summary = text[text.find(SECTIONS[snapshot["language"]][0]) :]
    verdict = {"en": "We recommend TVox Pure Cloud", "it": "Consigliamo TVox Pure Cloud"}
    assert verdict[snapshot["language"]] in summary[:200]
