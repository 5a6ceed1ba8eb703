"""What the comments, docstrings and Markdown pages cite can be followed from a clone: a
page cited by name exists in the repository, a rule number cited in code is defined in
docs/DOMAIN.md, and nothing points at a file outside the repository or at our issue
tracker's numbers, which a reader of the repository cannot open."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ROOT / "docs" / "DOMAIN.md"
SKIPPED_DIRS = {".venv", ".git", "staticfiles", "node_modules", "test-output", "media"}

# A file beside the repository, a seed page, an issue by its number (the word and the
# number, or a hash and two to five digits; a six-digit colour is not one).
OUTSIDE = re.compile(
    r"\.\./shared|\bshared/[\w./-]+|\bseeds?/\w|\bissues? #?\d+|(?<![&\w#/])#\d{2,5}\b",
    re.IGNORECASE,
)
MD_NAME = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.md)\b")
QUOTED_RULE = re.compile(r"""["']([QRSB]\d{1,2})["']""")
DEFINED_RULE = re.compile(r"\*\*([QRSB]\d{1,2})\.|^\| ([QRSB]\d{1,2}) \|", re.MULTILINE)


def files(suffix: str) -> Iterator[Path]:
    for path in sorted(ROOT.rglob(f"*{suffix}")):
        relative = path.relative_to(ROOT)
        if not SKIPPED_DIRS & set(relative.parts) and not relative.parts[0].startswith("."):
            yield path


def prose(path: Path) -> str:
    """A Python file's comments and docstrings; a Markdown file whole."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        return text
    comments = [
        token.string
        for token in tokenize.generate_tokens(io.StringIO(text).readline)
        if token.type == tokenize.COMMENT
    ]
    docstrings = [
        doc
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and (doc := ast.get_docstring(node, clean=False))
    ]
    return "\n".join(comments + docstrings)


def cited_pages(path: Path) -> set[str]:
    return {name for name in MD_NAME.findall(prose(path)) if not name.startswith("http")}


SOURCES = [*files(".py"), *files(".md")]


def test_it_finds_the_sources_it_checks() -> None:
    names = {str(p.relative_to(ROOT)) for p in SOURCES}
    assert {"README.md", "docs/DOMAIN.md", "sizing/engine.py", "sizing/seed.py"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_it_cites_nothing_outside_the_repository(path: Path) -> None:
    assert OUTSIDE.findall(prose(path)) == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_page_it_names_exists(path: Path) -> None:
    missing = [
        name
        for name in cited_pages(path)
        if not (ROOT / name).is_file() and not (path.parent / name).is_file()
    ]
    assert missing == []


def test_every_rule_the_code_names_is_defined_in_docs_domain() -> None:
    defined = {a or b for a, b in DEFINED_RULE.findall(DOMAIN.read_text(encoding="utf-8"))}
    named = {
        rule
        for app in ("sizing", "configurator", "reports")
        for path in (ROOT / app).rglob("*.py")
        for rule in QUOTED_RULE.findall(path.read_text(encoding="utf-8"))
    }
    assert named, "no rule number found in the code: the pattern is wrong"
    assert sorted(named - defined) == []
    assert {"Q1", "Q2", "R13", "S7", "B6"} <= defined
