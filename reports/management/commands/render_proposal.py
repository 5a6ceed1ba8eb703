"""`manage.py render_proposal PROJECT_ID [--lang it|en] [--output FILE]`

Makes a new proposal version of the project and renders it synchronously in this process
(no worker needed), through the same code as the Celery task: the PDF goes to the
configured storage, and to FILE too when given. Prints the path and the SHA-256. A bad
id, language or output path exits non-zero with a message naming the argument.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from configurator.models import Language, Project
from reports.models import ProposalStatus
from reports.services import TransientFailure, mark_failed, render_and_store
from reports.snapshot import CannotPropose, create_proposal

LANGUAGES = [code for code, _label in Language.choices]


class Command(BaseCommand):
    help = "Generate a new proposal version of a project and render its PDF now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project_id", help="the project's id (a whole number)")
        parser.add_argument(
            "--lang",
            help="language of the proposal: it or en (default: the customer's preferred one)",
        )
        parser.add_argument("--output", help="also write the PDF to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        project = _project(options["project_id"])
        lang = options["lang"] or project.customer.preferred_language
        if lang not in LANGUAGES:
            raise CommandError(f"--lang: must be one of {', '.join(LANGUAGES)}, not {lang!r}")
        output = _output(options["output"])
        # Messages for the operator stay in English (commands run with translation off);
        # the PDF is in `lang` whatever the active language.
        try:
            proposal = create_proposal(project, lang, author=None)
        except CannotPropose as exc:
            raise CommandError(f"project_id {project.pk}: {exc}") from exc
        try:
            proposal = render_and_store(proposal.pk)
        except TransientFailure as exc:
            mark_failed(proposal.pk, "unavailable", str(exc))  # not left "rendering"
            raise CommandError(f"proposal v{proposal.version}: unavailable: {exc}") from exc
        if proposal.status != ProposalStatus.READY:
            raise CommandError(
                f"proposal v{proposal.version} failed: {proposal.failure_code}: "
                f"{proposal.failure_detail}"
            )
        with default_storage.open(proposal.pdf_key, "rb") as handle:
            content = handle.read()
        if output is not None:
            output.write_bytes(content)
            where = str(output)
        else:
            try:
                where = default_storage.path(proposal.pdf_key)
            except NotImplementedError:  # object storage: no local path
                where = proposal.pdf_key
        self.stdout.write(f"proposal v{proposal.version} ({lang}) of project {project.pk}")
        self.stdout.write(f"path: {where}")
        self.stdout.write(f"sha256: {proposal.sha256}")


def _project(value: str) -> Project:
    try:
        pk = int(value)
    except ValueError as exc:
        raise CommandError(f"project_id: must be a whole number, not {value!r}") from exc
    try:
        return Project.objects.select_related("customer", "organization", "owner").get(pk=pk)
    except Project.DoesNotExist as exc:
        raise CommandError(f"project_id: no project with id {pk}") from exc


def _output(value: str | None) -> Path | None:
    if value is None:
        return None
    path = Path(value)
    if path.is_dir():
        raise CommandError(f"--output: {value} is a folder; give a file name")
    if not path.parent.is_dir():
        raise CommandError(f"--output: folder {path.parent} does not exist")
    return path
