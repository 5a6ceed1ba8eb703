"""The branding page: only an organisation's administrator changes its branding, only
its own; the logo is accepted by its content and served back to the organisation only."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from configurator.models import Organization, Role, User

from .factories import branding_data, field_errors, make_user, png, signed_in, stored_files

pytestmark = pytest.mark.usefixtures("media_storage")

SVG_LOGO = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b'<rect width="10" height="10" fill="#0B3D5C"/></svg>'
)
HOSTILE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
    b"<script>alert(document.cookie)</script></svg>"
)


@pytest.fixture
def carl(other_org: Organization) -> User:
    """The administrator of the other organisation."""
    return make_user(other_org, "carl", Role.ADMINISTRATOR)


def test_it_shows_the_branding_form_to_the_administrator(adam: User) -> None:
    response = signed_in(adam).get(reverse("organization_branding"))
    page = response.content.decode()
    assert response.status_code == 200
    assertContains(response, 'enctype="multipart/form-data"')
    assertContains(response, 'name="logo"')
    assertContains(response, 'name="legal_footer"')
    assertContains(response, '<rect x="0.5" y="0.5" width="39" height="19" rx="4" fill="#0B3D5C"')
    assertContains(response, 'fill="#E8792B"')
    assertContains(response, "No logo has been uploaded yet.")
    assert "style=" not in page.split('<main id="main"')[1]


@pytest.mark.parametrize("persona", ["alice", "maria"])
def test_it_refuses_other_roles_to_see_or_change_the_branding(
    request: pytest.FixtureRequest, persona: str, org: Organization, media_storage: Path
) -> None:
    user: User = request.getfixturevalue(persona)
    client = signed_in(user)
    before = org.brand_snapshot()

    assert client.get(reverse("organization_branding")).status_code == 403
    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    response = client.post(reverse("organization_branding"), branding_data(logo=logo))

    assert response.status_code == 403
    org.refresh_from_db()
    assert org.brand_snapshot() == before
    assert stored_files(media_storage) == []


def test_it_asks_anonymous_visitors_to_sign_in(client: Client, org: Organization) -> None:
    for name in ("organization_branding", "organization_logo"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_it_saves_colours_company_details_and_legal_footer(adam: User, org: Organization) -> None:
    client = signed_in(adam)
    response = client.post(reverse("organization_branding"), branding_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("organization_branding")
    org.refresh_from_db()
    assert org.brand_snapshot() == {
        "name": "Partner One S.r.l.",
        "legal_name": "Partner One Società a responsabilità limitata",
        "address": "Via Roma 1, 20100 Milano",
        "vat_number": "01234567897",
        "phone": "+39 02 1234567",
        "email": "info@partner-one.example",
        "website": "https://partner-one.example",
        "primary_color": "#112233",
        "accent_color": "#AABBCC",
        "legal_footer": "Capitale sociale € 10.000 i.v. — REA MI-123456",
        "logo": None,
    }
    page = client.get(response["Location"]).content.decode()
    assert "Branding saved." in page
    assert 'fill="#112233"' in page and 'fill="#AABBCC"' in page


def test_it_stores_a_png_logo_and_serves_it_back(
    adam: User, org: Organization, media_storage: Path
) -> None:
    client = signed_in(adam)
    image = png()
    logo = SimpleUploadedFile("logo.png", image, content_type="image/png")
    response = client.post(reverse("organization_branding"), branding_data(logo=logo))

    assert response.status_code == 302
    org.refresh_from_db()
    assert org.logo_content_type == "image/png"
    assert org.brand_snapshot()["logo"]["key"] == org.logo.name
    assert stored_files(media_storage) == [media_storage / org.logo.name]

    served = client.get(reverse("organization_logo"))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == image
    page = client.get(reverse("organization_branding")).content.decode()
    assert f'<img src="{reverse("organization_logo")}"' in page
    assert "No logo has been uploaded yet." not in page


def test_it_serves_an_svg_logo_under_a_policy_that_runs_nothing(
    adam: User, org: Organization
) -> None:
    client = signed_in(adam)
    logo = SimpleUploadedFile("logo.svg", SVG_LOGO, content_type="image/svg+xml")
    client.post(reverse("organization_branding"), branding_data(logo=logo))

    served = client.get(reverse("organization_logo"))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/svg+xml"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert b"".join(served.streaming_content) == SVG_LOGO


def test_members_of_the_organisation_see_its_logo(
    adam: User, alice: User, org: Organization
) -> None:
    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    signed_in(adam).post(reverse("organization_branding"), branding_data(logo=logo))

    served = signed_in(alice).get(reverse("organization_logo"))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"


def test_it_answers_404_for_the_logo_when_there_is_none(adam: User) -> None:
    assert signed_in(adam).get(reverse("organization_logo")).status_code == 404


def test_it_removes_the_logo(adam: User, org: Organization) -> None:
    client = signed_in(adam)
    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    client.post(reverse("organization_branding"), branding_data(logo=logo))

    org.refresh_from_db()
    response = client.post(
        reverse("organization_branding"),
        branding_data(remove_logo="on", revision=str(org.branding_revision)),
    )

    assert response.status_code == 302
    org.refresh_from_db()
    assert org.brand_snapshot()["logo"] is None
    assert client.get(reverse("organization_logo")).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("logo.svg", HOSTILE_SVG, "The SVG image must not contain scripts."),
        ("logo.png", b"GIF89a not a png at all", "The logo must be a PNG or SVG image."),
        ("logo.png", SVG_LOGO, "The file is named .png but its content is a SVG image."),
        ("logo.png", png()[:40], "The PNG image is damaged or incomplete."),
    ],
)
def test_it_refuses_a_bad_logo_next_to_the_field_and_changes_nothing(
    adam: User,
    org: Organization,
    media_storage: Path,
    name: str,
    content: bytes,
    message: str,
) -> None:
    before = org.brand_snapshot()
    logo = SimpleUploadedFile(name, content, content_type="image/png")
    response = signed_in(adam).post(reverse("organization_branding"), branding_data(logo=logo))

    assert response.status_code == 200
    assert message in field_errors(response, "logo")
    org.refresh_from_db()
    assert org.brand_snapshot() == before
    assert stored_files(media_storage) == []


@pytest.mark.parametrize("colour", ["red", "#12345", "#12345G"])
def test_it_refuses_a_bad_colour_next_to_the_field_and_changes_nothing(
    adam: User, org: Organization, colour: str
) -> None:
    before = org.brand_snapshot()
    response = signed_in(adam).post(
        reverse("organization_branding"), branding_data(primary_color=colour)
    )

    assert response.status_code == 200
    assert "Enter a colour as #RRGGBB" in field_errors(response, "primary_color")
    assert field_errors(response, "accent_color") == ""
    # The swatch shows what is stored, not the refused value.
    assertContains(response, 'fill="#0B3D5C"')
    org.refresh_from_db()
    assert org.brand_snapshot() == before


def test_another_organisations_administrator_changes_only_his_own(
    adam: User, carl: User, org: Organization, other_org: Organization
) -> None:
    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    signed_in(adam).post(reverse("organization_branding"), branding_data(logo=logo))
    org.refresh_from_db()
    adams_brand = org.brand_snapshot()
    client = signed_in(carl)

    page = client.get(reverse("organization_branding")).content.decode()
    assert "Partner Two S.r.l." in page
    assert "Partner One" not in page
    assert "No logo has been uploaded yet." in page
    assert client.get(reverse("organization_logo")).status_code == 404

    response = client.post(
        reverse("organization_branding"), branding_data(legal_name="Partner Two S.p.A.")
    )
    assert response.status_code == 302
    other_org.refresh_from_db()
    assert other_org.legal_name == "Partner Two S.p.A."
    assert other_org.primary_color == "#112233"
    org.refresh_from_db()
    assert org.brand_snapshot() == adams_brand


def test_the_branding_link_is_shown_to_administrators_only(
    adam: User, alice: User, maria: User
) -> None:
    link = f'href="{reverse("organization_branding")}"'
    assert link in signed_in(adam).get(reverse("project_list")).content.decode()
    for user in (alice, maria):
        assert link not in signed_in(user).get(reverse("project_list")).content.decode()


# --- Two administrators at once: the second save does not overwrite the first --------------

BRANDING_CONFLICT = "saved the branding while you were editing it"


@pytest.fixture
def ada(org: Organization) -> User:
    """A second administrator of adam's organisation."""
    return make_user(org, "ada", Role.ADMINISTRATOR)


