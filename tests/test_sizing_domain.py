"""The public domain name MCS is published under (R7, B2): an optional key of the JSON
contract, validated as a domain name, and the warning of every MCS result says what is still
true of it: with a domain, that it must resolve to the MCS server's static public IP and
that each TVox needs its CNAME; without one, that one is needed. The same on the API, the
project page and the proposal's snapshot."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from configurator.models import Project, User
from reports.snapshot import build_snapshot
from sizing.engine import size
from sizing.inputs import COUNT_FIELDS
from sizing.schema import InvalidInput, parse_input
from sizing.seed import SEED_TABLE

from .factories import make_site, parse_html

DOMAIN = "mcs.ospedale-sanluca.example"


def json_site(**counts: int) -> dict[str, Any]:
    return {
        "name": "Milano",
        "connectivity": "lan",
        **{field: counts.get(field, 0) for field in COUNT_FIELDS},
    }


def domain_warning(out: dict[str, Any]) -> dict[str, Any]:
    (warning,) = [w for w in out["mcs"]["warnings"] if w["code"].startswith("public_domain")]
    return warning


# --- The contract ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "domain", ["mcs.example.com", "MCS.Example.COM", "a.b.c.d.example", "xn--sanluc-5ua.it"]
)
def test_it_accepts_a_domain_name(domain: str) -> None:
    inp = parse_input({"sites": [json_site()], "public_domain": domain})
    assert inp.public_domain == domain


def test_without_a_domain_or_with_null_there_is_none() -> None:
    assert parse_input({"sites": []}).public_domain is None
    assert parse_input({"sites": [], "public_domain": None}).public_domain is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "localhost",  # one label is no public name
        "mcs example.com",
        "mcs..example.com",
        "-mcs.example.com",
        "mcs-.example.com",
        "mcs.example.com.",
        "mcs.example.com\n",
        "192.168.1.10",  # an IP address
        "https://mcs.example.com",
        "mcs_1.example.com",
        "sanlucà.it",
        "a" * 64 + ".com",  # a label over 63 characters
        ".".join(["a" * 63] * 4) + ".it",  # over 253 characters
        42,
        True,
        ["mcs.example.com"],
    ],
)
def test_it_refuses_anything_else_naming_the_field_in_both_languages(value: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_input({"sites": [], "public_domain": value})
    (error,) = caught.value.errors
    assert error.field == "public_domain"
    assert error.en.startswith("must be a public domain name, such as mcs.example.com")
    assert error.it.startswith("deve essere un nome di dominio pubblico, come mcs.example.com")


# --- The warning (S6, R7, B2) ---------------------------------------------------------------


def warnings_for(**data: Any) -> dict[str, Any]:
    inp = parse_input({"sites": [json_site(mobile_apps=10)], **data})
    return {w.code: w for w in size(inp, SEED_TABLE).mcs.warnings}


def test_with_a_domain_the_warning_says_it_must_resolve_and_each_tvox_needs_its_cname() -> None:
    by_code = warnings_for(public_domain=DOMAIN, tvox_systems=3)
    assert "public_domain_name_required" not in by_code
    warning = by_code["public_domain_name"]
    assert warning.rules == ("R7", "B2")
    assert warning.causes == ("public_domain",)
    assert warning.en == (
        f"The public domain name {DOMAIN} must resolve (A record) to the MCS server's static "
        f"public IP address, and each of the 3 TVox systems needs a name of its own, a CNAME "
        f"of {DOMAIN}, which the internal DNS resolves to the TVox's local address (R7, B2)."
    )
    assert warning.it == (
        f"Il nome di dominio pubblico {DOMAIN} deve risolvere (record A) all'indirizzo IP "
        f"pubblico statico del server MCS, e ciascuno dei 3 sistemi TVox richiede un proprio "
        f"nome, CNAME di {DOMAIN}, che il DNS interno risolve all'indirizzo locale del TVox "
        f"(R7, B2)."
    )
    one = warnings_for(public_domain=DOMAIN)["public_domain_name"]
    assert "and the TVox needs a name of its own" in one.en
    assert "e il TVox richiede un proprio nome" in one.it


def test_without_a_domain_the_warning_says_one_is_needed() -> None:
    by_code = warnings_for()
    assert "public_domain_name" not in by_code
    warning = by_code["public_domain_name_required"]
    assert warning.rules == ("R7", "B2")
    assert "needs a public domain name, not given yet" in warning.en
    assert "richiede un nome di dominio pubblico, non ancora indicato" in warning.it


# --- API, page, proposal ----------------------------------------------------------------------


def test_the_api_passes_the_domain_to_the_warning_and_refuses_a_bad_one(
    client: Client, alice: User, sizing_table: None
) -> None:
    client.force_login(alice)
    body = {"sites": [json_site(mobile_apps=5)], "public_domain": DOMAIN}
    out = client.post("/api/sizing?lang=it", json.dumps(body), content_type="application/json")
    assert out.status_code == 200
    assert domain_warning(out.json())["message"].startswith(f"Il nome di dominio pubblico {DOMAIN}")
    without = client.post(
        "/api/sizing", json.dumps({"sites": body["sites"]}), content_type="application/json"
    )
    assert domain_warning(without.json())["code"] == "public_domain_name_required"
    bad = client.post(
        "/api/sizing",
        json.dumps({**body, "public_domain": "not a domain"}),
        content_type="application/json",
    )
    assert bad.status_code == 400
    (error,) = bad.json()["errors"]
    assert error["field"] == "public_domain"


def test_the_project_page_warns_of_what_is_still_true_of_its_domain(
    client: Client, alice: User, project: Project
) -> None:
    make_site(project, "Milano", "mpls", mobile_apps=50)
    client.force_login(alice)
    url = reverse("project_detail", args=[project.pk])

    def notices() -> str:
        page = parse_html(client.get(url).content)
        return " ".join(li.text for li in page.find_all("li", "notice"))

    assert "MCS needs a public domain name, not given yet" in notices()
    project.public_domain = DOMAIN
    project.save()
    text = notices()
    assert f"The public domain name {DOMAIN} must resolve (A record)" in text
    assert "not given yet" not in text


@pytest.mark.usefixtures("sizing_table")
def test_the_proposal_snapshot_warns_of_what_is_still_true_of_its_domain(
    project: Project,
) -> None:
    make_site(project, "Milano", "mpls", mobile_apps=50)

    def warning(language: str) -> str:
        snapshot = build_snapshot(project, language, None)
        return str(domain_warning(snapshot["result"])["message"])

    assert warning("en").startswith("MCS needs a public domain name, not given yet")
    assert warning("it").startswith("MCS richiede un nome di dominio pubblico, non ancora")
    project.public_domain = DOMAIN
    project.save()
    assert warning("en").startswith(f"The public domain name {DOMAIN} must resolve")
    assert warning("it").startswith(f"Il nome di dominio pubblico {DOMAIN} deve risolvere")
    assert build_snapshot(project, "en", None)["sizing_input"]["public_domain"] == DOMAIN


@pytest.mark.parametrize("domain", ["192.168.1.10", "mcs.example.123", "localhost"])
def test_the_questionnaire_refuses_what_the_sizing_contract_refuses(domain: str) -> None:
    """One rule for a domain name: what the form saved, the sizing must accept (else the
    project's page would show a public_domain error for an answer the form took)."""
    from configurator.forms import QuestionnaireForm

    form = QuestionnaireForm({"public_domain": domain})
    form.is_valid()
    assert "public_domain" in form.errors


def test_the_questionnaire_keeps_a_domain_the_contract_accepts() -> None:
    from configurator.forms import QuestionnaireForm

    form = QuestionnaireForm({"public_domain": "MCS.Example.com."})
    form.is_valid()
    assert "public_domain" not in form.errors
    assert form.cleaned_data["public_domain"] == "mcs.example.com"
