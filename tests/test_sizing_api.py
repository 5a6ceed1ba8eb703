"""`POST /api/sizing`: signed-in users only, JSON in and out, a 400 naming the field, the
language from ?lang= or Accept-Language, CSRF protection kept for the session."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from configurator.models import User
from sizing.inputs import COUNT_FIELDS

URL = "/api/sizing"


def json_site(name: str = "Milano", connectivity: str = "lan", **counts: int) -> dict[str, Any]:
    return {
        "name": name,
        "connectivity": connectivity,
        **{field: counts.get(field, 0) for field in COUNT_FIELDS},
    }


def post(client: Client, data: object, url: str = URL, **headers: str) -> Any:
    body = data if isinstance(data, str) else json.dumps(data)
    return client.post(url, body, content_type="application/json", headers=headers)


VALID = {"sites": [json_site(mobile_apps=1_000, sip_phones=5)], "tvox_systems": 2}


def test_it_is_routed_at_api_sizing() -> None:
    assert reverse("sizing") == URL


def test_it_sizes_for_a_signed_in_user(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = post(client, VALID)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    out = response.json()
    assert out["table_version"] == 1
    assert (out["mcs"]["tier_max_users"], out["mcs"]["vcpu"], out["mcs"]["bandwidth_mbps"]) == (
        1_000,
        4,
        480,
    )
    assert out["pure_cloud"]["licenses"] == {"PURE_CLOUD": 2}
    assert out["recommendation"]["architecture"] == "pure_cloud"


def test_it_sizes_for_users_of_any_organisation(client: Client, charlie: User) -> None:
    client.force_login(charlie)
    assert post(client, VALID).status_code == 200


def test_it_answers_anonymous_callers_with_401_json_not_a_redirect(
    client: Client, db: None
) -> None:
    response = post(client, VALID)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["message"] == "Sign in to use the sizing."
    assert "WWW-Authenticate" in response


def test_it_accepts_only_post(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["errors"][0]["field"] == "$"


def test_it_answers_bad_input_with_400_naming_the_field(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = post(client, {"sites": [json_site(users=-1)], "tvox_systems": "two"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {e["field"] for e in errors} == {"sites[0].users", "tvox_systems"}
    assert next(e for e in errors if e["field"] == "sites[0].users")["message"] == (
        "cannot be negative"
    )


def test_it_answers_malformed_json_with_400(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = post(client, '{"sites": [')
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["field"] == "$"
    assert error["message"].startswith("invalid JSON at line 1")


@pytest.mark.parametrize(
    ("url", "headers"),
    [(URL + "?lang=it", {}), (URL, {"Accept-Language": "it-IT,it;q=0.9"})],
)
def test_it_answers_in_italian_when_asked(
    client: Client, alice: User, url: str, headers: dict[str, str]
) -> None:
    client.force_login(alice)
    out = post(client, VALID, url, **headers).json()
    assert out["lang"] == "it"
    assert "Il taglio più piccolo" in out["explanations"]["mcs.tier_max_users"]["message"]
    bad = post(client, {"sites": [json_site(users=-1)]}, url, **headers).json()
    assert bad["errors"][0]["message"] == "non può essere negativo"


def test_it_prefers_the_lang_parameter_to_accept_language(client: Client, alice: User) -> None:
    client.force_login(alice)
    out = post(client, VALID, URL + "?lang=en", **{"Accept-Language": "it"}).json()
    assert out["lang"] == "en"


def test_it_refuses_an_unknown_language(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = post(client, VALID, URL + "?lang=de")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "lang"


# --- CSRF: the session authenticates, so the token is required ------------------------------


def test_it_requires_the_csrf_token_of_the_session(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert post(client, VALID).status_code == 403
    token = "a" * 32  # a CSRF secret; the cookie and the header must agree
    client.cookies["csrftoken"] = token
    assert post(client, VALID, **{"X-CSRFToken": token}).status_code == 200


def test_its_csrf_failure_view_answers_api_callers_in_json(alice: User, settings: Any) -> None:
    settings.CSRF_FAILURE_VIEW = "sizing.views.csrf_failure"
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = post(client, VALID)
    assert response.status_code == 403
    assert "X-CSRFToken" in response.json()["errors"][0]["message"]
    page = client.post(reverse("project_create"), {})
    assert page.status_code == 403
    assert page["Content-Type"].startswith("text/html")


def test_it_answers_a_body_over_the_apis_limit_with_413_json(
    client: Client, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The API's own limit (sizing.schema.MAX_BODY_BYTES, 32 MiB), not the forms' 5 MiB.
    monkeypatch.setattr("sizing.schema.MAX_BODY_BYTES", 100)
    client.force_login(alice)
    response = post(client, {"sites": [json_site(name="x" * 200)]})
    assert response.status_code == 413
    assert "MiB, the limit" in response.json()["errors"][0]["message"]
