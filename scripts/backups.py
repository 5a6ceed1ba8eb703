"""Back up, restore and verify the configurator's data: the database and the file storage.

    scripts/backup [--output DIR] [--verify]
    scripts/restore BACKUP --database-url URL (--bucket NAME | --media-root DIR)
    scripts/verify-backup BACKUP --database-url URL (--bucket NAME | --media-root DIR)

The source is what the application uses, read from the same environment (DATABASE_URL,
S3_BUCKET and the other S3_ variables, MEDIA_ROOT): PostgreSQL and S3 in production,
SQLite and the media folder on the embedded default. A PostgreSQL URL's database name and
user are letters, digits and _, its host also - . and :; anything else is refused, as libpq
could read it as a connection string to another server or database.

A backup is one directory: the database (`pg_dump --format=custom`, or a copy made with
SQLite's backup API), every stored object under `objects/`, and `manifest.json` with the
time, the database engine, every table's row count, the applied migrations, and every
object's size and SHA-256. On PostgreSQL the counts are taken in the snapshot that pg_dump
dumps (`pg_export_snapshot()`); on SQLite they are counted in the copy itself: either way
they describe exactly the dumped data while the application keeps running.

`restore` puts a backup into a NEW database and a NEW (or empty) bucket or folder, never
over existing data, and then verifies it. `verify-backup` compares a restored copy with
the manifest: every table's row count, the migrations, every object's SHA-256, and the
backup's own files; it exits 1 naming each difference. `backup --verify` restores into a
scratch database and bucket, verifies, and removes them.

Exit status: 0 done; 1 a verification found differences; 2 the operation could not be
done (the message names the option or the missing tool).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404 # runs pg_dump and pg_restore, resolved paths, no shell
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parent.parent
FORMAT = 1
MANIFEST = "manifest.json"
OBJECTS = "objects"
CHUNK = 1 << 20
PG_MAJOR = 15  # the server's version; pg_dump must not be older
# What a database URL may name: nothing libpq reads as a connection string or a host list.
PG_NAME = re.compile(r"[A-Za-z0-9_]+", re.ASCII)
PG_HOST = re.compile(r"[A-Za-z0-9_.:-]+", re.ASCII)
PG_PORT = re.compile(r"[0-9]{1,5}", re.ASCII)


class Failure(Exception):
    """The operation cannot be done; the message says why, naming the option."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_key(key: str) -> PurePosixPath:
    """An object key as a relative path that stays inside the backup's folder."""
    path = PurePosixPath(key)
    if (
        not key
        or path.is_absolute()
        or "\\" in key
        or any(p in ("", ".", "..") for p in key.split("/"))
    ):
        raise Failure(f"object key {key!r} cannot be stored as a file; refusing it")
    return path


# --- Databases -------------------------------------------------------------------------


@dataclass
class DatabaseState:
    tables: dict[str, int]  # table -> rows
    # table -> digest of its rows, order-independent: a changed row with the count intact
    checksums: dict[str, str]
    migrations: list[str]


def _migrations(connection: Any, tables: dict[str, int]) -> list[str]:
    if "django_migrations" not in tables:
        return []
    rows = connection.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [f"{app}.{name}" for app, name in rows]


class Database(Protocol):
    engine: str

    def describe(self) -> str: ...
    def dump(self, destination: Path) -> DatabaseState: ...
    def ensure_new(self) -> None: ...
    def restore(self, dump: Path) -> None: ...
    def state(self) -> DatabaseState: ...
    def drop(self) -> None: ...


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise Failure(f"{name} is not on PATH: install postgresql-client-{PG_MAJOR}")
    return path


