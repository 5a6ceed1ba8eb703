"""scripts/audit_dependencies.py decides without the network: PyPI's answers are given."""

from __future__ import annotations

import importlib.util
import sys
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
    audit = auditor.Audit({"pycrypto": "2.6.1"})
    auditor._fallback(audit, "pycrypto", _project("2.6.1", PYSEC))
    assert [(f.name, f.vulnerability) for f in audit.findings] == [("pycrypto", "PYSEC-2017-94")]
    assert auditor._print(audit, allow_unaudited=True) == 1
    assert "VULNERABLE: pycrypto==2.6.1: PYSEC-2017-94 (CVE-2013-7459)" in capsys.readouterr().out


def test_it_skips_withdrawn_and_ignored_vulnerabilities(
    auditor: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auditor, "IGNORED", {"CVE-2013-7459": "not reachable in our code"})
    withdrawn = {**PYSEC, "id": "PYSEC-2018-1", "aliases": [], "withdrawn": "2020-01-01"}
    audit = auditor.Audit({"pycrypto": "2.6.1"})
    auditor._fallback(audit, "pycrypto", _project("2.6.1", PYSEC, withdrawn))
    assert audit.findings == []
    assert audit.by_fallback == ["pycrypto"]


def test_it_lists_an_older_pin_as_not_audited(
    auditor: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    audit = auditor.Audit({"requests": "2.19.0", "django": "6.1.3"})
    auditor._fallback(audit, "requests", _project("2.34.2"))
    auditor._fallback(audit, "django", _project("6.1.3"))
    assert audit.unaudited == {"requests": "2.19.0 (latest 2.34.2): no data for older releases"}
    assert auditor._print(audit, allow_unaudited=False) == 2
    output = capsys.readouterr().out
    assert "NOT AUDITED: 1 requirement(s)" in output
    assert "requests==2.19.0 (latest 2.34.2)" in output
    # Allowed, the partial audit passes but still names what it did not check.
    assert auditor._print(audit, allow_unaudited=True) == 0
    assert "requests==2.19.0" in capsys.readouterr().out


def test_an_audit_that_checked_nothing_fails_even_when_allowed(auditor: ModuleType) -> None:
    audit = auditor.Audit({"django": "6.1.3"})
    auditor._fallback(audit, "django", "https://pypi.org/pypi/django/json: timed out")
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

    monkeypatch.setattr(auditor, "_pip_audit", lambda requirements: NoAudit())
    monkeypatch.setattr(auditor, "_project", lambda name: _project("6.1.3"))
    result = auditor.audit("django==6.1.3\nweasyprint @ git+https://example.com/weasyprint\n")
    assert result.unaudited == {
        "weasyprint @ git+https://example.com/weasyprint": " is not a name==version pin"
    }
    assert result.findings == []