def posted_revision(response: Any) -> str:
    found = re.search(
        r'<input type="hidden" name="revision" value="(\d*)"', response.content.decode()
    )
    assert found, "the page carries no revision"
    return found.group(1)


def test_the_page_carries_the_revision_it_was_read_at(adam: User, org: Organization) -> None:
    client = signed_in(adam)
    assert posted_revision(client.get(reverse("organization_branding"))) == "1"
    client.post(reverse("organization_branding"), branding_data())
    assert posted_revision(client.get(reverse("organization_branding"))) == "2"


def test_a_save_at_the_current_revision_is_saved_and_counted(adam: User, org: Organization) -> None:
    response = signed_in(adam).post(
        reverse("organization_branding"), branding_data(legal_name="Partner One S.p.A.")
    )

    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.legal_name, org.branding_revision) == ("Partner One S.p.A.", 2)


def test_the_second_of_two_administrators_gets_the_conflict_page_and_overwrites_nothing(
    adam: User, ada: User, org: Organization, media_storage: Path
) -> None:
    adams, adas = signed_in(adam), signed_in(ada)
    read_by_ada = posted_revision(adas.get(reverse("organization_branding")))
    first = adams.post(reverse("organization_branding"), branding_data(legal_name="Adam's name"))
    assert first.status_code == 302
    org.refresh_from_db()
    saved_by_adam = org.brand_snapshot()
    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")

    response = adas.post(
        reverse("organization_branding"),
        branding_data(
            legal_name="Ada's name", primary_color="#445566", logo=logo, revision=read_by_ada
        ),
    )

    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    assert BRANDING_CONFLICT in page
    assert 'value="Ada\'s name"' in page  # what she typed is still in the form
    assert "Adam's name" in page  # the saved values beside it
    assert posted_revision(response) == "2"
    org.refresh_from_db()
    assert org.brand_snapshot() == saved_by_adam
    assert org.branding_revision == 2
    assert stored_files(media_storage) == []


