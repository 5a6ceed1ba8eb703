"""Audit the locked dependencies (uv.lock) for known vulnerabilities; run by
scripts/audit-dependencies, `make audit` and CI.

pip-audit checks every pinned version against PyPI's vulnerability data (from OSV). Where
pip-audit cannot get that data for a pin (a mirror without PyPI's per-version
`/pypi/<name>/<version>/json`, as on the development machine, or no network), the pin is
checked against the project endpoint `/pypi/<name>/json`, whose `vulnerabilities` are those
of the project's latest release: exact for a pin at the latest release, nothing for an
older one. A pin that neither source can check is listed as NOT AUDITED, and so is a pin
that pip-audit's report does not mention at all. A pin is its name (PEP 503: Django,
django and DJANGO are one) and its version: two versions of one name (uv's forked
resolution, one per Python or platform) are two pins, each audited (by separate pip-audit
runs, as pip-audit refuses two versions of a name in one file).

Exit status: 0 all audited and clean; 1 a known vulnerability (the step fails); 2 pins not
audited (unless --allow-unaudited, which prints them as loudly and exits 0 when at least
one pin was audited: an audit that checked nothing always fails); 3 the tool itself failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess  # nosec B404 # runs uv and pip-audit with fixed arguments, no shell
import sys
import tempfile
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
PYPI = "https://pypi.org/pypi"
TIMEOUT = 20
# Reviewed vulnerabilities that do not apply to us: id -> why. Each is passed to pip-audit
# as --ignore-vuln and skipped in the fallback too (by id or alias). Keep it empty unless
# a reason is written here; remove an entry once the pin moves past the fix.
IGNORED: dict[str, str] = {}

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


@dataclass
class Finding:
    name: str
    version: str
    vulnerability: str
    aliases: list[str]
    fixed_in: list[str]
    source: str


# (PEP 503 name, version): what is audited
Pin = tuple[str, str]


@dataclass
class Audit:
    pins: list[Pin]
    findings: list[Finding] = field(default_factory=list)
    audited: set[Pin] = field(default_factory=set)
    # pin (name==version) or requirement line -> why it could not be audited
    unaudited: dict[str, str] = field(default_factory=dict)
    by_fallback: list[Pin] = field(default_factory=list)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _version(version: str) -> str:
    """The version as pip-audit writes it (1.0-1 and 1.0.post1 are one)."""
    try:
        return str(Version(version))
    except InvalidVersion:
        return version


def _label(pin: Pin) -> str:
    return f"{pin[0]}=={pin[1]}"


def pins_of(requirements_text: str) -> list[Pin]:
    return sorted({(_normalise(n), _version(v)) for n, v in PIN.findall(requirements_text)})


def _runs(pins: list[Pin]) -> list[list[Pin]]:
    """The pins in as few lists as hold each name once (pip-audit refuses a name twice)."""
    runs: list[list[Pin]] = []
    for pin in pins:
        free = next((run for run in runs if all(pin[0] != name for name, _ in run)), None)
        if free is None:
            runs.append(free := [])
        free.append(pin)
    return runs


def locked_requirements() -> str:
    """The lock as pins (every group: the dev tools run in CI and on our machines)."""
    # scripts/audit-dependencies passes the uv that scripts/lib.sh found.
    uv = os.environ.get("UV_COMMAND", "").split() or [shutil.which("uv") or "uv"]
    command = [*uv, "export", "--frozen", "--no-hashes", "--format", "requirements-txt"]
    try:
        done = subprocess.run(  # noqa: S603  # nosec B603 # fixed arguments
            command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
        )
    except OSError as exc:
        message = f"audit: cannot run uv ({exc}); set UV_COMMAND or use --requirements"
        raise SystemExit(message) from exc
    if done.returncode != 0:
        raise SystemExit(f"audit: `uv export` failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def _pip_audit(requirements: Path) -> subprocess.Popen[str]:
    command = [
        sys.executable, "-m", "pip_audit", "--requirement", str(requirements),
        "--no-deps", "--disable-pip", "--format", "json", "--progress-spinner", "off",
        "--timeout", str(TIMEOUT),
    ]  # fmt: skip
    for vulnerability in IGNORED:
        command += ["--ignore-vuln", vulnerability]
    return subprocess.Popen(  # noqa: S603  # nosec B603 # fixed arguments
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _project(name: str) -> dict[str, Any] | str:
    """PyPI's project JSON, or why it could not be read."""
    url = f"{PYPI}/{name}/json"
    try:
        # An https URL of a constant host (ruff S310, bandit B310 ask about the scheme).
        with urllib.request.urlopen(url, timeout=TIMEOUT) as answer:  # noqa: S310  # nosec B310
            return dict(json.load(answer))
    except (OSError, ValueError) as exc:
        return f"{url}: {exc}"


def _ignored(vulnerability: dict[str, Any]) -> bool:
    return bool({vulnerability["id"], *vulnerability.get("aliases", [])} & set(IGNORED))


def _fallback(audit: Audit, pin: Pin, project: dict[str, Any] | str) -> None:
    name, version = pin
    if isinstance(project, str):
        audit.unaudited[_label(pin)] = project
        return
    latest = project.get("info", {}).get("version")
    if "vulnerabilities" not in project or latest is None:
        audit.unaudited[_label(pin)] = "PyPI's project JSON has no vulnerability data"
        return
    if _version(latest) != version:
        audit.unaudited[_label(pin)] = f"latest is {latest}: no data for older releases"
        return
    audit.audited.add(pin)
    audit.by_fallback.append(pin)
    for vulnerability in project["vulnerabilities"]:
        if vulnerability.get("withdrawn") or _ignored(vulnerability):
            continue
        audit.findings.append(
            Finding(
                name,
                version,
                vulnerability["id"],
                list(vulnerability.get("aliases", [])),
                list(vulnerability.get("fixed_in", [])),
                "PyPI project JSON",
            )
        )


