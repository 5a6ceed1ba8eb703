"""`POST /api/sizing` and `manage.py size` under hostile input: every refusal is a 400
`{"errors": [{"field", "message"}]}` (the command: exit 2 naming the field), never a 500 or
a traceback, and the work is bounded by the contract's limits, not by what is sent."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configurator.models import User
from sizing.inputs import COUNT_FIELDS, REQUIREMENT_NAMES
from sizing.schema import MAX_BODY_BYTES, MAX_ERRORS, MAX_SITES, SITE_KEYS, TOP_KEYS

from .sizing_inputs import json_values, near_valid_inputs

URL = "/api/sizing"
MANAGE = str(Path(django_settings.BASE_DIR) / "manage.py")
HUGE = "9" * 5_000  # over Python's 4,300 digits for int(str)


def site(name: str = "Milano", **counts: int) -> dict[str, Any]:
    return {"name": name, "connectivity": "lan", **{f: counts.get(f, 0) for f in COUNT_FIELDS}}


SITE_TEXT = json.dumps(site())


def _with_site_name(name_json: str) -> str:
    """A body of one site named by `name_json`, JSON text as sent (escapes kept as written)."""
    return '{"sites": [' + SITE_TEXT.replace('"Milano"', name_json) + "]}"


def post(client: Client, body: bytes | str, **headers: str) -> Any:
    return client.post(URL, body, content_type="application/json", headers=headers)


def size_command(body: bytes, *args: str) -> dict[str, Any]:
    """`manage.py size -` in-process: the output, or CommandError."""
    out = io.StringIO()
    call_command("size", "-", *args, stdin=io.BytesIO(body), stdout=out, stderr=io.StringIO())
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def command_refusal(body: bytes) -> str:
    with pytest.raises(CommandError) as caught:
        size_command(body)
    assert caught.value.returncode == 2
    return str(caught.value)


@pytest.fixture
def api(client: Client, alice: User, sizing_table: None) -> Client:
    client.force_login(alice)
    return client


# --- Each hole, through the API and the command ---------------------------------------------

# (body, the field named, a part of the English message)
REFUSED = [
    pytest.param(
        '{"sites": [], "tvox_systems": ' + HUGE + "}",
        "tvox_systems",
        "must be at most 1,000,000",
        id="integer-of-5000-digits",
    ),
    pytest.param(
        '{"sites": [' + SITE_TEXT.replace('"users": 0', '"users": -' + HUGE) + "]}",
        "sites[0].users",
        "cannot be negative",
        id="negative-integer-of-5000-digits",
    ),
    pytest.param(
        '{"sites": [], "concurrency": ' + HUGE + "}",
        "concurrency",
        "at most 1",
        id="huge-integer-concurrency",
    ),
    pytest.param(
        '{"sites": [], "requirements": {"redundancy": ' + HUGE + "}}",
        "requirements.redundancy",
        "not a whole number",
        id="huge-integer-for-a-boolean",
    ),
    pytest.param(
        '{"sites": [], "tvox_systems": 1e400}',
        "tvox_systems",
        "must be a whole number",
        id="float-overflowing-to-infinity",
    ),
    pytest.param(
        '{"sites": [], "tvox_systems": 1.0}',
        "tvox_systems",
        "must be a whole number",
        id="one-point-zero",
    ),
    pytest.param(
        '{"sites": [], "tvox_systems": -0}',
        "tvox_systems",
        "less than 1",
        id="negative-zero",
    ),
    pytest.param(
        '{"sites": [], "concurrency": -0.0}',
        "concurrency",
        "greater than 0",
        id="negative-zero-share",
    ),
    pytest.param(
        '{"sites": [], "hypervisor": "\\udc00kvm"}',
        "hypervisor",
        "surrogate",
        id="lone-surrogate-echoed-in-the-output",
    ),
    pytest.param(
        _with_site_name('"Mi\\ud800"'),
        "sites[0].name",
        "surrogate",
        id="lone-surrogate-in-a-site-name",
    ),
    pytest.param(
        _with_site_name('"Mi\\u202elano"'),
        "sites[0].name",
        "invisible character U+202E at position 3",
        id="bidi-override-in-a-site-name",
    ),
    pytest.param(
        _with_site_name('"Milano\\u001b[31m"'),
        "sites[0].name",
        "invisible character U+001B at position 7",
        id="escape-in-a-site-name",
    ),
    pytest.param(
        '{"sites": [], "hypervisor": "kvm\\u200b"}',
        "hypervisor",
        "invisible character U+200B at position 4",
        id="zero-width-space-in-the-hypervisor",
    ),
    pytest.param('{"sites": [], "sites": []}', "$", "repeated key 'sites'", id="duplicate-keys"),
    pytest.param('{"sites": [], "concurrency": NaN}', "$", "NaN is not JSON", id="nan"),
    pytest.param("[" * 100_000 + "]" * 100_000, "$", "nested too deeply", id="deep-arrays"),
    pytest.param('{"a":' * 100_000 + "1" + "}" * 100_000, "$", "nested too deeply", id="deep"),
    pytest.param("[]", "$", "must be a JSON object", id="top-level-array"),
    pytest.param('"sites"', "$", "must be a JSON object", id="top-level-string"),
    pytest.param("", "$", "invalid JSON", id="empty-body"),
    pytest.param(b'{"sites": [], "x": "\xff"}', "$", "not UTF-8", id="invalid-utf-8"),
    pytest.param(b'{"sites": ["\xed\xa0\x80"]}', "$", "not UTF-8", id="encoded-surrogate"),
    pytest.param('{"sites": []}'.encode("utf-16"), "$", "not UTF-8", id="utf-16"),
    pytest.param(
        '{"sites": [' + ",".join([SITE_TEXT] * (MAX_SITES + 1)) + "]}",
        "sites",
        "100,001 sites are too many: at most 100,000",
        id="one-site-over-the-limit",
    ),
    pytest.param(
        '{"sites": [], "x": [' + ",".join(["[]"] * 1_200_000) + "]}",
        "$",
        "too many values",
        id="a-million-empty-arrays",
    ),
]


@pytest.mark.parametrize(("body", "field", "english"), REFUSED)
def test_the_api_refuses_hostile_json_naming_the_field(
    api: Client, body: str | bytes, field: str, english: str
) -> None:
    response = post(api, body)
    assert response.status_code == 400, response.content[:300]
    errors = response.json()["errors"]
    assert field in [e["field"] for e in errors], errors
    assert english in next(e["message"] for e in errors if e["field"] == field)


@pytest.mark.parametrize(("body", "field", "english"), REFUSED)
def test_the_command_refuses_hostile_json_with_status_2_naming_the_field(
    db: None, sizing_table: None, body: str | bytes, field: str, english: str
) -> None:
    message = command_refusal(body.encode() if isinstance(body, str) else body)
    assert english in message
    if field != "$":
        assert f"{field}: " in message


def test_the_refusals_are_in_the_language_of_the_request(api: Client) -> None:
    body = '{"sites": [], "tvox_systems": ' + HUGE + "}"
    response = post(api, body, **{"Accept-Language": "it"})
    assert response.json()["errors"] == [{"field": "tvox_systems", "message": "al più 1.000.000"}]
    with pytest.raises(CommandError) as caught:
        size_command(body.encode(), "--lang", "it")
    assert "tvox_systems: al più 1.000.000" in str(caught.value)


def test_a_byte_order_mark_before_valid_json_is_ignored(api: Client) -> None:
    body = "\ufeff" + json.dumps({"sites": [site(mobile_apps=10)]})
    assert post(api, body.encode()).status_code == 200
    assert size_command(body.encode())["mcs"]["devices"] == 10


def test_negative_zero_is_zero_for_a_count(api: Client) -> None:
    body = '{"sites": [' + SITE_TEXT.replace('"users": 0', '"users": -0') + "]}"
    assert '"users": -0,' in body
    assert post(api, body).status_code == 200


def test_the_documented_limit_of_100000_sites_is_sized(api: Client) -> None:
    sites = ",".join(json.dumps(site(f"Sede {i}", mobile_apps=1)) for i in range(MAX_SITES))
    body = '{"sites": [' + sites + "]}"
    assert len(body) > django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # the API's own limit
    response = post(api, body)
    assert response.status_code == 200, response.content[:300]
    assert response.json()["mcs"]["devices"] == MAX_SITES


def test_many_wrong_sites_answer_a_bounded_list_of_errors(api: Client) -> None:
    body = '{"sites": [' + ",".join(["{}"] * MAX_SITES) + "]}"
    started = time.perf_counter()
    response = post(api, body)
    elapsed = time.perf_counter() - started
    errors = response.json()["errors"]
    assert response.status_code == 400
    assert len(errors) == MAX_ERRORS + 1
    assert errors[0] == {"field": "sites[0].name", "message": "is required text"}
    assert errors[-1]["field"] == "$"
    assert "not listed" in errors[-1]["message"]
    assert len(response.content) < 50_000
    assert elapsed < 5, elapsed  # was 900,000 errors, 62 MB of JSON


def test_a_body_over_the_apis_limit_is_refused_with_413_before_reading_it(api: Client) -> None:
    body = b'{"sites": [], "hypervisor": "' + b"x" * MAX_BODY_BYTES + b'"}'
    response = post(api, body)
    assert response.status_code == 413
    (error,) = response.json()["errors"]
    assert error["field"] == "$"
    assert "32 MiB" in error["message"]


def test_the_command_refuses_a_file_over_the_same_limit(db: None, tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * (MAX_BODY_BYTES + 1))
    with pytest.raises(CommandError) as caught:
        call_command("size", str(path), stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert "32 MiB" in str(caught.value)


@pytest.mark.parametrize(
    "content_type", ["multipart/form-data; boundary=x", "application/x-www-form-urlencoded"]
)
def test_a_form_body_with_a_valid_csrf_token_is_refused_with_415_not_500(
    alice: User, sizing_table: None, content_type: str
) -> None:
    # The CSRF middleware reads a form body before the view: request.body was then gone.
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    token = "a" * 32
    client.cookies["csrftoken"] = token
    if content_type.startswith("multipart"):
        response = client.post(URL, {"sites": "[]"}, headers={"X-CSRFToken": token})
    else:
        response = client.post(
            URL, "sites=1", content_type=content_type, headers={"X-CSRFToken": token}
        )
    assert response.status_code == 415
    assert response.json()["errors"][0]["field"] == "$"
    assert "application/json" in response.json()["errors"][0]["message"]


def test_a_json_content_type_with_parameters_or_a_suffix_is_accepted(api: Client) -> None:
    body = json.dumps({"sites": [site(users=3)]})
    for content_type in ("application/json; charset=utf-8", "application/vnd.api+json"):
        response = api.post(URL, body, content_type=content_type)
        assert response.status_code == 200, (content_type, response.content[:200])


def test_a_file_name_the_system_refuses_is_bad_input(db: None) -> None:
    with pytest.raises(CommandError) as caught:
        call_command("size", "in\x00put.json", stdout=io.StringIO())
    assert caught.value.returncode == 2


# --- Properties: no input gives a 500 or a traceback -----------------------------------------


def fields_of(data: object) -> set[str]:
    """The paths an error may name: the contract's fields and the keys that were sent."""
    fields = {"$", "lang", *TOP_KEYS}
    fields |= {f"requirements.{name}" for name in REQUIREMENT_NAMES}
    if isinstance(data, dict):
        fields |= set(data)
        sites = data.get("sites")
        if isinstance(sites, list):
            for i, item in enumerate(sites):
                fields |= {f"sites[{i}]"} | {f"sites[{i}].{key}" for key in SITE_KEYS}
                if isinstance(item, dict):
                    fields |= {f"sites[{i}].{key}" for key in item}
        if isinstance(data.get("requirements"), dict):
            fields |= {f"requirements.{key}" for key in data["requirements"]}
    return fields


