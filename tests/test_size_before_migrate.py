"""`manage.py size` on a fresh clone, before `migrate`: one line saying to migrate, in the
language of `--lang`, a non-zero exit status, no traceback, and the database left as it was
(the command does not create tables behind the operator's back)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from sizing.inputs import COUNT_FIELDS

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")

NOT_MIGRATED = {
    "en": "the database has no sizing table yet: run `python manage.py migrate` first",
    "it": (
        "il database non ha ancora la tabella di dimensionamento: "
        "esegui prima `python manage.py migrate`"
    ),
}


def size_unmigrated(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command line against a database file that nothing has migrated."""
    data = {"sites": [{"name": "Milano", "connectivity": "lan", **dict.fromkeys(COUNT_FIELDS, 1)}]}
    source = tmp_path / "input.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    return subprocess.run(
        [sys.executable, MANAGE, "size", str(source), *args],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("lang", ["en", "it"])
def test_it_says_to_migrate_first_in_one_line(tmp_path: Path, lang: str) -> None:
    done = size_unmigrated(tmp_path, "--lang", lang)
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines() == [f"CommandError: {NOT_MIGRATED[lang]}"]


def test_it_leaves_the_fresh_database_without_tables(tmp_path: Path) -> None:
    size_unmigrated(tmp_path)
    with sqlite3.connect(tmp_path / "fresh.sqlite3") as db:
        tables = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert tables == []
