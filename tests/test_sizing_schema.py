"""The JSON contract (sizing/schema.py): what the input accepts and refuses, each refusal
naming the field, and the shape of the output the README documents."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from sizing.engine import size
from sizing.inputs import COUNT_FIELDS
from sizing.schema import (
    InvalidInput,
    load_json,
    parse_input,
    parse_lang,
    result_to_dict,
    size_json,
)
from sizing.seed import SEED_TABLE


def json_site(name: str = "Milano", connectivity: str = "lan", **counts: object) -> dict[str, Any]:
    return {
        "name": name,
        "connectivity": connectivity,
        **{field: counts.get(field, 0) for field in COUNT_FIELDS},
    }


def refusal(data: object) -> dict[str, tuple[str, str]]:
    """field → (Italian, English) message of every error."""
    with pytest.raises(InvalidInput) as caught:
        parse_input(data)
    return {error.field: (error.it, error.en) for error in caught.value.errors}


def test_it_accepts_the_documented_input_with_its_defaults() -> None:
    inp = parse_input({"sites": [json_site(mobile_apps=3)]})
    assert inp.tvox_systems == 1
    assert inp.concurrency is None  # the table's default applies
    assert inp.hypervisor is None
    assert not any(vars(inp.requirements).values())
    assert inp.sites[0].mobile_apps == 3


def test_it_accepts_every_optional_key() -> None:
    inp = parse_input(
        {
            "sites": [json_site(connectivity="mpls", sip_phones=4)],
            "tvox_systems": 3,
            "concurrency": 0.25,
            "hypervisor": "vmware",
            "requirements": {"full_cloud": True, "dhcp_provisioning": False},
        }
    )
    assert (inp.tvox_systems, str(inp.concurrency), inp.hypervisor) == (3, "0.25", "vmware")
    assert inp.requirements.full_cloud and not inp.requirements.dhcp_provisioning


@pytest.mark.parametrize(
    ("data", "field", "english"),
    [
        ([], "$", "must be a JSON object"),
        ({}, "sites", "is required"),
        ({"sites": {}}, "sites", "must be a list"),
        ({"sites": [], "colour": "red"}, "colour", "unknown key"),
        ({"sites": [{**json_site(), "colour": "red"}]}, "sites[0].colour", "unknown"),
        ({"sites": ["Milano"]}, "sites[0]", "must be a JSON object"),
        ({"sites": [json_site(name="  ")]}, "sites[0].name", "is required text"),
        ({"sites": [json_site(connectivity="wifi")]}, "sites[0].connectivity", "one of lan"),
        ({"sites": [json_site(users=-1)]}, "sites[0].users", "cannot be negative"),
        ({"sites": [json_site(sip_phones=True)]}, "sites[0].sip_phones", "not true/false"),
        ({"sites": [json_site(widgets=2.0)]}, "sites[0].widgets", "a whole number"),
        ({"sites": [json_site(widgets="2")]}, "sites[0].widgets", "not text"),
        ({"sites": [json_site(web_clients=1_000_001)]}, "sites[0].web_clients", "at most"),
        ({"sites": [json_site(mobile_apps=None)]}, "sites[0].mobile_apps", "not null"),
        ({"sites": [{"name": "A", "connectivity": "lan"}]}, "sites[0].users", "is required"),
        ({"sites": [], "tvox_systems": 0}, "tvox_systems", "less than 1"),
        ({"sites": [], "tvox_systems": True}, "tvox_systems", "not true/false"),
        ({"sites": [], "concurrency": 0}, "concurrency", "greater than 0"),
        ({"sites": [], "concurrency": 1.5}, "concurrency", "at most 1"),
        ({"sites": [], "concurrency": False}, "concurrency", "greater than 0"),
        ({"sites": [], "hypervisor": 3}, "hypervisor", "must be a name"),
        ({"sites": [], "requirements": []}, "requirements", "must be a JSON object"),
        ({"sites": [], "requirements": {"cheap": True}}, "requirements.cheap", "unknown key"),
        ({"sites": [], "requirements": {"redundancy": 1}}, "requirements.redundancy", "true or"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(data: object, field: str, english: str) -> None:
    errors = refusal(data)
    assert field in errors
    italian_text, english_text = errors[field]
    assert english in english_text
    assert italian_text and italian_text != english_text


def test_it_refuses_over_a_million_devices_in_total() -> None:
    sites = [json_site("A", mobile_apps=600_000), json_site("B", widgets=400_001)]
    errors = refusal({"sites": sites})
    assert list(errors) == ["sites"]
    assert "1,000,001 MCS devices are too many: at most 1,000,000" in errors["sites"][1]


def test_it_accepts_exactly_a_million_devices() -> None:
    sites = [json_site("A", mobile_apps=600_000), json_site("B", widgets=400_000)]
    assert size(parse_input({"sites": sites}), SEED_TABLE).mcs.instances.value == 100


def test_it_reports_every_bad_field_at_once() -> None:
    errors = refusal({"sites": [json_site(users=-1)], "tvox_systems": 0, "concurrency": 2})
    assert set(errors) == {"sites[0].users", "tvox_systems", "concurrency"}


def test_it_refuses_malformed_json_with_line_and_column() -> None:
    with pytest.raises(InvalidInput) as caught:
        load_json('{"sites": [\n  {"name": "A",}\n]}')
    (error,) = caught.value.errors
    assert error.field == "$"
    assert "line 2, column 15" in error.en
    assert "riga 2, colonna 15" in error.it


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ('{"sites": [], "concurrency": NaN}', "NaN is not JSON"),
        ('{"sites": [], "sites": []}', "repeated key 'sites'"),
        (b'{"sites": "\xff"}', "UTF-8"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_it_refuses_json_that_python_would_otherwise_accept(
    text: str | bytes, english: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        load_json(text)
    assert english in caught.value.errors[0].en


def test_it_accepts_only_it_and_en_as_languages() -> None:
    assert parse_lang(None) == "en"
    assert parse_lang("it") == "it"
    with pytest.raises(InvalidInput) as caught:
        parse_lang("de")
    assert caught.value.errors[0].field == "lang"


def test_it_writes_the_output_keys_of_the_readme() -> None:
    out = size_json(
        {"sites": [json_site(mobile_apps=10, smart_working_webclient=2)], "tvox_systems": 2},
        SEED_TABLE,
        "en",
    )
    assert set(out) >= {
        "table_version",
        "mcs",
        "pure_cloud",
        "hybrid",
        "recommendation",
        "assumptions",
        "explanations",
    }
    mcs: dict[str, Any] = out["mcs"]  # type: ignore[assignment]
    assert set(mcs) >= {
        "instances",
        "tier_max_users",
        "vcpu",
        "ram_gb",
        "disk_gb",
        "nic_gbit",
        "devices",
        "active_connections",
        "bandwidth_mbps",
        "openvpn_tunnels",
        "licenses",
        "warnings",
        "blockers",
        "instance_groups",
    }
    assert mcs["licenses"] == {"webclient_smart_working": 2, "tvoxteam_smart_working": 0}
    assert out["pure_cloud"]["licenses"] == {"PURE_CLOUD": 2}  # type: ignore[index]
    assert out["hybrid"]["licenses"] == {"PURE_CLOUD": 2}  # type: ignore[index]
    assert set(out["recommendation"]) == {"architecture", "reasons", "options"}  # type: ignore[arg-type]
    warning = mcs["warnings"][0]
    assert set(warning) == {"code", "rule", "rules", "message", "causes"}
    assert warning["rule"] == "R3"


def test_it_writes_bandwidth_as_a_plain_number() -> None:
    out = result_to_dict(
        size(parse_input({"sites": [json_site(mobile_apps=209)]}), SEED_TABLE), "en"
    )
    assert out["mcs"]["bandwidth_mbps"] == 100.32  # type: ignore[index]
    assert out["mcs"]["mbps_per_connection"] == 0.48  # type: ignore[index]
    assert out["explanations"]["mcs.bandwidth_mbps"]["inputs"] == {  # type: ignore[index]
        "connections_bandwidth_mbps": 100.32,
        "min_bandwidth_mbps": 100,
    }


def test_it_writes_the_texts_in_the_language_asked() -> None:
    data = {"sites": [json_site(mobile_apps=1_001)]}
    italian = size_json(data, SEED_TABLE, "it")["explanations"]["mcs.tier_max_users"]  # type: ignore[index]
    english = size_json(data, SEED_TABLE, "en")["explanations"]["mcs.tier_max_users"]  # type: ignore[index]
    assert "taglio più piccolo" in italian["message"] and "1.001" in italian["message"]
    assert "smallest tier" in english["message"] and "1,001" in english["message"]
    assert italian["rules"] == english["rules"] == ["S1", "R9"]


def test_the_core_imports_no_django() -> None:
    code = (
        "import sys, sizing.schema, sizing.engine, sizing.seed; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
