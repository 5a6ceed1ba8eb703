"""Small builders for test data that show the fields that matter."""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.test import Client
from django.utils import timezone

from configurator.models import (
    Customer,
    Organization,
    Project,
    ProjectStatus,
    Role,
    Site,
    User,
)
from sizing.models import SizingTableVersion, SizingTier

PASSWORD = "correct-horse-battery-42"


def make_user(org: Organization, username: str, role: str = Role.SALES_ENGINEER) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@example.com",
        organization=org,
        role=role,
        first_name=username.capitalize(),
        is_staff=role == Role.ADMINISTRATOR,
    )
    return user


def make_customer(
    org: Organization, creator: User, name: str = "Acme S.p.A.", **fields: object
) -> Customer:
    return Customer.objects.create(
        organization=org, created_by=creator, company_name=name, **fields
    )


def make_project(
    owner: User,
    customer: Customer | None = None,
    title: str = "Contact centre",
    status: str = ProjectStatus.DRAFT,
) -> Project:
    customer = customer or make_customer(owner.organization, owner)
    return Project.objects.create(
        organization=owner.organization,
        customer=customer,
        owner=owner,
        title=title,
        status=status,
    )


def make_site(
    project: Project, name: str = "Bergamo", connectivity: str = "vpn", **fields: object
) -> Site:
    return Site.objects.create(project=project, name=name, connectivity=connectivity, **fields)


def add_sites(project: Project, count: int = 3) -> Project:
    """Milano and Bergamo on MPLS, Lodi on the internet only (R2), then more on VPN."""
    base = [("Milano", "mpls", 300), ("Bergamo", "mpls", 120), ("Lodi", "internet", 40)]
    rows = base[:count] + [(f"Filiale {n:03d}", "vpn", 7) for n in range(count - len(base))]
    Site.objects.bulk_create(
        Site(project=project, name=name, connectivity=link, sip_phones=4, mobile_apps=apps)
        for name, link, apps in rows
    )
    return project


def signed_in(user: User, **client_options: object) -> Client:
    """A client of its own, signed in as `user` (`client_options` go to Client)."""
    client = Client(**client_options)
    client.force_login(user)
    return client


def site_data(prefix: str, revision: int, **changes: str) -> dict[str, str]:
    """The site form's fields under `prefix` ("new" or "site-<pk>"), valid as given."""
    data = {
        "name": "Milano",
        "address": "Via Manzoni 12",
        "connectivity": "mpls",
        "users": "100",
        "sip_phones": "80",
        "mobile_apps": "20",
        "web_clients": "30",
        "widgets": "1",
        "smart_working_webclient": "5",
        "smart_working_team": "2",
        "revision": str(revision),
    }
    data.update(changes)
    return {f"{prefix}-{key}": value for key, value in data.items()}


def project_edit_data(project: Project, **changes: str) -> dict[str, str]:
    """The project form's fields as the edit page fills them in, with `changes`."""
    data = {
        "customer": str(project.customer_id),
        "title": project.title,
        "status": project.status,
        "description": project.description,
        "revision": str(project.revision),
    }
    data.update(changes)
    return data


def branding_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "primary_color": "#112233",
        "accent_color": "#aabbcc",
        "legal_name": "Partner One Società a responsabilità limitata",
        "vat_number": "01234567897",
        "address": "Via Roma 1, 20100 Milano",
        "phone": "+39 02 1234567",
        "email": "info@partner-one.example",
        "website": "https://partner-one.example",
        "legal_footer": "Capitale sociale € 10.000 i.v. — REA MI-123456",
        "revision": "1",  # what a new organisation's page carries
    }
    data.update(changes)
    return data


def field_errors(response: Any, field: str) -> str:
    """The error text shown next to a field ('' when there is none)."""
    found = re.search(
        rf'<div class="errors" id="id_{field}_error">(.*?)</div>',
        response.content.decode(),
        re.DOTALL,
    )
    return found.group(1) if found else ""


def stored_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


