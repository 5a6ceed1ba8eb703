"""The "why" behind every figure: the rule numbers of docs/DOMAIN.md, the inputs used, and a
sentence in Italian and in English (the output picks one)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Final, Literal

Lang = Literal["it", "en"]
LANGS: Final[tuple[Lang, ...]] = ("en", "it")
Scalar = int | str | bool | Decimal | None
TIMES: Final = "\N{MULTIPLICATION SIGN}"
# The sizing's products and numbers in sentences are exact in this context: a share has at
# most 40 characters (sizing.schema.MAX_NUMBER_LENGTH), a count at most 7 digits; the
# default context's 28 digits would round 1,000 × 0.300000000000000000000000000001.
EXACT: Final = Context(prec=100)


@dataclass(frozen=True)
class Explanation:
    rules: tuple[str, ...]
    inputs: tuple[tuple[str, Scalar], ...]
    it: str
    en: str

    def text(self, lang: Lang) -> str:
        return self.it if lang == "it" else self.en


@dataclass(frozen=True)
class Figure:
    """A number of the result and the reason for it."""

    value: int | Decimal
    why: Explanation


@dataclass(frozen=True)
class Notice:
    """A warning, a blocker or a reason. `causes` names the inputs behind it, as field
    paths of the JSON input (`requirements.redundancy`, `sites[2].sip_phones`)."""

    code: str
    rules: tuple[str, ...]
    it: str
    en: str
    causes: tuple[str, ...] = ()

    def text(self, lang: Lang) -> str:
        return self.it if lang == "it" else self.en


def explain(
    rules: tuple[str, ...], inputs: Mapping[str, Scalar], *, it: str, en: str
) -> Explanation:
    return Explanation(rules=rules, inputs=tuple(inputs.items()), it=it, en=en)


def figure(
    value: int | Decimal,
    rules: tuple[str, ...],
    inputs: Mapping[str, Scalar],
    *,
    it: str,
    en: str,
) -> Figure:
    return Figure(value, explain(rules, inputs, it=it, en=en))


# --- Numbers in sentences: 1,000.5 in English, 1.000,5 in Italian -------------------------


def num_en(value: int | Decimal) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(EXACT), ",f")
    return f"{value:,}"


_EN_TO_IT: Final = str.maketrans(",.", ".,")


def num_it(value: int | Decimal) -> str:
    return num_en(value).translate(_EN_TO_IT)


def pct_en(share: Decimal) -> str:
    return f"{num_en(EXACT.multiply(share, 100))}%"


def pct_it(share: Decimal) -> str:
    return f"{num_it(EXACT.multiply(share, 100))}%"


def rules_text(rules: tuple[str, ...]) -> str:
    return ", ".join(rules)


def names_en(names: list[str]) -> str:
    return _join(names, "and")


def names_it(names: list[str]) -> str:
    return _join(names, "e")


def _join(names: list[str], word: str) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {word} {names[-1]}"


def count_en(n: int, one: str, many: str) -> str:
    return f"{num_en(n)} {one if n == 1 else many}"


def count_it(n: int, one: str, many: str) -> str:
    return f"{num_it(n)} {one if n == 1 else many}"


def in_sites_it(n: int) -> str:
    """ "in 1 sede", "nelle 3 sedi", "in nessuna sede": where the counts were summed."""
    if n == 0:
        return "in nessuna sede"
    return "in 1 sede" if n == 1 else f"nelle {num_it(n)} sedi"


def decap(text: str) -> str:
    """The first letter in lower case after a colon, unless the word is a name (TVox, MCS,
    DHCP): "Con …" becomes "con …", "TVox …" stays."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


_RULE_ORDER: Final = {"Q": 0, "R": 1, "S": 2, "B": 3}


def sorted_rules(rules: set[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Q1, Q2, R1…R13, S1…S7, B1…B6: the order of docs/DOMAIN.md."""
    return tuple(sorted(set(rules), key=lambda rule: (_RULE_ORDER.get(rule[0], 9), int(rule[1:]))))
