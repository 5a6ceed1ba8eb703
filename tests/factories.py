"""Small builders for test data that show the fields that matter."""

from __future__ import annotations

import struct
import zlib

from configurator.models import Customer, Organization, Project, ProjectStatus, Role, User

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
