"""`GET /api/openapi.json`: the OpenAPI 3.1 description of the sizing API, built from
`sizing.schema`; it agrees with the parser on any input, the output conforms to it, and
schemathesis finds no 500 and no answer that departs from it.

schemathesis runs in-process through its pytest integration on the project's WSGI
application (`schemathesis.openapi.from_wsgi`): no server to start, the test's database,
and the whole middleware stack (sessions, real CSRF checks, axes) of production. A user
signs in through the sign-in form first; every call carries the session cookie and the
X-CSRFToken header.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any, Final

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from configurator.models import User
from sizing.engine import size
from sizing.inputs import COUNT_FIELDS, DEVICE_FIELDS, REQUIREMENT_NAMES
from sizing.openapi import openapi
from sizing.schema import (
    MAX_COUNT,
    MAX_NAME_LENGTH,
    MAX_SITES,
    MAX_TVOX_SYSTEMS,
    SITE_KEYS,
    TOP_KEYS,
    InvalidInput,
    parse_input,
    result_to_dict,
)
from sizing.seed import SEED_TABLE

from .factories import PASSWORD
from .sizing_inputs import json_values, near_valid_inputs, valid_inputs

URL = "/api/openapi.json"


def validator(component: str) -> Draft202012Validator:
    """A validator of one component schema, its $refs resolved in the description."""
    document = {**openapi(), "$ref": f"#/components/schemas/{component}"}
    return Draft202012Validator(document)


# --- Served to signed-in users only ---------------------------------------------------------


def test_it_serves_the_description_to_users_of_any_organisation(
    client: Client, alice: User, charlie: User
) -> None:
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["openapi"] == "3.1.0"
    client.force_login(charlie)
    assert client.get(URL).content == response.content  # no organisation's data in it


def test_it_answers_anonymous_callers_with_401_json(client: Client, db: None) -> None:
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "Sign in to use the sizing."


def test_it_answers_another_method_with_405_naming_get(client: Client, alice: User) -> None:
    client.force_login(alice)
    response = client.post(URL)
    assert response.status_code == 405
    assert response["Allow"] == "GET"


def test_it_is_a_valid_openapi_31_document() -> None:
    validate_openapi(openapi())


# --- It says what sizing.schema does --------------------------------------------------------


def test_it_describes_every_key_and_limit_of_the_schema() -> None:
    schemas = openapi()["components"]["schemas"]
    top, site = schemas["SizingInput"], schemas["Site"]
    assert tuple(top["properties"]) == TOP_KEYS
    assert tuple(site["properties"]) == SITE_KEYS == tuple(site["required"])
    assert tuple(top["properties"]["requirements"]["properties"]) == REQUIREMENT_NAMES
    assert top["properties"]["sites"]["maxItems"] == MAX_SITES
    assert top["properties"]["tvox_systems"]["maximum"] == MAX_TVOX_SYSTEMS
    assert {site["properties"][f]["maximum"] for f in COUNT_FIELDS} == {MAX_COUNT}
    assert site["properties"]["name"]["maxLength"] == MAX_NAME_LENGTH


def over_the_devices_total(data: object) -> bool:
    """The one rule JSON Schema cannot say (it is in the description's text): the MCS
    devices of all sites together are at most MAX_COUNT."""
    sites = data.get("sites") if isinstance(data, dict) else None
    if not isinstance(sites, list):
        return False
    total = 0
    for site in sites:
        if isinstance(site, dict):
            total += sum(v for f in DEVICE_FIELDS if type(v := site.get(f)) is int)
    return total > MAX_COUNT


def only_integers_written_with_decimals(errors: tuple[Any, ...]) -> bool:
    """The other rule JSON Schema cannot say (in each integer's description): an integer is
    written as one, `1` and not `1.0`. In JSON Schema's data model 1.0 is the integer 1, so
    the description admits it and the parser refuses it, with exactly this message."""
    return bool(errors) and all(
        error.en == "must be a whole number, not a number with decimals" for error in errors
    )


agreement = settings(max_examples=300, deadline=None)


@agreement
@given(data=near_valid_inputs() | valid_inputs | json_values)
def test_the_description_accepts_exactly_what_the_parser_accepts(data: object) -> None:
    described = validator("SizingInput").is_valid(data)
    try:
        parse_input(copy.deepcopy(data))
    except InvalidInput as exc:
        accepted, errors = False, exc.errors
    else:
        accepted, errors = True, ()
    if described and not accepted:
        assert over_the_devices_total(data) or only_integers_written_with_decimals(errors), errors
    else:
        assert described == accepted, (data, errors)


@agreement
@given(data=valid_inputs, lang=st.sampled_from(["it", "en"]))
def test_every_result_conforms_to_the_description(data: dict[str, Any], lang: str) -> None:
    out = result_to_dict(size(parse_input(data), SEED_TABLE), lang)  # type: ignore[arg-type]
    errors = [e.message for e in validator("SizingResult").iter_errors(json.loads(json.dumps(out)))]
    assert errors == []


# --- schemathesis against the served description --------------------------------------------


@pytest.fixture
def wsgi_connection_kept() -> Iterator[None]:
    """Calls through the WSGI handler run in the test's transaction: Django closes the
    connection at the end of each request, as its test client prevents too."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def signed_in(alice: User, sizing_table: None) -> Client:
    """alice's client, signed in through the sign-in form with the CSRF check on."""
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/login/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302, response.content[:300]
    assert "sessionid" in client.cookies
    return client


# Built at collection from the same function the view serves (the test below checks that
# the served description is this one); its calls go to the WSGI application in-process.
# (schemathesis.pytest.from_fixture would load the served one, but its lazy loader reads a
# private attribute pytest 9 no longer has.)
schema = schemathesis.openapi.from_dict(openapi())
schema.app = WSGIHandler()
# Cases are made at collection too (schemathesis' coverage phase), before any test has
# signed in: the auth provider gives them these stand-ins, which the test replaces with
# the session it signed in. A case whose credentials schemathesis removed or forged on
# purpose keeps them removed or forged.
STAND_IN: Final = {"sessionid": "the-signed-in-session", "csrftoken": "the-signed-in-token"}


@schema.auth(refresh_interval=None)
class SignedInSession:
    """The declared security of every call: the session cookie, and on POST the CSRF token
    in its header. schemathesis also sends calls without them or with forged ones."""

    def get(self, case: Any, context: Any) -> dict[str, str]:
        return STAND_IN

    def set(self, case: Any, data: dict[str, str], context: Any) -> None:
        case.cookies = {**(case.cookies or {}), **data}
        case.headers = {**(case.headers or {}), "X-CSRFToken": data["csrftoken"]}


def with_session(case: Any, client: Client) -> Any:
    real = {name: morsel.value for name, morsel in client.cookies.items()}
    cookies = dict(case.cookies or {})
    for name, value in STAND_IN.items():
        if cookies.get(name) == value:
            cookies[name] = real[name]
    case.cookies = cookies
    if (case.headers or {}).get("X-CSRFToken") == STAND_IN["csrftoken"]:
        case.headers = {**case.headers, "X-CSRFToken": real["csrftoken"]}
    return case


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_schemathesis_finds_the_api_as_described(
    case: Any, signed_in: Client, wsgi_connection_kept: None
) -> None:
    with_session(case, signed_in).call_and_validate(
        excluded_checks=[positive_data_acceptance], additional_checks=[valid_data_accepted]
    )


def valid_data_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' positive_data_acceptance, save for the rule the description can only
    say in words: a body over the MCS devices total is valid JSON Schema and refused."""
    if response.status_code == 400 and over_the_devices_total(case.body):
        return None
    result: bool | None = positive_data_acceptance(ctx, response, case)
    return result
