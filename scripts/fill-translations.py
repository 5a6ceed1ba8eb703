"""Fill untranslated or fuzzy entries of the Italian catalogue from a TSV file
(msgid<TAB>msgstr a line), keeping comments and flags other than "fuzzy".

    python scripts/fill-translations.py translations.tsv && scripts/update-translations
"""

import re
import sys
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "locale/it/LC_MESSAGES/django.po"


def _text(lines: list[str]) -> str:
    return "".join(re.findall(r'"(.*)"', "\n".join(lines))).replace('\\"', '"')


def fill(entry: str, table: dict[str, str], missing: list[str]) -> str:
    lines = entry.split("\n")
    ids = [i for i, line in enumerate(lines) if line.startswith("msgid ")]
    strs = [i for i, line in enumerate(lines) if line.startswith("msgstr")]
    if not ids or not strs:
        return entry
    if any(line.startswith("msgid_plural ") for line in lines):
        return fill_plural(lines, table, missing)
    i, s = ids[0], strs[0]
    msgid, msgstr = _text(lines[i:s]), _text(lines[s:])
    fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
    if not msgid or (msgstr and not fuzzy):
        return entry
    if msgid not in table:
        missing.append(msgid)
        return entry
    head = []
    for line in lines[:i]:
        if line.startswith("#| "):
            continue
        if line.startswith("#,"):
            flags = [f.strip() for f in line[2:].split(",") if f.strip() != "fuzzy"]
            if flags:
                head.append("#, " + ", ".join(flags))
            continue
        head.append(line)
    value = table[msgid].replace('"', '\\"')
    return "\n".join([*head, *lines[i:s], f'msgstr "{value}"'])


def _clean_head(lines: list[str]) -> list[str]:
    """The entry's comments without the previous msgid (#|) and the fuzzy flag."""
    head = []
    for line in lines:
        if line.startswith("#| "):
            continue
        if line.startswith("#,"):
            flags = [f.strip() for f in line[2:].split(",") if f.strip() != "fuzzy"]
            if flags:
                head.append("#, " + ", ".join(flags))
            continue
        head.append(line)
    return head


def fill_plural(lines: list[str], table: dict[str, str], missing: list[str]) -> str:
    """A plural entry: the TSV has a line for the singular msgid (msgstr[0]) and one for
    the plural msgid (msgstr[1])."""
    i = next(n for n, line in enumerate(lines) if line.startswith("msgid "))
    p = next(n for n, line in enumerate(lines) if line.startswith("msgid_plural "))
    s = next(n for n, line in enumerate(lines) if line.startswith("msgstr"))
    singular, plural = _text(lines[i:p]), _text(lines[p:s])
    fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
    translated = any(re.match(r'msgstr\[\d\] "(.+)"', line) for line in lines[s:])
    if translated and not fuzzy:
        return "\n".join(lines)
    if singular not in table or plural not in table:
        missing.append(singular)
        return "\n".join(lines)
    forms = [table[singular].replace('"', '\\"'), table[plural].replace('"', '\\"')]
    return "\n".join(
        [
            *_clean_head(lines[:i]),
            *lines[i:s],
            *(f'msgstr[{n}] "{value}"' for n, value in enumerate(forms)),
        ]
    )


def main() -> None:
    rows = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
    table = dict(row.split("\t", 1) for row in rows if row.strip())
    missing: list[str] = []
    entries = CATALOGUE.read_text(encoding="utf-8").split("\n\n")
    CATALOGUE.write_text("\n\n".join(fill(e, table, missing) for e in entries), encoding="utf-8")
    for msgid in missing:
        print(f"still untranslated: {msgid}")


if __name__ == "__main__":
    main()
