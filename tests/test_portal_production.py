"""The customer's journey in the production shape, for real: gunicorn serves the pages,
a Celery worker process sends the mails and renders the acceptance receipt, PostgreSQL
holds the records, Redis carries the tasks. Nothing is mocked.

The engineer creates a link for a proposal the worker rendered; the worker mails it (the
console backend prints it into the worker's log); the customer, with no session, opens
it in Italian, loads the page's assets (so the view counts), downloads the PDF and
accepts; the worker renders the receipt, which the customer downloads from the link and
the engineer from the project, byte for byte the same, naming the PDF's SHA-256.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tvox_test \
    REDIS_URL=redis://127.0.0.1:6379/5 uv run pytest tests/test_portal_production.py
"""

from __future__ import annotations

import hashlib
import io
import re
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from .production_support import (
    RENDER_WAIT,
    ZURICH,
    Browser,
    Shape,
    db_query,
    generate_through_http,
    prepared_site,  # noqa: F401 (a fixture, requested through getfixturevalue)
    production,
    require_production_shape,
    signed_in_browser,
)

pytestmark = pytest.mark.production_shape

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
TYPED = {"full_name": "Giulia Bianchi", "role": "CIO", "company": "Alpine Insurance AG"}


def fetch(browser: Browser, path: str) -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(browser.base + path)  # noqa: S310 (http only)
    with browser.opener.open(request, timeout=30) as answer:
        assert answer.status == 200
        return dict(answer.headers.items()), answer.read()


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"', page)
    assert match, "the page has no form"
    return match.group(1)


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"\s+value="([^"]*)"', page) or re.search(
        rf'value="([^"]*)"\s+name="{name}"', page
    )
    assert match, f"the page has no field {name}"
    return match.group(1)


def wait_for(shape: Shape, what: str, check: Any) -> Any:
    """Poll `check` until it gives something true, within RENDER_WAIT."""
    deadline = time.monotonic() + RENDER_WAIT
    while time.monotonic() < deadline:
        if shape.worker.poll() is not None:
            pytest.fail(f"the worker exited ({shape.worker.returncode}):\n" + shape.logs())
        found = check()
        if found:
            return found
        time.sleep(0.5)
    pytest.fail(f"{what} not done within {RENDER_WAIT}s:\n" + shape.logs())


def test_a_customer_accepts_through_gunicorn_and_the_worker_renders_the_receipt(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    require_production_shape()
    site = request.getfixturevalue("prepared_site")
    with production(site, tmp_path) as shape:
        downloaded = generate_through_http(shape, ZURICH, "en")
        project_id = downloaded.project_id

        # The engineer sends the rendered, approved proposal: the page shows the URL once.
        engineer = signed_in_browser(shape)
        proposals = f"/projects/{project_id}/proposal/"
        _status, _url, page = engineer.open(proposals)
        _status, landed, page = engineer.open(
            f"/projects/{project_id}/links/",
            {
                "csrfmiddlewaretoken": csrf_of(page),
                "proposal": str(downloaded.proposal_id),
                "recipient_name": TYPED["full_name"],
                "recipient_email": "giulia@cliente.example",
                "language": "it",
                "days": "30",
            },
        )
        assert landed == shape.base + proposals
        shown = re.search(r"https?://[^\s\"<]+/offer/([A-Za-z0-9_-]{20,})/", page)
        assert shown, "the page does not show the new link"
        token = shown.group(1)
        ((status,),) = db_query(
            shape.database_url, "SELECT status FROM configurator_project WHERE id = %s", project_id
        )
        assert status == "sent"

        # The worker mails it, in Italian, with the link in it.
        def link_mailed() -> bool:
            log = shape.worker_log.read_text()
            return "To: giulia@cliente.example" in log and f"/offer/{token}/" in log

        wait_for(shape, "the link's mail", link_mailed)

        # The customer, with no session, opens it in Italian and loads its assets.
        customer = Browser(shape.base)
        # A person's browser: a script's agent (Python-urllib) is not counted as a view.
        customer.opener.addheaders = [("User-Agent", FIREFOX)]
        status, _url, offer = customer.open(f"/offer/{token}/?lang=it")
        assert status == 200
        assert '<html lang="it">' in offer
        assert hidden(offer, "shown_sha256") == downloaded.sha256
        beacon = re.search(rf'href="(/offer/{token}/seen/[^"]+\.css)"', offer)
        assert beacon, "the page has no beacon among its assets"
        fetch(customer, beacon.group(1))
        headers, pdf = fetch(customer, f"/offer/{token}/pdf/")
        assert pdf == downloaded.pdf
        assert headers["Cache-Control"] == "private, no-store"
        assert headers["Referrer-Policy"] == "no-referrer"

        status, _url, done = customer.open(
            f"/offer/{token}/accept/",
            {**TYPED, "agree": "on", "shown_sha256": downloaded.sha256, "lang": "it"},
        )
        assert status == 200
        assert downloaded.sha256 in done

        # The worker renders the receipt; the customer and the engineer get the same file.
        def receipt_ready() -> tuple[Any, ...] | None:
            rows = db_query(
                shape.database_url,
                "SELECT id, receipt_status, receipt_sha256, proposal_sha256, outcome "
                "FROM portal_decision WHERE project_id = %s",
                project_id,
            )
            return rows[0] if rows and rows[0][1] == "ready" else None

        decision_id, _ready, receipt_sha256, proposal_sha256, outcome = wait_for(
            shape, "the receipt", receipt_ready
        )
        assert (outcome, proposal_sha256) == ("accepted", downloaded.sha256)
        _headers, receipt = fetch(customer, f"/offer/{token}/receipt/")
        assert hashlib.sha256(receipt).hexdigest() == receipt_sha256
        text = " ".join(
            " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(receipt)).pages
        )
        assert TYPED["full_name"] in text and TYPED["company"] in text, text[:1500]
        assert downloaded.sha256 in text.replace(" ", ""), text[:1500]
        _headers, again = fetch(engineer, f"/decisions/{decision_id}/receipt/")
        assert again == receipt

        ((status,),) = db_query(
            shape.database_url, "SELECT status FROM configurator_project WHERE id = %s", project_id
        )
        assert status == "accepted"
        # The view counted once (the beacon came back), the download was recorded.
        events = db_query(
            shape.database_url,
            "SELECT e.kind, e.counted FROM portal_linkevent e "
            "JOIN portal_customerlink l ON l.id = e.link_id WHERE l.project_id = %s "
            "ORDER BY e.id",
            project_id,
        )
        assert ("view", True) in events and ("download", True) in events, events

        # The engineer was told, by the worker, of the first view and of the acceptance.
        ((owner_email,),) = db_query(
            shape.database_url,
            "SELECT u.email FROM configurator_user u "
            "JOIN configurator_project p ON p.owner_id = u.id WHERE p.id = %s",
            project_id,
        )

        def notices_sent() -> bool:
            return shape.worker_log.read_text().count(f"To: {owner_email}") >= 2

        wait_for(shape, "the engineer's notices", notices_sent)
