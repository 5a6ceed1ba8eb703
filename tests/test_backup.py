"""Backups that are proven to restore: scripts/backup, scripts/restore, scripts/verify-backup.

On the embedded default (SQLite and the media folder: always runs) and on the production
shape (PostgreSQL and S3 through moto's server: runs with DATABASE_URL=postgres://...). Each
test fills a database of its own with the demo data and stored files, backs it up, restores
into a new database and bucket, checks that every row count and every object's SHA-256
match, then damages the restored copy and checks that the verify step names what differs.
The scripts run as subprocesses, as an operator runs them.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from .production_support import (
    create_database,
    drop_database,
    require_production_shape,
    unique_name,
    with_database,
)

ROOT = Path(__file__).resolve().parent.parent
BACKUPS = str(ROOT / "scripts" / "backups.py")
WAIT = 180

# Migrate, load the demo data (which renders the PDF of the offer it sends) and store the
# organisation's logo through the application's own storage.
PREPARE = textwrap.dedent(
    """
    import hashlib, os
    import django
    django.setup()
    from django.conf import settings
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command
    from configurator.models import Organization
    from tests.factories import png
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", stdout=quiet)
        organization = Organization.objects.get(name="Demo Partner S.r.l.")
        logo = png(8, 8)
        organization.set_logo("image/png", hashlib.sha256(logo).hexdigest(), logo)
        organization.save()
    """
)


def _environment(**values: str) -> dict[str, str]:
    """This environment without the suite's database, broker and storage, plus `values`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT", "DJANGO_ALLOW_ASYNC_UNSAFE")
        and not name.startswith(("S3_", "AWS_"))
    }
    return {**env, "DJANGO_SETTINGS_MODULE": "config.settings", **values}


def _run(env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )


def _prepare(env: dict[str, str]) -> None:
    done = _run(env, "-c", PREPARE)
    assert done.returncode == 0, done.stdout + done.stderr