def _check_client(tool: str, connection: Any) -> None:
    """pg_dump and pg_restore refuse a newer server: say so before they start."""
    done = subprocess.run(  # noqa: S603  # nosec B603 # resolved tool, fixed argument
        [tool, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    found = re.search(r"\(PostgreSQL\) (\d+)", done.stdout)
    client = int(found.group(1)) if found else 0
    server = int(connection.execute("SHOW server_version_num").fetchone()[0]) // 10000
    if client < server:
        raise Failure(
            f"{Path(tool).name} {client} is older than the PostgreSQL server ({server}): "
            f"install postgresql-client-{server}"
        )


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603  # nosec B603 # resolved tool, arguments of ours
        command, env=env, capture_output=True, text=True, timeout=3600, check=False
    )
    if done.returncode != 0:
        raise Failure(f"{Path(command[0]).name} exited {done.returncode}: {done.stderr.strip()}")


@dataclass
class Postgres:
    name: str
    user: str
    password: str
    host: str
    port: str
    options: dict[str, Any] = field(default_factory=dict)
    engine: str = "postgresql"

    @classmethod
    def from_config(cls, config: dict[str, Any], option: str) -> Postgres:
        database = cls(
            name=str(config.get("NAME") or ""),
            user=str(config.get("USER") or ""),
            password=str(config.get("PASSWORD") or ""),
            host=str(config.get("HOST") or "127.0.0.1"),
            port=str(config.get("PORT") or 5432),
            options=dict(config.get("OPTIONS") or {}),
        )
        database.refuse_connection_strings(option)
        return database

    def refuse_connection_strings(self, option: str) -> None:
        """Names only, before anything runs: pg_restore's --dbname reads a name with "=" or
        a postgres:// prefix as a whole connection string (another server or database),
        and a host with "," as a list of servers."""
        letters = "letters, digits and _"
        checks = [
            ("database name", self.name, PG_NAME, letters),
            ("host", self.host, PG_HOST, "letters, digits, _ - . and : (IPv6)"),
            ("port", self.port, PG_PORT, "digits"),
        ]
        if self.user:  # none: libpq's default, the operating system's user name
            checks.append(("user", self.user, PG_NAME, letters))
        for what, value, pattern, allowed in checks:
            if not pattern.fullmatch(value):
                raise Failure(f"{option}: {what} {value!r} refused: only {allowed} are allowed")

    def describe(self) -> str:
        return f"PostgreSQL database {self.name} on {self.host}:{self.port}"

    def _connect(self, dbname: str | None = None, autocommit: bool = False) -> Any:
        import psycopg

        return psycopg.connect(
            dbname=dbname or self.name,
            user=self.user or None,
            password=self.password or None,
            host=self.host,
            port=self.port,
            connect_timeout=10,
            autocommit=autocommit,
            **{k: v for k, v in self.options.items() if k in ("sslmode", "sslrootcert")},
        )

    def _environment(self) -> dict[str, str]:
        """libpq's variables: the password never appears on a command line."""
        env = dict(os.environ, PGHOST=self.host, PGPORT=self.port, PGDATABASE=self.name)
        if self.user:
            env["PGUSER"] = self.user
        if self.password:
            env["PGPASSWORD"] = self.password
        if "sslmode" in self.options:
            env["PGSSLMODE"] = str(self.options["sslmode"])
        return env

    @staticmethod
    def _state(connection: Any) -> DatabaseState:
        from psycopg import sql

        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        # Row texts depend on the session's time zone: the same one on every side.
        connection.execute("SET TIME ZONE 'UTC'")
        counts, checksums = {}, {}
        for table in tables:
            counts[table], checksums[table] = connection.execute(
                sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' "
                    "ORDER BY md5(t::text)), '')) FROM {} AS t"
                ).format(sql.Identifier(table))
            ).fetchone()
        return DatabaseState(counts, checksums, _migrations(connection, counts))

    def dump(self, destination: Path) -> DatabaseState:
        from psycopg import IsolationLevel

        pg_dump = _tool("pg_dump")
        with self._connect() as connection:
            # One snapshot for the counts and for pg_dump: they describe the same data.
            connection.isolation_level = IsolationLevel.REPEATABLE_READ
            connection.read_only = True
            _check_client(pg_dump, connection)
            (snapshot,) = connection.execute("SELECT pg_export_snapshot()").fetchone()
            state = self._state(connection)
            _run(
                [
                    pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                    f"--snapshot={snapshot}", f"--file={destination}",
                ],
                self._environment(),
            )  # fmt: skip
            connection.rollback()
        return state

    def ensure_new(self) -> None:
        with self._connect("postgres", autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (self.name,)
            ).fetchone()
        if exists:
            raise Failure(
                f"--database-url: database {self.name} exists; a restore goes into a "
                "new database, never over one"
            )

    def restore(self, dump: Path) -> None:
        from psycopg import sql

        pg_restore = _tool("pg_restore")
        self.ensure_new()
        with self._connect("postgres", autocommit=True) as connection:
            _check_client(pg_restore, connection)
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
        _run(
            [pg_restore, "--exit-on-error", "--no-owner", "--no-privileges",
             f"--dbname={self.name}", str(dump)],
            self._environment(),
        )  # fmt: skip

    def state(self) -> DatabaseState:
        with self._connect(autocommit=True) as connection:
            return self._state(connection)

    def drop(self) -> None:
        from psycopg import sql

        with self._connect("postgres", autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@dataclass
class SQLite:
    path: Path
    engine: str = "sqlite"

    def describe(self) -> str:
        return f"SQLite database {self.path}"

    def dump(self, destination: Path) -> DatabaseState:
        if not self.path.is_file():
            raise Failure(f"DATABASE_URL: {self.path} does not exist")
        source = sqlite3.connect(self.path, timeout=30)
        copy = sqlite3.connect(destination)
        try:
            # The backup API copies a consistent state while the application writes.
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return SQLite(destination).state()

    def ensure_new(self) -> None:
        if self.path.exists():
            raise Failure(
                f"--database-url: {self.path} exists; a restore goes into a new database file"
            )

    def restore(self, dump: Path) -> None:
        self.ensure_new()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partial")
        shutil.copyfile(dump, partial)
        connection = sqlite3.connect(partial)
        try:
            (result,) = connection.execute("PRAGMA integrity_check").fetchone()
        finally:
            connection.close()
        if result != "ok":
            partial.unlink()
            raise Failure(f"the backup's database fails SQLite's integrity check: {result}")
        partial.rename(self.path)

    def state(self) -> DatabaseState:
        if not self.path.is_file():
            raise Failure(f"--database-url: {self.path} does not exist")
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            tables = [
                row[0]
                for row in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            counts, checksums = {}, {}
            for table in tables:
                # A name read from sqlite_master, quoted as an identifier.
                rows = connection.execute(f"SELECT * FROM {_quoted(table)}")  # noqa: S608  # nosec B608
                digests = sorted(
                    hashlib.md5(repr(row).encode(), usedforsecurity=False).hexdigest()
                    for row in rows
                )
                counts[table] = len(digests)
                checksums[table] = hashlib.md5(
                    "".join(digests).encode(), usedforsecurity=False
                ).hexdigest()
            migrations = _migrations(connection, counts)
        finally:
            connection.close()
        return DatabaseState(counts, checksums, migrations)

    def drop(self) -> None:
        self.path.unlink(missing_ok=True)


def database_from_url(url: str) -> Database:
    import environ

    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # environ raises several types for a malformed URL
        raise Failure(f"--database-url: not a database URL: {exc}") from exc
    return _database(config, "--database-url")


def _database(config: dict[str, Any], option: str) -> Database:
    engine = config.get("ENGINE", "")
    if engine == "django.db.backends.postgresql":
        return Postgres.from_config(config, option)
    if engine == "django.db.backends.sqlite3":
        if not config.get("NAME") or config["NAME"] == ":memory:":
            raise Failure(f"{option}: an SQLite URL needs a file path (sqlite:////path)")
        return SQLite(Path(config["NAME"]))
    raise Failure(f"{option}: unsupported database engine {engine!r}")


# --- File storage ------------------------------------------------------------------------


class Store(Protocol):
    kind: str

    def describe(self) -> str: ...
    def object_keys(self) -> list[str]: ...
    def download(self, key: str, destination: Path) -> str | None: ...
    def hashes(self) -> dict[str, dict[str, Any]]: ...
    def prepare_empty(self) -> None: ...
    def upload(self, key: str, source: Path, content_type: str | None) -> None: ...
    def drop(self) -> None: ...


@dataclass
class S3Store:
    bucket: str
    options: dict[str, Any]
    kind: str = "s3"
    _client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client(
                "s3",
                endpoint_url=self.options.get("endpoint_url"),
                aws_access_key_id=self.options.get("access_key"),
                aws_secret_access_key=self.options.get("secret_key"),
                region_name=self.options.get("region_name"),
            )
        return self._client

    def describe(self) -> str:
        return f"bucket {self.bucket}"

    def object_keys(self) -> list[str]:
        keys: list[str] = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            keys.extend(item["Key"] for item in page.get("Contents", []))
        return sorted(keys)

    def download(self, key: str, destination: Path) -> str | None:
        """Write the object to `destination`; its Content-Type."""
        answer = self.client.get_object(Bucket=self.bucket, Key=key)
        with destination.open("wb") as handle:
            for chunk in answer["Body"].iter_chunks(CHUNK):
                handle.write(chunk)
        return answer.get("ContentType")

    def hashes(self) -> dict[str, dict[str, Any]]:
        found = {}
        for key in self.object_keys():
            digest, size = hashlib.sha256(), 0
            for chunk in self.client.get_object(Bucket=self.bucket, Key=key)["Body"].iter_chunks(
                CHUNK
            ):
                digest.update(chunk)
                size += len(chunk)
            found[key] = {"sha256": digest.hexdigest(), "size": size}
        return found

    def prepare_empty(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)
            return
        if self.client.list_objects_v2(Bucket=self.bucket, MaxKeys=1).get("KeyCount", 0):
            raise Failure(
                f"--bucket: {self.bucket} holds objects; a restore goes into a new or empty "
                "bucket, never over one"
            )

    def upload(self, key: str, source: Path, content_type: str | None) -> None:
        extra = {"ContentType": content_type} if content_type else None
        self.client.upload_file(str(source), self.bucket, key, ExtraArgs=extra)

    def drop(self) -> None:
        for key in self.object_keys():
            self.client.delete_object(Bucket=self.bucket, Key=key)
        self.client.delete_bucket(Bucket=self.bucket)


@dataclass
class FileStore:
    root: Path
    kind: str = "filesystem"

    def describe(self) -> str:
        return f"folder {self.root}"

    def object_keys(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file()
        )

    def download(self, key: str, destination: Path) -> str | None:
        shutil.copyfile(self.root / _safe_key(key), destination)
        return None

    def hashes(self) -> dict[str, dict[str, Any]]:
        return {
            key: {"sha256": sha256_of(self.root / key), "size": (self.root / key).stat().st_size}
            for key in self.object_keys()
        }

    def prepare_empty(self) -> None:
        if self.root.exists() and any(self.root.iterdir()):
            raise Failure(
                f"--media-root: {self.root} is not empty; a restore goes into a new or empty "
                "folder, never over one"
            )
        self.root.mkdir(parents=True, exist_ok=True)

    def upload(self, key: str, source: Path, content_type: str | None) -> None:
        target = self.root / _safe_key(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    def drop(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


# --- The application's own configuration -------------------------------------------------


def application() -> tuple[Database, Store]:
    """The database and the storage the application is configured with."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        database = _database(settings.DATABASES["default"], "DATABASE_URL")
        storage = settings.STORAGES["default"]
    except ImproperlyConfigured as exc:
        raise Failure(str(exc)) from exc
    if storage["BACKEND"] == "storages.backends.s3.S3Storage":
        options = storage["OPTIONS"]
        return database, S3Store(options["bucket_name"], options)
    location = storage.get("OPTIONS", {}).get("location") or settings.MEDIA_ROOT
    return database, FileStore(Path(location))


def _s3_options() -> dict[str, Any]:
    """The S3 connection of the environment (S3_ENDPOINT_URL, keys, region)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    storage = settings.STORAGES["default"]
    if storage["BACKEND"] != "storages.backends.s3.S3Storage":
        raise Failure("--bucket: set S3_BUCKET and the S3_ variables of the server to restore to")
    return dict(storage["OPTIONS"])


# --- Backup ----------------------------------------------------------------------------


def backup(output: Path) -> dict[str, Any]:
    database, store = application()
    if output.exists():
        raise Failure(f"--output: {output} exists; every backup gets a new folder")
    partial = output.with_name(output.name + ".partial")
    if partial.exists():
        raise Failure(f"--output: {partial} is left from an interrupted backup; remove it")
    # Customer data: readable by the operator only.
    os.umask(0o077)
    (partial / OBJECTS).mkdir(parents=True)
    started = dt.datetime.now(dt.UTC)
    dump = partial / ("database.dump" if database.engine == "postgresql" else "database.sqlite3")
    state = database.dump(dump)
    objects = {}
    for key in store.object_keys():
        target = partial / OBJECTS / _safe_key(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        content_type = store.download(key, target)
        objects[key] = {"sha256": sha256_of(target), "size": target.stat().st_size}
        if content_type:
            objects[key]["content_type"] = content_type
    manifest = {
        "format": FORMAT,
        "created_at": started.isoformat(timespec="seconds"),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": {
            "engine": database.engine,
            "source": database.describe(),
            "file": dump.name,
            "sha256": sha256_of(dump),
            "tables": state.tables,
            "table_checksums": state.checksums,
            "migrations": state.migrations,
        },
        "storage": {"kind": store.kind, "source": store.describe(), "objects": objects},
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    partial.rename(output)
    return manifest


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise Failure(f"BACKUP: {folder} has no readable {MANIFEST}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise Failure(f"BACKUP: manifest format {manifest.get('format')!r}, expected {FORMAT}")
    return dict(manifest)


# --- Verify ----------------------------------------------------------------------------


def backup_differences(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """The backup's own files against its manifest (a damaged backup restores wrongly)."""
    differences = []
    dump = folder / manifest["database"]["file"]
    if not dump.is_file():
        differences.append(f"backup: database file {dump.name} is missing")
    elif sha256_of(dump) != manifest["database"]["sha256"]:
        differences.append(f"backup: database file {dump.name}: SHA-256 differs from manifest")
    for key, expected in sorted(manifest["storage"]["objects"].items()):
        path = folder / OBJECTS / _safe_key(key)
        if not path.is_file():
            differences.append(f"backup: object {key} is missing")
        elif sha256_of(path) != expected["sha256"]:
            differences.append(f"backup: object {key}: SHA-256 differs from manifest")
    return differences


def restored_differences(manifest: dict[str, Any], database: Database, store: Store) -> list[str]:
    """A restored database and store against the manifest: every difference, named."""
    differences = []
    state = database.state()
    expected_tables: dict[str, int] = manifest["database"]["tables"]
    for table in sorted(set(expected_tables) | set(state.tables)):
        if table not in state.tables:
            differences.append(f"table {table}: missing from the restored database")
        elif table not in expected_tables:
            differences.append(f"table {table}: not in the backup")
        elif state.tables[table] != expected_tables[table]:
            differences.append(
                f"table {table}: {expected_tables[table]} rows in the backup, "
                f"{state.tables[table]} restored"
            )
        elif state.checksums[table] != manifest["database"]["table_checksums"][table]:
            differences.append(f"table {table}: same row count, but rows differ")
    expected_migrations = set(manifest["database"]["migrations"])
    for migration in sorted(expected_migrations ^ set(state.migrations)):
        where = "restored only" if migration not in expected_migrations else "missing"
        differences.append(f"migration {migration}: {where}")
    expected_objects: dict[str, dict[str, Any]] = manifest["storage"]["objects"]
    found = store.hashes()
    for key in sorted(set(expected_objects) | set(found)):
        if key not in found:
            differences.append(f"object {key}: missing from the restored {store.describe()}")
        elif key not in expected_objects:
            differences.append(f"object {key}: not in the backup")
        elif found[key]["sha256"] != expected_objects[key]["sha256"]:
            differences.append(
                f"object {key}: SHA-256 {found[key]['sha256'][:12]}… restored, "
                f"{expected_objects[key]['sha256'][:12]}… in the backup"
            )
    return differences


def _targets(manifest: dict[str, Any], args: argparse.Namespace) -> tuple[Database, Store]:
    database = database_from_url(args.database_url)
    if database.engine != manifest["database"]["engine"]:
        raise Failure(
            f"--database-url: the backup is of {manifest['database']['engine']}, "
            f"not {database.engine}"
        )
    kind = manifest["storage"]["kind"]
    if kind == "s3":
        if not args.bucket:
            raise Failure("--bucket: the backup's objects are of S3; name the bucket")
        return database, S3Store(args.bucket, _s3_options())
    if not args.media_root:
        raise Failure("--media-root: the backup's files are of a folder; name the folder")
    return database, FileStore(Path(args.media_root))


def restore(folder: Path, manifest: dict[str, Any], database: Database, store: Store) -> None:
    damaged = backup_differences(folder, manifest)
    if damaged:
        raise Failure("the backup is damaged; nothing restored:\n  " + "\n  ".join(damaged))
    database.ensure_new()  # before anything is created
    store.prepare_empty()
    database.restore(folder / manifest["database"]["file"])
    for key, stored in sorted(manifest["storage"]["objects"].items()):
        store.upload(key, folder / OBJECTS / _safe_key(key), stored.get("content_type"))


def _report(differences: list[str], what: str) -> int:
    if differences:
        print(f"DIFFERS: {what}: {len(differences)} difference(s)")
        for difference in differences:
            print(f"  {difference}")
        return 1
    print(f"verified: {what}: every table's row count, the migrations and every object match")
    return 0


# --- Command line ----------------------------------------------------------------------


def _summary(manifest: dict[str, Any]) -> str:
    tables = manifest["database"]["tables"]
    return (
        f"{len(tables)} tables, {sum(tables.values())} rows, "
        f"{len(manifest['storage']['objects'])} objects"
    )


def _scratch(database: Database, store: Store, folder: Path) -> tuple[Database, Store]:
    """A new database and bucket beside the source's, or files in `folder`."""
    tag = uuid.uuid4().hex[:8]
    if isinstance(database, Postgres):
        scratch_db: Database = Postgres(
            **{**database.__dict__, "name": f"{database.name[:40]}_verify_{tag}"}
        )
    else:
        scratch_db = SQLite(folder / "db.sqlite3")
    if isinstance(store, S3Store):
        scratch_store: Store = S3Store(f"{store.bucket[:40]}-verify-{tag}", store.options)
    else:
        scratch_store = FileStore(folder / "media")
    return scratch_db, scratch_store


def command_backup(args: argparse.Namespace) -> int:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    output = Path(args.output or f"tvox-backup-{stamp}").resolve()
    manifest = backup(output)
    print(f"backup: {output} ({_summary(manifest)})")
    if not args.verify:
        return 0
    with tempfile.TemporaryDirectory(prefix="tvox-verify-") as folder:
        database, store = _scratch(*application(), Path(folder))
        try:
            restore(output, manifest, database, store)
            return _report(
                restored_differences(manifest, database, store),
                f"{output.name} restored into scratch {database.describe()} and {store.describe()}",
            )
        finally:
            with contextlib.suppress(Exception):
                database.drop()
            with contextlib.suppress(Exception):
                store.drop()


def command_restore(args: argparse.Namespace) -> int:
    folder = Path(args.backup)
    manifest = read_manifest(folder)
    database, store = _targets(manifest, args)
    restore(folder, manifest, database, store)
    print(f"restored: {folder} into {database.describe()} and {store.describe()}")
    return _report(restored_differences(manifest, database, store), "restored copy")


def command_verify(args: argparse.Namespace) -> int:
    folder = Path(args.backup)
    manifest = read_manifest(folder)
    database, store = _targets(manifest, args)
    differences = backup_differences(folder, manifest)
    differences += restored_differences(manifest, database, store)
    return _report(differences, f"{folder.name} against {database.describe()}")


def _target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("backup", help="the backup's folder (made by scripts/backup)")
    parser.add_argument(
        "--database-url",
        required=True,
        help="the database to restore into or to check: postgres://… or sqlite:////path",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--bucket", help="S3 bucket (server and keys from the S3_ variables)")
    where.add_argument("--media-root", help="folder of the files (the embedded default)")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = main.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="back up the database and the stored files")
    make.add_argument("--output", help="new folder for the backup (default tvox-backup-TIME)")
    make.add_argument(
        "--verify",
        action="store_true",
        help="then restore into a scratch database and bucket, compare, and remove them",
    )
    make.set_defaults(handler=command_backup)
    put = commands.add_parser("restore", help="restore into a new database and bucket")
    _target_options(put)
    put.set_defaults(handler=command_restore)
    check = commands.add_parser("verify", help="compare a restored copy with the backup")
    _target_options(check)
    check.set_defaults(handler=command_verify)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except Failure as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