def audit(requirements_text: str) -> Audit:
    pins = pins_of(requirements_text)
    if not pins:
        raise SystemExit("audit: no pinned requirement (name==version) found")
    result = Audit(pins)
    # A requirement that is not a name==version pin (a URL, a path) cannot be audited by
    # version: named, never skipped in silence.
    for line in requirements_text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "-")) and not PIN.match(line):
            result.unaudited[line] = "not a name==version pin"
    runs = _runs(pins)
    with tempfile.TemporaryDirectory(prefix="tvox-audit-") as folder:
        processes = []
        for number, run in enumerate(runs):
            requirements = Path(folder) / f"requirements-{number}.txt"
            requirements.write_text("".join(f"{_label(pin)}\n" for pin in run))
            processes.append(_pip_audit(requirements))
        # The fallback's data is fetched while pip-audit runs: both take seconds.
        names = sorted({name for name, _ in pins})
        with ThreadPoolExecutor(max_workers=16) as pool:
            projects = dict(zip(names, pool.map(_project, names), strict=True))
        try:
            reports = [_report(process) for process in processes]
        finally:  # one run failed: the others are not left running
            for process in processes:
                if process.poll() is None:
                    process.kill()
    for run, report in zip(runs, reports, strict=True):
        _read_report(result, run, report, projects)
    # What no source answered for is not audited: named, never counted in silence.
    for pin in pins:
        if pin not in result.audited and _label(pin) not in result.unaudited:
            result.unaudited[_label(pin)] = "pip-audit's report does not mention it"
    return result


def _report(process: subprocess.Popen[str]) -> dict[str, Any]:
    stdout, stderr = process.communicate(timeout=600)
    if process.returncode not in (0, 1):
        raise SystemExit(f"audit: pip-audit failed ({process.returncode}):\n{stderr[-3000:]}")
    try:
        return dict(json.loads(stdout))
    except ValueError as exc:
        raise SystemExit(f"audit: pip-audit's report is not JSON: {exc}\n{stderr}") from exc


def _read_report(
    result: Audit, run: list[Pin], report: dict[str, Any], projects: dict[str, Any]
) -> None:
    """One pip-audit report on `run`, whose pins each have a name of their own."""
    pins = {name: (name, version) for name, version in run}
    for dependency in report["dependencies"]:
        name = _normalise(dependency["name"])
        if "skip_reason" in dependency:  # named, without a version
            if name in pins:
                _fallback(result, pins[name], projects[name])
            continue
        pin = (name, _version(str(dependency["version"])))
        if pin in run:
            result.audited.add(pin)
        for vulnerability in dependency.get("vulns", []):
            result.findings.append(
                Finding(
                    name,
                    dependency["version"],
                    vulnerability["id"],
                    vulnerability.get("aliases", []),
                    vulnerability.get("fix_versions", []),
                    "pip-audit",
                )
            )


def _print(result: Audit, allow_unaudited: bool) -> int:
    audited = len(result.audited & set(result.pins))
    print(f"audit: {len(result.pins)} pinned packages, {audited} audited", end="")
    if result.by_fallback:
        print(f" ({len(result.by_fallback)} through PyPI's project JSON: pip-audit had no data)")
    else:
        print()
    for reason_id, reason in IGNORED.items():
        print(f"audit: ignoring {reason_id}: {reason}")
    for finding in result.findings:
        fixed = ", ".join(finding.fixed_in) or "no fixed release"
        aliases = f" ({', '.join(finding.aliases)})" if finding.aliases else ""
        print(
            f"VULNERABLE: {finding.name}=={finding.version}: {finding.vulnerability}{aliases}; "
            f"fixed in: {fixed} [{finding.source}]"
        )
    if result.unaudited:
        banner = "!" * 78
        print(f"{banner}\nNOT AUDITED: {len(result.unaudited)} requirement(s): no vulnerability")
        print("data could be had for them.")
        for requirement, why in sorted(result.unaudited.items()):
            print(f"  {requirement}: {why}")
        if allow_unaudited:
            print("--allow-unaudited: not a failure; these pins are NOT known to be safe.")
        print(banner)
    if result.findings:
        return 1
    if audited == 0:
        print("audit: FAILED: no vulnerability data for any pin; nothing was checked")
        return 2
    if result.unaudited and not allow_unaudited:
        return 2
    print("audit: no known vulnerability in the audited pins")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requirements",
        type=Path,
        help="audit this requirements file instead of the lock (pins name==version)",
    )
    parser.add_argument(
        "--allow-unaudited",
        action="store_true",
        help="exit 0 when some pins could not be audited (they are still listed)",
    )
    args = parser.parse_args(argv)
    text = ""
    if args.requirements is not None:
        try:
            text = args.requirements.read_text()
        except OSError as exc:
            parser.error(f"--requirements: {exc}")
    try:
        text = locked_requirements() if args.requirements is None else text
        result = audit(text)
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 3
    return _print(result, args.allow_unaudited)


if __name__ == "__main__":
    sys.exit(main())
