"""`manage.py size FILE|-  [--lang it|en]`: the sizing of `sizing.schema`'s JSON input,
printed as JSON with the table version in effect. Bad input exits with status 2 and one
message naming the field."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from sizing.engine import size
from sizing.explain import Lang
from sizing.models import SizingTableVersion, SizingTier
from sizing.schema import (
    MAX_BODY_BYTES,
    ROOT,
    FieldError,
    InvalidInput,
    dump_json,
    load_json,
    parse_input,
    result_to_dict,
)

BAD_INPUT = 2

# A fresh clone's database, before `migrate`: querying it would end in a traceback.
NOT_MIGRATED = {
    "en": "the database has no sizing table yet: run `python manage.py migrate` first",
    "it": (
        "il database non ha ancora la tabella di dimensionamento: "
        "esegui prima `python manage.py migrate`"
    ),
}


class Command(BaseCommand):
    help = "Size a project from a JSON file (or - for standard input) and print the result."
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the JSON input, or - to read standard input")
        parser.add_argument(
            "--lang", choices=["it", "en"], default="en", help="language of the texts"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        lang: Lang = options["lang"]
        name: str = options["file"]
        try:
            # The input is checked before the database is asked: bad input is exit 2 even
            # where the database is not there yet.
            sizing_input = parse_input(
                load_json(_read(name, options.get("stdin") or sys.stdin.buffer))
            )
            if not _sizing_tables_exist():
                raise CommandError(NOT_MIGRATED[lang])
            version = SizingTableVersion.objects.in_effect()
            if version is None:
                raise CommandError("No sizing table version is in effect: run migrate.")
            result = size(sizing_input, version.as_table())
            self.stdout.write(dump_json(result_to_dict(result, lang)))
        except InvalidInput as exc:
            raise CommandError(_message(exc.errors, name, lang), returncode=BAD_INPUT) from exc


def _sizing_tables_exist() -> bool:
    """Whether `migrate` has created the tables the command reads (asking only the
    catalogue, so an unmigrated database is left as it was)."""
    needed = {SizingTableVersion._meta.db_table, SizingTier._meta.db_table}
    return needed <= set(connection.introspection.table_names())


def _read(name: str, stdin: BinaryIO) -> bytes:
    """The input, at most one byte over the limit (load_json refuses that byte)."""
    if name == "-":
        return stdin.read(MAX_BODY_BYTES + 1)
    try:
        with Path(name).open("rb") as file:
            return file.read(MAX_BODY_BYTES + 1)
    except FileNotFoundError as exc:
        raise InvalidInput([FieldError(ROOT, "file inesistente", "no such file")]) from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InvalidInput([FieldError(ROOT, f"illeggibile: {reason}", reason)]) from exc
    except ValueError as exc:  # a name the system refuses, such as one with a NUL byte
        reason = str(exc)
        raise InvalidInput([FieldError(ROOT, f"nome non valido: {reason}", reason)]) from exc


def _message(errors: tuple[FieldError, ...], name: str, lang: Lang) -> str:
    where = "standard input" if name == "-" else name
    parts = [
        e.message(lang) if e.field == ROOT else f"{e.field}: {e.message(lang)}" for e in errors
    ]
    lead = "dati non validi" if lang == "it" else "invalid input"
    return f"{lead} ({where}): " + "; ".join(parts)
