from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from configurator.forms import italian_vat_is_valid, normalize_vat
from configurator.models import Customer, User


def _data(**changes: str) -> dict[str, str]:
    data = {
        "company_name": "Logistica Adriatica S.r.l.",
        "vat_number": "IT 123 456 789 03",
        "country": "IT",
        "preferred_language": "it",
        "contact_name": "Paolo Conti",
        "contact_email": "p.conti@example.it",
        "contact_phone": "+39 02 1234567",
    }
    data.update(changes)
    return data


def test_it_creates_a_customer_in_the_users_organisation(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(reverse("customer_create"), _data())
    customer = Customer.objects.get()
    assert response.status_code == 302
    assert customer.organization == alice.organization
    assert customer.created_by == alice
    assert customer.vat_number == "12345678903"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("company_name", "  "),
        ("vat_number", "12345678901"),  # wrong check digit
        ("vat_number", "1234"),
        ("contact_email", "not-an-email"),
        ("country", "XX"),
        ("preferred_language", "fr"),
    ],
)
def test_it_shows_the_message_next_to_a_bad_field(
    client: Client, alice: User, field: str, value: str
) -> None:
    client.force_login(alice)
    response = client.post(reverse("customer_create"), _data(**{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assertContains(response, f'id="id_{field}_error"')
    assert not Customer.objects.exists()


def test_it_refuses_a_duplicate_vat_number_in_the_organisation(
    client: Client, alice: User, customer: Customer
) -> None:
    client.force_login(alice)
    response = client.post(reverse("customer_create"), _data(vat_number="IT01234567897"))
    assert "vat_number" in response.context["form"].errors
    assert Customer.objects.count() == 1


def test_it_allows_the_same_vat_number_in_another_organisation(
    client: Client, charlie: User, customer: Customer
) -> None:
    client.force_login(charlie)
    response = client.post(reverse("customer_create"), _data(vat_number="01234567897"))
    assert response.status_code == 302
    assert Customer.objects.filter(vat_number="01234567897").count() == 2


def test_it_accepts_a_foreign_vat_number(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("customer_create"), _data(country="CH", vat_number="CHE-123.456.789")
    )
    assert response.status_code == 302
    assert Customer.objects.get().vat_number == "CHE123456789"


def test_it_searches_customers(client: Client, alice: User, customer: Customer) -> None:
    client.force_login(alice)
    found = client.get(reverse("customer_list") + "?q=san luca").context["page"].object_list
    missed = client.get(reverse("customer_list") + "?q=zzz").context["page"].object_list
    assert list(found) == [customer]
    assert list(missed) == []


def test_it_edits_a_customer(client: Client, alice: User, customer: Customer) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("customer_edit", args=[customer.pk]),
        _data(company_name="Ospedale San Luca (nuovo)", vat_number="01234567897"),
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.company_name == "Ospedale San Luca (nuovo)"


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("01234567897", True),
        ("12345678903", True),
        ("12345678901", False),
        ("1234567890", False),
        ("1234567890a", False),
    ],
)
def test_it_checks_the_italian_check_digit(number: str, valid: bool) -> None:
    assert italian_vat_is_valid(number) is valid


def test_it_normalises_separators_and_prefix() -> None:
    assert normalize_vat(" it-012.345.678 97 ", "IT") == "01234567897"
    assert normalize_vat("", "IT") == ""