def png(width: int = 2, height: int = 2, rgb: tuple[int, int, int] = (0x0B, 0x3D, 0x5C)) -> bytes:
    """A valid RGB PNG of one colour, built by hand (a logo for the tests)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        checksum = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def visible_name(text: str) -> bool:
    """A name a person could have typed: not blank, no invisible character (the rule of
    every text field and of the sizing API's names)."""
    from sizing.invisible_characters import first_invisible

    return bool(text.strip()) and first_invisible(text) is None


# --- Reading a page ---------------------------------------------------------------------

VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


@dataclass
class Element:
    """An HTML element of a page, as the stdlib parser read it."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        """The element's text, whitespace collapsed as a browser shows it."""
        parts = [c if isinstance(c, str) else c.text for c in self.children]
        return " ".join(" ".join(parts).split())

    def find_all(self, tag: str, cls: str | None = None) -> list[Element]:
        """Elements below this one with `tag` (and the class `cls`), in document order."""
        found = []
        for child in self.children:
            if isinstance(child, Element):
                if child.tag == tag and (cls is None or cls in child.classes):
                    found.append(child)
                found += child.find_all(tag, cls)
        return found

    def find(self, tag: str, cls: str | None = None) -> Element:
        """The one element below this one with `tag` (and `cls`); fails unless exactly one."""
        found = self.find_all(tag, cls)
        assert len(found) == 1, f"{len(found)} <{tag} class={cls!r}> elements"
        return found[0]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.open[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching open element (tolerates an unclosed <p> or <li>).
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.open[-1].children.append(data)


def parse_html(page: str | bytes) -> Element:
    """The page as a tree of elements (stdlib html.parser; no CSS selectors, no library)."""
    builder = _TreeBuilder()
    builder.feed(page.decode() if isinstance(page, bytes) else page)
    builder.close()
    return builder.root


def rules_cited(text: str) -> set[str]:
    """The rule numbers in the parentheses a sentence ends with: "... (Q1, R4)." → {Q1, R4}."""
    match = re.search(r"\(([^()]*)\)\.?\s*$", text)
    return set(re.findall(r"\b[A-Z]\d+\b", match.group(1))) if match else set()


def newer_sizing_table(**first_tier: int) -> SizingTableVersion:
    """A copy of the sizing table in effect, in effect from today as a new version, with
    values of its first tier changed (`min_bandwidth_mbps=600`)."""
    base = SizingTableVersion.objects.in_effect()
    assert base is not None, "no sizing table in effect: use the sizing_table fixture"
    fields = {
        f.name: getattr(base, f.name)
        for f in SizingTableVersion._meta.concrete_fields
        if f.name not in ("id", "version", "created_at")
    }
    version = SizingTableVersion.objects.create(
        **{**fields, "effective_date": timezone.localdate()}
    )
    for index, tier in enumerate(base.tiers.all()):
        values = {
            f.name: getattr(tier, f.name)
            for f in SizingTier._meta.concrete_fields
            if f.name not in ("id", "table")
        }
        SizingTier.objects.create(table=version, **{**values, **(first_tier if index == 0 else {})})
    return version


def approved_project_with_proposal(
    owner: User, reviewer: User, language: str = "it", *, project: Project | None = None
) -> Any:
    """A proposal (of `owner`'s project, with sites) of a revision `reviewer` approved, as
    its rendering leaves it: a small PDF in the file store, READY, with its SHA-256. The
    approval is recorded as review.workflow.approve records it (its transition, then the
    status). Returns the proposal; its project is `proposal.project`."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from reports.models import ProposalStatus
    from reports.snapshot import create_proposal
    from review.models import Action, Transition

    project = project or add_sites(make_project(owner))
    Transition.objects.create(
        project=project,
        action=Action.APPROVE,
        from_status=ProjectStatus.IN_REVIEW,
        to_status=ProjectStatus.APPROVED,
        revision=project.revision,
        actor=reviewer,
    )
    Project.objects.filter(pk=project.pk).update(status=ProjectStatus.APPROVED)
    project.refresh_from_db()
    proposal = create_proposal(project, language, owner)
    content = b"%PDF-1.7\n% the offer\n%%EOF\n"
    proposal.pdf_key = default_storage.save(
        f"proposals/test-{proposal.pk}.pdf", ContentFile(content)
    )
    proposal.status = ProposalStatus.READY
    proposal.sha256 = hashlib.sha256(content).hexdigest()
    proposal.save(update_fields=["status", "sha256", "pdf_key", "updated_at"])
    return proposal