OUTPUT_KEYS = {
    "table_version",
    "lang",
    "mcs",
    "pure_cloud",
    "hybrid",
    "recommendation",
    "assumptions",
    "explanations",
}


def check_api_answer(response: Any, sent: object) -> None:
    assert response.status_code in (200, 400), response.content[:300]
    assert response["Content-Type"] == "application/json"
    answer = response.json()
    if response.status_code == 200:
        assert set(answer) == OUTPUT_KEYS
        return
    assert set(answer) == {"errors"} and answer["errors"]
    allowed = fields_of(sent)
    for error in answer["errors"]:
        assert set(error) == {"field", "message"}
        assert error["field"] in allowed, error
        assert isinstance(error["message"], str) and error["message"].strip()


def check_command(body: bytes) -> None:
    try:
        size_command(body)
    except CommandError as exc:
        assert exc.returncode == 2, exc
        assert str(exc).startswith("invalid input (standard input): ")


hostile = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
bodies = (
    json_values.map(lambda v: json.dumps(v).encode())
    | near_valid_inputs().map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=200)
)


@hostile
@given(data=json_values | near_valid_inputs())
def test_no_json_value_gets_a_500_from_the_api(api: Client, data: object) -> None:
    check_api_answer(post(api, json.dumps(data)), data)


