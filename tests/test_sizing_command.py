"""`manage.py size FILE|- [--lang it|en]`: JSON out with the table version in effect; bad
input exits with status 2 and one message naming the field."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from sizing.inputs import COUNT_FIELDS

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")


def json_site(name: str = "Milano", connectivity: str = "lan", **counts: int) -> dict[str, Any]:
    return {
        "name": name,
        "connectivity": connectivity,
        **{field: counts.get(field, 0) for field in COUNT_FIELDS},
    }


def write_input(tmp_path: Path, data: object) -> str:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def run_size(*args: str, stdin: bytes | None = None) -> dict[str, Any]:
    out = io.StringIO()
    options: dict[str, Any] = {"stdout": out}
    if stdin is not None:
        options["stdin"] = io.BytesIO(stdin)
    call_command("size", *args, **options)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def test_it_prints_the_sizing_of_a_file_as_json(db: None, tmp_path: Path) -> None:
    path = write_input(tmp_path, {"sites": [json_site(mobile_apps=1_001)], "tvox_systems": 251})
    out = run_size(path)
    assert out["table_version"] == 1
    assert out["mcs"]["instances"] == 2
    assert [g["devices"] for g in out["mcs"]["instance_groups"]] == [501, 500]
    assert [g["tier_max_users"] for g in out["mcs"]["instance_groups"]] == [1_000, 1_000]
    assert out["mcs"]["openvpn_tunnels"] == 251
    assert out["explanations"]["mcs.instances"]["rules"] == ["S2", "S1", "R9", "R10"]


def test_it_reads_standard_input_with_a_dash(db: None) -> None:
    out = run_size("-", stdin=json.dumps({"sites": [json_site(widgets=10_001)]}).encode())
    assert out["mcs"]["instances"] == 2
    assert "outside_documented_table" in [w["code"] for w in out["mcs"]["warnings"]]


def test_it_writes_the_texts_in_italian_with_lang_it(db: None, tmp_path: Path) -> None:
    path = write_input(tmp_path, {"sites": [json_site(mobile_apps=1_500)]})
    italian = run_size(path, "--lang", "it")
    english = run_size(path, "--lang", "en")
    assert italian["lang"] == "it"
    assert "1.500 dispositivi MCS" in italian["explanations"]["mcs.devices"]["message"]
    assert "1,500 MCS devices" in english["explanations"]["mcs.devices"]["message"]
    without_texts = {k: v for k, v in italian["mcs"].items() if k not in ("warnings", "blockers")}
    assert without_texts == {k: english["mcs"][k] for k in without_texts}  # same figures
    assert italian["mcs"]["vcpu"] == 8


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"sites": [json_site(users=-3)]}, "sites[0].users"),
        ({"sites": [json_site(sip_phones=True)]}, "sites[0].sip_phones"),
        ({"sites": [], "size": "L"}, "size"),
        ({"sites": [], "concurrency": 0}, "concurrency"),
        ({"sites": [], "tvox_systems": 0}, "tvox_systems"),
        ({"sites": [json_site(mobile_apps=700_000), json_site(widgets=300_001)]}, "sites"),
    ],
)
def test_it_exits_with_status_2_naming_the_field(
    db: None, tmp_path: Path, data: object, field: str
) -> None:
    with pytest.raises(CommandError) as caught:
        run_size(write_input(tmp_path, data))
    assert caught.value.returncode == 2
    assert f"{field}: " in str(caught.value)


def test_it_exits_with_status_2_for_malformed_json(db: None) -> None:
    with pytest.raises(CommandError) as caught:
        run_size("-", stdin=b'{"sites": [}')
    assert caught.value.returncode == 2
    assert "invalid JSON at line 1, column 12" in str(caught.value)


def test_it_exits_with_status_2_for_a_missing_file(db: None, tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere.json")
    with pytest.raises(CommandError) as caught:
        run_size(missing, "--lang", "it")
    assert caught.value.returncode == 2
    assert str(caught.value) == f"dati non validi ({missing}): file inesistente"


# --- The real command line ------------------------------------------------------------------


@pytest.fixture(scope="module")
def migrated_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A process environment with its own migrated SQLite database."""
    database = tmp_path_factory.mktemp("size-command") / "db.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run([sys.executable, MANAGE, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    return env


def run_command_line(
    env: dict[str, str], stdin: str, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, MANAGE, "size", "-", *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_the_command_line_reads_stdin_and_prints_json(migrated_env: dict[str, str]) -> None:
    data = {"sites": [json_site(connectivity="internet", sip_phones=2, mobile_apps=208)]}
    done = run_command_line(migrated_env, json.dumps(data), "--lang", "it")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["mcs"]["bandwidth_mbps"] == 100
    assert out["mcs"]["blockers"][0]["code"] == "sip_phones_over_internet"
    assert "raggiungibili solo via internet" in out["mcs"]["blockers"][0]["message"]


def test_the_command_line_exits_2_with_one_message_naming_the_field(
    migrated_env: dict[str, str],
) -> None:
    data = {"sites": [json_site(widgets=1)], "requirements": {"redundancy": 1}}
    done = run_command_line(migrated_env, json.dumps(data))
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "requirements.redundancy: must be true or false, not a whole number" in lines[0]


def test_the_command_line_exits_2_for_malformed_json(migrated_env: dict[str, str]) -> None:
    done = run_command_line(migrated_env, "{not json")
    assert done.returncode == 2
    assert "invalid JSON" in done.stderr
