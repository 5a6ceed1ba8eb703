"""The acceptance receipt: one page of PDF that records what the customer accepted, who,
when and from where, in the language of the link they accepted through.

Everything printed comes from the decision, its link and the accepted proposal's snapshot
(the organisation's brand as it was when the proposal was made, not as it is now), so the
receipt says the same thing whenever it is rendered. The PDF is made like the proposal's
(`reports.render.html_to_pdf`: PDF/A, tagged, fixed identifier, the restricted
`ProposalFetcher`), and its dates are the decision's: the same decision gives the same
bytes, so rendering it twice stores one file with one SHA-256.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from configurator.brand import DEFAULT_ACCENT, DEFAULT_PRIMARY, colour
from reports.render import ProposalFetcher, RenderedPDF, html_to_pdf
from reports.services import TransientFailure, is_transient, snapshot_logo

from .models import Decision, ReceiptStatus

logger = logging.getLogger(__name__)


def local_moment(moment: datetime | None) -> str:
    """A moment in the site's time zone, to the second, with the zone: evidence is read by
    people in other zones too, and a bare hour would be ambiguous."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{local:%Y-%m-%d %H:%M:%S} {local:%Z} ({timezone.get_current_timezone_name()})"


def receipt_context(decision: Decision) -> dict[str, Any]:
    """What the receipt prints, from the decision, its link and the proposal's snapshot."""
    snapshot = decision.proposal.snapshot
    brand = snapshot.get("organization", {})
    link = decision.link
    return {
        "decision": decision,
        "link": link,
        "brand": brand,
        "has_logo": bool(brand.get("logo")),
        "primary": colour(brand.get("primary_color"), DEFAULT_PRIMARY),
        "accent": colour(brand.get("accent_color"), DEFAULT_ACCENT),
        "project_title": snapshot.get("project", {}).get("title", ""),
        "customer_company": snapshot.get("customer", {}).get("company_name", ""),
        "decided_at": local_moment(decision.at),
        "link_created_at": local_moment(link.created_at),
        "link_expires_at": local_moment(link.expires_at),
        # For the PDF's metadata: the decision's moment, so the bytes do not change.
        "created_iso": decision.at.isoformat(timespec="seconds"),
    }


def receipt_html(decision: Decision) -> str:
    """The receipt as HTML, in the link's language (there is no request in a worker)."""
    with translation.override(decision.link.language):
        return render_to_string("reports/receipt.html", receipt_context(decision))


def render_receipt(decision: Decision, logo: bytes | None = None) -> RenderedPDF:
    """The receipt's PDF; WeasyPrint fetches only our static files and `logo`."""
    logo_info = decision.proposal.snapshot.get("organization", {}).get("logo") or {}
    fetcher = ProposalFetcher(logo=logo, logo_type=logo_info.get("content_type", ""))
    content = html_to_pdf(receipt_html(decision), fetcher)
    return RenderedPDF(content, hashlib.sha256(content).hexdigest(), tuple(fetcher.refused))


def mark_failed(decision: Decision, detail: str) -> None:
    decision.receipt_status = ReceiptStatus.FAILED
    decision.receipt_error = detail[:2000]
    decision.save(update_fields=["receipt_status", "receipt_error"])


def render_and_store(decision_id: int) -> str:
    """Render the accepted decision's receipt and store it at its deterministic key
    (overwritten: the same decision gives the same bytes, so a second run changes nothing);
    the receipt's status afterwards. Raises `TransientFailure` to be retried; any other
    failure marks the receipt failed with the reason."""
    decision = (
        Decision.objects.select_related("link", "proposal", "project")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None or not decision.is_accepted:
        return ReceiptStatus.NONE
    try:
        rendered = render_receipt(decision, snapshot_logo(decision.proposal.snapshot))
        key = decision.receipt_storage_key()
        stored = default_storage.save(key, ContentFile(rendered.content))
        if stored != key:  # a storage that renames instead of overwriting: not idempotent
            default_storage.delete(stored)
            raise RuntimeError(f"storage saved {stored!r} instead of {key!r}")
    except Exception as exc:
        if is_transient(exc):
            raise TransientFailure(repr(exc)) from exc
        logger.exception("receipt of decision %s failed", decision_id)
        mark_failed(decision, repr(exc))
        return ReceiptStatus.FAILED
    decision.receipt_status = ReceiptStatus.READY
    decision.receipt_key = key
    decision.receipt_sha256 = rendered.sha256
    decision.receipt_rendered_at = timezone.now()
    decision.receipt_error = ""
    decision.save(update_fields=sorted(Decision.RECEIPT_FIELDS))
    return ReceiptStatus.READY