@hostile
@given(body=st.binary(max_size=300) | st.text(max_size=100).map(str.encode))
def test_no_bytes_get_a_500_from_the_api(api: Client, body: bytes) -> None:
    try:
        sent = json.loads(body)
    except ValueError:
        sent = None
    check_api_answer(post(api, body), sent)


@hostile
@given(body=bodies, lang=st.sampled_from(["it", "en"]))
def test_the_api_answers_in_the_language_asked(api: Client, body: bytes, lang: str) -> None:
    response = api.post(URL + f"?lang={lang}", body, content_type="application/json")
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["lang"] == lang


@hostile
@given(body=bodies)
def test_the_command_exits_0_or_2_for_any_input(db: None, sizing_table: None, body: bytes) -> None:
    check_command(body)


# --- The real command line: exit 2 and one line, no traceback ------------------------------


@pytest.fixture(scope="module")
def unmigrated_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    # Bad input is refused before the database is asked for the table in effect: an empty
    # database keeps these runs short, and a refusal that reached it would fail loudly.
    database = tmp_path_factory.mktemp("size-hostile") / "db.sqlite3"
    return {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (('{"sites": [], "tvox_systems": ' + HUGE + "}").encode(), "tvox_systems: "),
        (b'{"sites": [], "hypervisor": "\\udc00"}', "hypervisor: "),
    ],
)
def test_the_command_line_exits_2_without_a_traceback(
    unmigrated_env: dict[str, str], body: bytes, field: str
) -> None:
    done = subprocess.run(
        [sys.executable, MANAGE, "size", "-"],
        input=body,
        env=unmigrated_env,
        capture_output=True,
        timeout=120,
    )
    stderr = done.stderr.decode()
    assert done.returncode == 2, stderr
    assert "Traceback" not in stderr
    assert re.fullmatch(r"CommandError: invalid input \(standard input\): .*\n", stderr)
    assert field in stderr
