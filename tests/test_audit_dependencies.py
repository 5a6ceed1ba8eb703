"""scripts/audit_dependencies.py decides without the network: PyPI's answers are given."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Collection
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "audit_dependencies.py"


@pytest.fixture(scope="module")
def auditor() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _project(latest: str, *vulnerabilities: dict[str, Any]) -> dict[str, Any]:
    return {"info": {"version": latest}, "vulnerabilities": list(vulnerabilities)}


PYSEC = {"id": "PYSEC-2017-94", "aliases": ["CVE-2013-7459"], "fixed_in": [], "withdrawn": None}


def test_it_reports_a_vulnerability_of_a_pin_at_the_latest_release(
    auditor: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    audit = auditor.Audit([("pycrypto", "2.6.1")])
    auditor._fallback(audit, ("pycrypto", "2.6.1"), _project("2.6.1", PYSEC))
    assert [(f.name, f.vulnerability) for f in audit.findings] == [("pycrypto", "PYSEC-2017-94")]
    assert auditor._print(audit, allow_unaudited=True) == 1
    assert "VULNERABLE: pycrypto==2.6.1: PYSEC-2017-94 (CVE-2013-7459)" in capsys.readouterr().out


def test_it_skips_withdrawn_and_ignored_vulnerabilities(
    auditor: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auditor, "IGNORED", {"CVE-2013-7459": "not reachable in our code"})
    withdrawn = {**PYSEC, "id": "PYSEC-2018-1", "aliases": [], "withdrawn": "2020-01-01"}
    audit = auditor.Audit([("pycrypto", "2.6.1")])
    auditor._fallback(audit, ("pycrypto", "2.6.1"), _project("2.6.1", PYSEC, withdrawn))
    assert audit.findings == []
    assert audit.by_fallback == [("pycrypto", "2.6.1")]


def test_it_lists_an_older_pin_as_not_audited(
    auditor: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    audit = auditor.Audit([("django", "6.1.3"), ("requests", "2.19.0")])
    auditor._fallback(audit, ("requests", "2.19.0"), _project("2.34.2"))
    auditor._fallback(audit, ("django", "6.1.3"), _project("6.1.3"))
    assert audit.unaudited == {"requests==2.19.0": "latest is 2.34.2: no data for older releases"}
    assert auditor._print(audit, allow_unaudited=False) == 2
    output = capsys.readouterr().out
    assert "NOT AUDITED: 1 requirement(s)" in output
    assert "requests==2.19.0: latest is 2.34.2" in output
    # Allowed, the partial audit passes but still names what it did not check.
    assert auditor._print(audit, allow_unaudited=True) == 0
    assert "requests==2.19.0" in capsys.readouterr().out


def test_an_audit_that_checked_nothing_fails_even_when_allowed(auditor: ModuleType) -> None:
    audit = auditor.Audit([("django", "6.1.3")])
    auditor._fallback(audit, ("django", "6.1.3"), "https://pypi.org/pypi/django/json: timed out")
    assert auditor._print(audit, allow_unaudited=True) == 2


def test_it_reads_the_pins_of_uv_export(auditor: ModuleType) -> None:
    exported = (
        "# via uv export\namqp==5.4.2\n    # via kombu\n"
        "Django==6.1.3 ; python_full_version >= '3.12'\nzope.interface==7.2\n"
    )
    assert auditor.PIN.findall(exported) == [
        ("amqp", "5.4.2"),
        ("Django", "6.1.3"),
        ("zope.interface", "7.2"),
    ]


def test_it_names_a_requirement_that_is_not_a_pin(
    auditor: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    class NoAudit:
        returncode = 0

        def communicate(self, timeout: float) -> tuple[str, str]:
            return '{"dependencies": [{"name": "django", "version": "6.1.3", "vulns": []}]}', ""

        def poll(self) -> int:
            return self.returncode

    monkeypatch.setattr(auditor, "_pip_audit", lambda requirements: NoAudit())
    monkeypatch.setattr(auditor, "_project", lambda name: _project("6.1.3"))
    result = auditor.audit("django==6.1.3\nweasyprint @ git+https://example.com/weasyprint\n")
    assert result.unaudited == {
        "weasyprint @ git+https://example.com/weasyprint": "not a name==version pin"
    }
    assert result.findings == []


# --- pip-audit's report against the pins -------------------------------------------------


class FakePipAudit:
    """pip-audit on one requirements file, as its JSON report: every pin of the file except
    the `silent` ones (name, version), names spelled as `spell` writes them, `vulns` by pin.
    Like pip-audit, it fails on a file that names a package twice."""

    def __init__(
        self,
        requirements: Path,
        silent: Collection[tuple[str, str]],
        vulns: dict[tuple[str, str], list[dict[str, Any]]],
        skipped: Collection[str],
    ) -> None:
        pins = re.findall(r"^(.+)==(.+)$", requirements.read_text(), re.MULTILINE)
        names = [name for name, _ in pins]
        self.returncode, self.stdout = 0, ""
        if len(set(names)) != len(names):
            self.returncode = 1  # "package numpy has duplicate requirements"
            return
        dependencies: list[dict[str, Any]] = []
        for name, version in pins:
            if (name, version) in silent:
                continue
            spelled = name.upper().replace("-", "_")
            if name in skipped:
                dependencies.append({"name": spelled, "skip_reason": "not found on PyPI"})
                continue
            found = vulns.get((name, version), [])
            dependencies.append({"name": spelled, "version": version, "vulns": found})
            self.returncode = 1 if found else self.returncode
        self.stdout = json.dumps({"dependencies": dependencies, "fixes": []})

    def communicate(self, timeout: float) -> tuple[str, str]:
        return self.stdout, ""

    def poll(self) -> int:
        return self.returncode


def _run(
    auditor: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    lock: str,
    silent: Collection[tuple[str, str]] = (),
    vulns: dict[tuple[str, str], list[dict[str, Any]]] | None = None,
    skipped: Collection[str] = (),
) -> int:
    """scripts/audit_dependencies.py --requirements on `lock`, pip-audit and PyPI faked."""
    monkeypatch.setattr(
        auditor,
        "_pip_audit",
        lambda requirements: FakePipAudit(requirements, silent, vulns or {}, skipped),
    )
    monkeypatch.setattr(auditor, "_project", lambda name: f"{name}: no network in tests")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(lock)
    return int(auditor.main(["--requirements", str(requirements)]))


GHSA = {"id": "GHSA-xxxx-0001", "aliases": ["CVE-2099-0001"], "fix_versions": ["2.0.0"]}


def test_a_pin_missing_from_pip_audits_report_is_not_audited(
    auditor: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lock = "django==6.1.3\nrequests==2.32.0\n"
    status = _run(auditor, monkeypatch, tmp_path, lock, silent={("requests", "2.32.0")})

    output = capsys.readouterr().out
    assert status == 2, output
    assert "2 pinned packages, 1 audited" in output
    assert "NOT AUDITED: 1 requirement(s)" in output
    assert "requests==2.32.0: pip-audit's report does not mention it" in output


def test_every_pin_in_the_report_is_audited(
    auditor: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run(auditor, monkeypatch, tmp_path, "django==6.1.3\nrequests==2.32.0\n") == 0
    output = capsys.readouterr().out
    assert "2 pinned packages, 2 audited" in output
    assert "NOT AUDITED" not in output


def test_two_versions_of_a_name_are_two_pins_each_audited(
    auditor: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # uv's forked resolution: one version per Python; the older one is vulnerable.
    lock = (
        "numpy==1.26.4 ; python_full_version < '3.13'\n"
        "numpy==2.2.0 ; python_full_version >= '3.13'\n"
    )
    status = _run(auditor, monkeypatch, tmp_path, lock, vulns={("numpy", "1.26.4"): [GHSA]})

    output = capsys.readouterr().out
    assert status == 1, output
    assert "2 pinned packages, 2 audited" in output
    assert "VULNERABLE: numpy==1.26.4: GHSA-xxxx-0001 (CVE-2099-0001)" in output


def test_a_second_version_missing_from_the_report_is_not_audited(
    auditor: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lock = "numpy==1.26.4\nnumpy==2.2.0\n"
    status = _run(auditor, monkeypatch, tmp_path, lock, silent={("numpy", "1.26.4")})

    output = capsys.readouterr().out
    assert status == 2, output
    assert "2 pinned packages, 1 audited" in output
    assert "numpy==1.26.4: pip-audit's report does not mention it" in output


def test_names_spelled_with_case_dots_and_underscores_are_one_name(
    auditor: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lock = "Zope.Interface==7.2\nzope_interface==7.2\nzope--interface==7.1\n"
    status = _run(auditor, monkeypatch, tmp_path, lock, vulns={("zope-interface", "7.1"): [GHSA]})

    output = capsys.readouterr().out
    assert status == 1, output
    assert "2 pinned packages, 2 audited" in output  # 7.2 once, 7.1 once
    assert "VULNERABLE: zope-interface==7.1: GHSA-xxxx-0001" in output


def test_a_skipped_pin_without_fallback_data_is_not_audited(
    auditor: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lock = "django==6.1.3\nprivate-tool==1.0\n"
    status = _run(auditor, monkeypatch, tmp_path, lock, skipped={"private-tool"})

    output = capsys.readouterr().out
    assert status == 2, output
    assert "2 pinned packages, 1 audited" in output
    assert "private-tool==1.0: private-tool: no network in tests" in output