def _backups(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return _run(env, BACKUPS, *arguments)


def _manifest(backup: Path) -> dict[str, Any]:
    return dict(json.loads((backup / "manifest.json").read_text()))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- Embedded default: SQLite and the media folder ----------------------------------------


def _sqlite_rows(path: Path, query: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An embedded default's database and media folder with the demo data and a logo; the
    tests only read them (a backup never writes to its source)."""
    folder = tmp_path_factory.mktemp("embedded")
    database, media = folder / "db.sqlite3", folder / "media"
    _prepare(_embedded_env(database, media))
    return database, media


def _embedded_env(database: Path, media: Path, **values: str) -> dict[str, str]:
    return _environment(DATABASE_URL=f"sqlite:///{database}", MEDIA_ROOT=str(media), **values)


def test_it_backs_up_restores_and_verifies_the_embedded_default(
    embedded: tuple[Path, Path], tmp_path: Path
) -> None:
    database, media = embedded
    env = _embedded_env(database, media)
    backup = tmp_path / "backup"

    made = _backups(env, "backup", "--output", str(backup))
    assert made.returncode == 0, made.stdout + made.stderr
    manifest = _manifest(backup)
    # The manifest describes the source: its tables, migrations and files.
    tables = manifest["database"]["tables"]
    assert (
        tables["configurator_project"]
        == _sqlite_rows(database, "SELECT count(*) FROM configurator_project")[0][0]
    )
    assert tables["configurator_project"] > 0
    assert (
        len(manifest["database"]["migrations"])
        == _sqlite_rows(database, "SELECT count(*) FROM django_migrations")[0][0]
    )
    assert "configurator.0001_initial" in manifest["database"]["migrations"]
    stored = {
        p.relative_to(media).as_posix(): p.read_bytes() for p in media.rglob("*") if p.is_file()
    }
    # The demo's files: its brand logo and the PDF of the offer it sent.
    assert len(stored) == 2 and any(key.endswith(".pdf") for key in stored), stored.keys()
    assert {key: o["sha256"] for key, o in manifest["storage"]["objects"].items()} == {
        key: _sha256(data) for key, data in stored.items()
    }
    assert oct(backup.stat().st_mode & 0o777) == "0o700"  # customer data: operator only

    restored_db, restored_media = tmp_path / "restored.sqlite3", tmp_path / "restored-media"
    target = ["--database-url", f"sqlite:///{restored_db}", "--media-root", str(restored_media)]
    put = _backups(env, "restore", str(backup), *target)
    assert put.returncode == 0, put.stdout + put.stderr
    assert "verified" in put.stdout
    checked = _backups(env, "verify", str(backup), *target)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # Never over existing data.
    again = _backups(env, "restore", str(backup), *target)
    assert again.returncode == 2
    assert "--database-url" in again.stderr and "exists" in again.stderr

    # Damage the restored copy: one row fewer, one file changed, one row changed.
    connection = sqlite3.connect(restored_db)
    connection.execute(
        "DELETE FROM configurator_site WHERE id = (SELECT min(id) FROM configurator_site)"
    )
    connection.execute(
        "UPDATE configurator_customer SET company_name = 'Changed' "
        "WHERE id = (SELECT min(id) FROM configurator_customer)"
    )
    connection.commit()
    connection.close()
    (key,) = (key for key in stored if key.startswith("brand-logos/"))
    (restored_media / key).write_bytes(b"not the logo")
    damaged = _backups(env, "verify", str(backup), *target)
    assert damaged.returncode == 1, damaged.stdout + damaged.stderr
    sites = tables["configurator_site"]
    assert (
        f"table configurator_site: {sites} rows in the backup, {sites - 1} restored"
        in damaged.stdout
    )
    assert "table configurator_customer: same row count, but rows differ" in damaged.stdout
    assert f"object {key}: SHA-256" in damaged.stdout
    assert "3 difference(s)" in damaged.stdout


def test_backup_verify_restores_into_a_scratch_copy_and_removes_it(
    embedded: tuple[Path, Path], tmp_path: Path
) -> None:
    env = _embedded_env(*embedded, TMPDIR=str(tmp_path))

    made = _backups(env, "backup", "--output", str(tmp_path / "backup"), "--verify")
    assert made.returncode == 0, made.stdout + made.stderr
    assert "verified" in made.stdout
    assert not list(tmp_path.glob("tvox-verify-*")), "the scratch copy was left behind"


def test_it_refuses_to_restore_a_damaged_backup(
    embedded: tuple[Path, Path], tmp_path: Path
) -> None:
    env = _embedded_env(*embedded)
    backup = tmp_path / "backup"
    assert _backups(env, "backup", "--output", str(backup)).returncode == 0
    (stored,) = (p for p in (backup / "objects").rglob("*.pdf") if p.is_file())
    stored.write_bytes(stored.read_bytes() + b"!")

    restored_db = tmp_path / "restored.sqlite3"
    put = _backups(
        env, "restore", str(backup), "--database-url", f"sqlite:///{restored_db}",
        "--media-root", str(tmp_path / "restored-media"),
    )  # fmt: skip
    assert put.returncode == 2
    assert "damaged" in put.stderr
    assert f"object {stored.relative_to(backup / 'objects').as_posix()}" in put.stderr
    assert not restored_db.exists()


# libpq reads a database name with "=" or a URI prefix as a whole connection string: such
# a name in DATABASE_URL would point pg_dump or pg_restore at another server or database.
CRAFTED = [
    ("database name", "postgres://postgres@127.0.0.1:5432/dbname=postgres"),
    ("database name", "postgres://postgres@127.0.0.1:5432/host%3Devil%20dbname%3Dtvox"),
    ("database name", "postgres://postgres@127.0.0.1:5432/postgres:%2F%2Fevil%2Ftvox"),
    ("user", "postgres://us%20er%3Dx@127.0.0.1:5432/tvox"),
    ("host", "postgres://postgres@evil%2Cother:5432/tvox"),
]


@pytest.mark.parametrize(("field", "url"), CRAFTED)
def test_it_refuses_a_database_url_that_libpq_would_read_as_a_connection_string(
    tmp_path: Path, field: str, url: str
) -> None:
    env = _environment(DATABASE_URL=url, MEDIA_ROOT=str(tmp_path / "media"))
    backup = tmp_path / "backup"

    made = _backups(env, "backup", "--output", str(backup))
    assert made.returncode == 2, made.stdout + made.stderr
    assert f"DATABASE_URL: {field}" in made.stderr, made.stderr
    # Refused before anything ran: no folder, not even the partial one.
    assert list(tmp_path.iterdir()) == []


def test_the_scripts_run_the_module(tmp_path: Path) -> None:
    for script, word in (
        ("backup", "--verify"),
        ("restore", "--bucket"),
        ("verify-backup", "--media-root"),
    ):
        done = subprocess.run(
            [str(ROOT / "scripts" / script), "--help"],
            capture_output=True, text=True, timeout=WAIT, check=False, cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert word in done.stdout


# --- Production shape: PostgreSQL and S3 (moto's server) ---------------------------------


def _pg_rows(database_url: str, query: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(
        database_url.replace("postgres://", "postgresql://", 1), connect_timeout=5
    ) as connection:
        return connection.execute(query).fetchall()  # type: ignore[arg-type]


def _pg_execute(database_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(
        database_url.replace("postgres://", "postgresql://", 1), connect_timeout=5
    ) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


@pytest.mark.production_shape
def test_it_backs_up_restores_and_verifies_postgresql_and_s3(tmp_path: Path) -> None:
    from .production_support import moto_server, s3_client, s3_objects

    database_url, _redis_url = require_production_shape()
    source, restored = unique_name("tvox_ops_backup"), unique_name("tvox_ops_restored")
    source_url, restored_url = (with_database(database_url, n) for n in (source, restored))
    create_database(database_url, source)
    try:
        with moto_server(tmp_path) as endpoint:
            client = s3_client(endpoint)
            bucket, restored_bucket = "tvox-ops-source", "tvox-ops-restored"
            client.create_bucket(Bucket=bucket)
            s3 = {
                "S3_ENDPOINT_URL": endpoint,
                "S3_ACCESS_KEY_ID": "testing",
                "S3_SECRET_ACCESS_KEY": "testing",
                "S3_REGION": "us-east-1",
            }
            empty_media = tmp_path / "media"  # stays empty: every file goes to S3
            env = _environment(
                DATABASE_URL=source_url, S3_BUCKET=bucket, MEDIA_ROOT=str(empty_media), **s3
            )
            _prepare(env)
            source_objects = s3_objects(client, bucket)
            backup = tmp_path / "backup"

            made = _backups(env, "backup", "--output", str(backup), "--verify")
            assert made.returncode == 0, made.stdout + made.stderr
            assert "verified" in made.stdout and "_verify_" in made.stdout
            manifest = _manifest(backup)
            assert manifest["database"]["engine"] == "postgresql"
            assert manifest["database"]["tables"]["reports_proposal"] == 1
            assert (
                manifest["database"]["tables"]["configurator_site"]
                == _pg_rows(source_url, "SELECT count(*) FROM configurator_site")[0][0]
            )
            objects = manifest["storage"]["objects"]
            assert {key: o["sha256"] for key, o in objects.items()} == {
                key: _sha256(data) for key, data in source_objects.items()
            }
            # The PDF in the backup is the one the database recorded when the demo rendered it.
            ((pdf_key, pdf_sha256),) = _pg_rows(
                source_url, "SELECT pdf_key, sha256 FROM reports_proposal"
            )
            assert objects[pdf_key]["sha256"] == pdf_sha256
            assert len(objects) == 2  # the PDF and the logo
            # The scratch database and bucket of --verify are gone.
            scratch = _pg_rows(
                with_database(database_url, "postgres"),
                "SELECT datname FROM pg_database WHERE datname LIKE 'tvox_ops_backup_%_verify_%'",
            )
            assert scratch == []
            assert [b["Name"] for b in client.list_buckets()["Buckets"]] == [bucket]

            target = ["--database-url", restored_url, "--bucket", restored_bucket]
            put = _backups(env, "restore", str(backup), *target)
            assert put.returncode == 0, put.stdout + put.stderr
            assert s3_objects(client, restored_bucket) == source_objects
            # Served with the type the application stored it with.
            restored_type = client.head_object(Bucket=restored_bucket, Key=pdf_key)["ContentType"]
            assert restored_type == "application/pdf"
            checked = _backups(env, "verify", str(backup), *target)
            assert checked.returncode == 0, checked.stdout + checked.stderr

            # Damage the restored copy: a row deleted, the PDF replaced.
            _pg_rows(
                restored_url,
                "DELETE FROM configurator_site "
                "WHERE id = (SELECT min(id) FROM configurator_site) RETURNING id",
            )
            client.put_object(Bucket=restored_bucket, Key=pdf_key, Body=b"%PDF-not-the-proposal")
            damaged = _backups(env, "verify", str(backup), *target)
            assert damaged.returncode == 1, damaged.stdout + damaged.stderr
            sites = manifest["database"]["tables"]["configurator_site"]
            assert (
                f"table configurator_site: {sites} rows in the backup, {sites - 1} restored"
                in damaged.stdout
            )
            assert f"object {pdf_key}: SHA-256" in damaged.stdout
            assert "2 difference(s)" in damaged.stdout
            assert not empty_media.exists() or not any(empty_media.iterdir())
    finally:
        drop_database(database_url, source)
        drop_database(database_url, restored)


@pytest.mark.production_shape
def test_a_restore_into_a_crafted_database_name_reaches_no_other_database(
    tmp_path: Path,
) -> None:
    database_url, _redis_url = require_production_shape()
    source, victim = unique_name("tvox_ops_source"), unique_name("tvox_ops_victim")
    crafted = f"dbname={victim}"
    maintenance = with_database(database_url, "postgres")
    create_database(database_url, source)
    create_database(database_url, victim)  # existing and empty: a restore must not land here
    try:
        source_url = with_database(database_url, source)
        _pg_execute(source_url, "CREATE TABLE kept AS SELECT 1 AS id")
        env = _environment(DATABASE_URL=source_url, MEDIA_ROOT=str(tmp_path / "media"))
        backup = tmp_path / "backup"
        made = _backups(env, "backup", "--output", str(backup))
        assert made.returncode == 0, made.stdout + made.stderr

        put = _backups(
            env, "restore", str(backup), "--database-url",
            with_database(database_url, crafted.replace("=", "%3D")),
            "--media-root", str(tmp_path / "restored-media"),
        )  # fmt: skip
        assert put.returncode == 2, put.stdout + put.stderr
        assert "--database-url: database name" in put.stderr, put.stderr
        # Nothing restored: not into the victim (what libpq read the name as), and no
        # database of that literal name created either.
        tables = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        assert _pg_rows(with_database(database_url, victim), tables) == []
        databases = {name for (name,) in _pg_rows(maintenance, "SELECT datname FROM pg_database")}
        assert victim in databases and crafted not in databases
        assert not (tmp_path / "restored-media").exists()
    finally:
        for name in (source, victim, crafted):
            drop_database(database_url, name)