@pytest.mark.parametrize(
    "revision",
    [None, "", "abc", "0", "-1", "9" * 30, "2"],
    ids=["missing", "empty", "not a number", "zero", "negative", "too long", "ahead"],
)
def test_a_save_without_the_current_revision_gets_the_conflict_page_and_changes_nothing(
    adam: User, org: Organization, revision: str | None
) -> None:
    data = branding_data(legal_name="Typed without a revision")
    if revision is None:
        del data["revision"]
    else:
        data["revision"] = revision
    before = org.brand_snapshot()

    response = signed_in(adam).post(reverse("organization_branding"), data)

    assert response.status_code == 409
    assert BRANDING_CONFLICT in html.unescape(response.content.decode())
    org.refresh_from_db()
    assert org.brand_snapshot() == before
    assert org.branding_revision == 1


def test_saving_again_from_the_conflict_page_is_a_choice_that_saves(
    adam: User, org: Organization
) -> None:
    client = signed_in(adam)
    client.post(reverse("organization_branding"), branding_data())
    conflict = client.post(reverse("organization_branding"), branding_data(legal_name="Again"))
    assert conflict.status_code == 409

    again = client.post(
        reverse("organization_branding"),
        branding_data(legal_name="Again", revision=posted_revision(conflict)),
    )

    assert again.status_code == 302
    org.refresh_from_db()
    assert (org.legal_name, org.branding_revision) == ("Again", 3)


def test_a_change_in_the_admin_is_a_branding_save_that_a_stale_page_cannot_overwrite(
    adam: User, ada: User, org: Organization
) -> None:
    """The organisation's brand fields are also editable in /admin/: a change there counts
    as a branding save, so a branding page read before it gets the conflict page."""
    admin = signed_in(ada)
    change_url = reverse("admin:configurator_organization_change", args=[org.pk])
    page = admin.get(change_url)
    assert page.status_code == 200
    fields = {
        name: value
        for name, value in page.context["adminform"].form.initial.items()
        if value is not None and name in page.context["adminform"].form.fields
    }
    response = admin.post(change_url, {**fields, "legal_name": "Changed by Telenia"})
    assert response.status_code == 302, response.content.decode()[:2000]
    org.refresh_from_db()
    assert (org.legal_name, org.branding_revision) == ("Changed by Telenia", 2)

    stale = signed_in(adam).post(reverse("organization_branding"), branding_data())
    assert stale.status_code == 409
    org.refresh_from_db()
    assert org.legal_name == "Changed by Telenia"
