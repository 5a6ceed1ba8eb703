"""The one JSON contract of the sizing, shared by `manage.py size` and `POST /api/sizing`.

Input: `{"sites": [...], "tvox_systems": 1, "concurrency": 1, "hypervisor": null,
"requirements": {...}}` (README, "Sizing API"). `parse_input` turns a decoded JSON value
into a `SizingInput` or raises `InvalidInput` with one error per wrong field, each naming
the field as a path (`sites[0].users`) and explaining it in Italian and English.
`result_to_dict` turns a `SizingResult` into the output, in one language.

`load_json` bounds the work by the contract, not by what is sent: at most MAX_BODY_BYTES of
UTF-8, MAX_VALUES values, integers converted up to MAX_INTEGER_DIGITS digits (a longer one
is a HugeInteger, refused by its field), at most MAX_ERRORS errors listed.
`sizing.openapi` describes this contract in OpenAPI 3.1, from the names defined here.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from .engine import size
from .explain import LANGS, Explanation, Figure, Lang, Notice, Scalar, num_en, num_it
from .inputs import (
    CONNECTIVITIES,
    COUNT_FIELDS,
    DEVICE_FIELDS,
    REQUIREMENT_NAMES,
    Requirements,
    Site,
    SizingInput,
)
from .invisible_characters import code_point, first_invisible
from .results import CloudSizing, InstanceGroup, McsSizing, Recommendation, SizingResult
from .tables import SizingTable

ROOT: Final = "$"  # the field of errors about the whole input
MAX_COUNT: Final = 1_000_000  # per count, and for all MCS devices together: absurd above
MAX_TVOX_SYSTEMS: Final = 1_000_000
MAX_SITES: Final = 100_000
MAX_NAME_LENGTH: Final = 200
MAX_BODY_BYTES: Final = 32 * 1024 * 1024  # 100,000 sites fit, written with indentation
MAX_ERRORS: Final = 100  # listed; beyond them one more error says that others exist
# Integers are converted only up to this many digits: every limit has far fewer, and
# Python refuses more than 4,300 (and spends quadratic time below that).
MAX_INTEGER_DIGITS: Final = 30
# A number with a fraction or an exponent is read exactly as written (a Decimal), up to this
# many characters and within a double's range; beyond, it is an InexactNumber.
MAX_NUMBER_LENGTH: Final = 40
TOP_KEYS: Final = (
    "sites",
    "tvox_systems",
    "concurrency",
    "hypervisor",
    "public_domain",
    "requirements",
)
# A public domain name (R7, B2): labels of letters, digits and inner hyphens, 1-63
# characters each, at least two of them, at most 253 characters in all, the last label not
# only digits (that would be an IP address). No lookaround, so that JSON Schema's regular
# expressions and their generators read it as Python does.
DOMAIN_LABEL: Final = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
DOMAIN_PATTERN: Final = f"^{DOMAIN_LABEL}(?:\\.{DOMAIN_LABEL})+$"
NUMERIC_LAST_LABEL: Final = "\\.[0-9]+$"
MAX_DOMAIN_LENGTH: Final = 253
SITE_KEYS: Final = ("name", "connectivity", *COUNT_FIELDS)
# The most values (counted by their separators and openings) a valid input can hold: the
# text is refused above it before it is decoded, so memory follows the contract's limits,
# not the size of the body (a megabyte of "[]," is half a million lists).
MAX_VALUES: Final = MAX_SITES * (len(SITE_KEYS) + 1) + len(TOP_KEYS) + len(REQUIREMENT_NAMES) + 3


@dataclass(frozen=True)
class FieldError:
    field: str
    it: str
    en: str

    def message(self, lang: Lang) -> str:
        return self.it if lang == "it" else self.en

    def as_dict(self, lang: Lang) -> dict[str, str]:
        return {"field": self.field, "message": self.message(lang)}


class InvalidInput(Exception):
    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field}: {e.en}" for e in errors))
        self.errors = tuple(errors)


class BodyTooLarge(InvalidInput):
    """The text is over MAX_BODY_BYTES (HTTP 413)."""

    def __init__(self) -> None:
        mib = MAX_BODY_BYTES // (1024 * 1024)
        super().__init__(
            [_error(ROOT, f"supera {mib} MiB, il limite", f"is over {mib} MiB, the limit")]
        )


class HugeInteger:
    """An integer written with more than MAX_INTEGER_DIGITS digits, kept as its sign only:
    it is beyond every limit, so the field it is in gets its own error."""

    __slots__ = ("negative",)

    def __init__(self, negative: bool) -> None:
        self.negative = negative


class InexactNumber:
    """A number with a fraction or an exponent that cannot be read exactly within the
    contract (over MAX_NUMBER_LENGTH characters, or beyond a double's range, like 1e-400 or
    1e400): every field refuses it."""

    __slots__ = ()


def too_large(size: int) -> bool:
    return size > MAX_BODY_BYTES


# --- JSON text ------------------------------------------------------------------------------


def load_json(text: str | bytes) -> object:
    """Decode JSON: UTF-8 (a byte order mark is ignored), at most MAX_BODY_BYTES and
    MAX_VALUES; malformed text, NaN/Infinity, repeated keys and deep nesting are refused."""
    if too_large(len(text)):
        raise BodyTooLarge()
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")  # strict: encoded surrogates are not UTF-8 either
        except UnicodeDecodeError as exc:
            raise InvalidInput([_error(ROOT, "non è testo UTF-8", "is not UTF-8 text")]) from exc
    text = text.removeprefix("\ufeff")
    _check_values(text)
    try:
        return json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_int=_parse_int,
            parse_float=_parse_float,
            object_pairs_hook=_unique_keys,
        )
    except json.JSONDecodeError as exc:
        raise InvalidInput([_error(ROOT, *_malformed(exc))]) from exc
    except RecursionError as exc:
        raise InvalidInput([_error(ROOT, "è annidato troppo", "is nested too deeply")]) from exc


_JSON_STRING: Final = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')


def _values(text: str) -> int:
    return text.count(",") + text.count("[") + text.count("{")


def _check_values(text: str) -> None:
    # Counting is fast; only text with many commas or brackets (inside strings too) pays for
    # taking its strings out before counting again.
    if _values(text) <= MAX_VALUES or _values(_JSON_STRING.sub("", text)) <= MAX_VALUES:
        return
    raise InvalidInput(
        [
            _error(
                ROOT,
                f"troppi valori: un input valido ne ha al più {num_it(MAX_VALUES)}",
                f"too many values: a valid input has at most {num_en(MAX_VALUES)}",
            )
        ]
    )


def _parse_int(digits: str) -> int | HugeInteger:
    if len(digits) > MAX_INTEGER_DIGITS:
        return HugeInteger(digits.startswith("-"))
    return int(digits)


def _parse_float(text: str) -> Decimal | InexactNumber:
    """The number as written: 0.30000000000000001 is not 0.3, 1.0000000000000001 is over 1."""
    if len(text) > MAX_NUMBER_LENGTH:
        return InexactNumber()
    try:
        number = Decimal(text)
    except InvalidOperation:  # an exponent beyond what Decimal holds
        return InexactNumber()
    as_float = float(number)
    if math.isinf(as_float) or (as_float == 0 and number != 0):
        return InexactNumber()
    return number


def _malformed(exc: json.JSONDecodeError) -> tuple[str, str]:
    return (
        f"JSON non valido alla riga {exc.lineno}, colonna {exc.colno}: {exc.msg}",
        f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
    )


def _refuse_constant(name: str) -> object:
    raise InvalidInput([_error(ROOT, f"{name} non è un numero JSON", f"{name} is not JSON")])


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidInput([_error(ROOT, f"chiave '{key}' ripetuta", f"repeated key '{key}'")])
        result[key] = value
    return result


def parse_lang(value: str | None, default: Lang = "en") -> Lang:
    if value is None or value == "":
        return default
    for lang in LANGS:
        if value == lang:
            return lang
    raise InvalidInput([_error("lang", "deve essere 'it' o 'en'", "must be 'it' or 'en'")])


# --- Input ----------------------------------------------------------------------------------


def parse_input(data: object) -> SizingInput:
    """A decoded JSON value → `SizingInput`, or `InvalidInput` naming every wrong field."""
    errors: list[FieldError] = []
    if not isinstance(data, dict):
        raise InvalidInput([_error(ROOT, "deve essere un oggetto JSON", "must be a JSON object")])
    _unknown_keys(data, TOP_KEYS, "", errors)
    sites = _sites(data.get("sites"), "sites" in data, errors)
    tvox = _optional_int(data, "tvox_systems", 1, 1, MAX_TVOX_SYSTEMS, errors)
    concurrency = _concurrency(data, errors)
    hypervisor = _hypervisor(data, errors)
    public_domain = _public_domain(data, errors)
    requirements = _requirements(data.get("requirements", {}), errors)
    if len(errors) > MAX_ERRORS:
        errors[MAX_ERRORS:] = [
            _error(
                ROOT,
                "altri errori non elencati: correggi questi e invia di nuovo",
                "further errors are not listed: correct these and send again",
            )
        ]
    if errors:
        raise InvalidInput(errors)
    return SizingInput(
        sites=sites,
        tvox_systems=tvox,
        concurrency=concurrency,
        hypervisor=hypervisor,
        requirements=requirements,
        public_domain=public_domain,
    )


def _error(field: str, it: str, en: str) -> FieldError:
    return FieldError(field, it, en)


def _unknown_keys(
    data: Mapping[str, object], allowed: tuple[str, ...], prefix: str, errors: list[FieldError]
) -> None:
    for key in [key for key in data if key not in allowed]:
        if len(errors) > MAX_ERRORS:
            return
        listed = ", ".join(allowed)
        errors.append(
            _error(
                f"{prefix}{key}",
                f"chiave sconosciuta; quelle ammesse sono: {listed}",
                f"unknown key; the keys accepted are: {listed}",
            )
        )


def _sites(value: object, present: bool, errors: list[FieldError]) -> tuple[Site, ...]:
    if not present:
        errors.append(_error("sites", "obbligatorio", "is required"))
        return ()
    if not isinstance(value, list):
        errors.append(_error("sites", "deve essere una lista di sedi", "must be a list of sites"))
        return ()
    if len(value) > MAX_SITES:
        errors.append(_too_many("sites", len(value), MAX_SITES, "sedi", "sites"))
        return ()
    sites: list[Site] = []
    for i, item in enumerate(value):
        if len(errors) > MAX_ERRORS:
            return ()  # the errors listed are enough; the others would only cost time
        if site := _site(item, i, errors):
            sites.append(site)
    devices = sum(site.count(name) for site in sites for name in DEVICE_FIELDS)
    if devices > MAX_COUNT:
        errors.append(_too_many("sites", devices, MAX_COUNT, "dispositivi MCS", "MCS devices"))
    return tuple(sites)


def _too_many(field: str, n: int, limit: int, what_it: str, what_en: str) -> FieldError:
    return _error(
        field,
        f"{num_it(n)} {what_it} sono troppi: al più {num_it(limit)}",
        f"{num_en(n)} {what_en} are too many: at most {num_en(limit)}",
    )


def _site(item: object, index: int, errors: list[FieldError]) -> Site | None:
    path = f"sites[{index}]"
    if not isinstance(item, dict):
        errors.append(_error(path, "deve essere un oggetto JSON", "must be a JSON object"))
        return None
    before = len(errors)
    _unknown_keys(item, SITE_KEYS, f"{path}.", errors)
    name = _name(item, path, errors)
    connectivity = _connectivity(item, path, errors)
    counts = {key: _count(item, key, path, errors) for key in COUNT_FIELDS}
    if len(errors) > before:
        return None
    return Site(name=name, connectivity=connectivity, **counts)


def _name(item: Mapping[str, object], path: str, errors: list[FieldError]) -> str:
    value = item.get("name")
    if not isinstance(value, str) or not value.strip():
        errors.append(_error(f"{path}.name", "testo obbligatorio", "is required text"))
        return ""
    if not _is_unicode(value):
        errors.append(_lone_surrogate(f"{path}.name"))
        return ""
    if invisible := _invisible(f"{path}.name", value):
        errors.append(invisible)
        return ""
    if len(value) > MAX_NAME_LENGTH:
        errors.append(
            _error(
                f"{path}.name",
                f"al più {MAX_NAME_LENGTH} caratteri",
                f"at most {MAX_NAME_LENGTH} characters",
            )
        )
    return value.strip()


def _connectivity(item: Mapping[str, object], path: str, errors: list[FieldError]) -> str:
    value = item.get("connectivity")
    if value in CONNECTIVITIES:
        return str(value)
    listed = ", ".join(CONNECTIVITIES)
    errors.append(
        _error(f"{path}.connectivity", f"deve essere uno tra {listed}", f"must be one of {listed}")
    )
    return ""


def _count(item: Mapping[str, object], key: str, path: str, errors: list[FieldError]) -> int:
    if key not in item:
        errors.append(_error(f"{path}.{key}", "obbligatorio", "is required"))
        return 0
    return _whole_number(item[key], f"{path}.{key}", 0, MAX_COUNT, errors)


def _optional_int(
    data: Mapping[str, object],
    key: str,
    default: int,
    minimum: int,
    maximum: int,
    errors: list[FieldError],
) -> int:
    if key not in data:
        return default
    before = len(errors)
    value = _whole_number(data[key], key, minimum, maximum, errors)
    return value if len(errors) == before else default


def _whole_number(
    value: object, field: str, minimum: int, maximum: int, errors: list[FieldError]
) -> int:
    if isinstance(value, HugeInteger):  # beyond the limits, on its side
        value = minimum - 1 if value.negative else maximum + 1
    # bool is an int in Python; in JSON true/false are not numbers.
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(
            _error(
                field,
                f"deve essere un numero intero, non {_json_type_it(value)}",
                f"must be a whole number, not {_json_type_en(value)}",
            )
        )
        return 0
    if value < minimum:
        what_it = "negativo" if minimum == 0 else f"minore di {minimum}"
        what_en = "negative" if minimum == 0 else f"less than {minimum}"
        errors.append(_error(field, f"non può essere {what_it}", f"cannot be {what_en}"))
        return 0
    if value > maximum:
        errors.append(
            _error(field, f"al più {num_it(maximum)}", f"must be at most {num_en(maximum)}")
        )
        return 0
    return value


def _concurrency(data: Mapping[str, object], errors: list[FieldError]) -> Decimal | None:
    if "concurrency" not in data:
        return None
    value = data["concurrency"]
    share = _decimal(value)
    if share is None or not Decimal(0) < share <= Decimal(1):
        errors.append(
            _error(
                "concurrency",
                "deve essere un numero maggiore di 0 e al più 1 (la quota di dispositivi "
                f"connessi insieme), scritto con al più {MAX_NUMBER_LENGTH} caratteri",
                "must be a number greater than 0 and at most 1 (the share of devices "
                f"connected at once), written with at most {MAX_NUMBER_LENGTH} characters",
            )
        )
        return None
    return share


def _decimal(value: object) -> Decimal | None:
    """The number as written: 0.7 is exactly 7/10, so 100 * 0.7 is 70, not 70.00000000000001.
    `load_json` gives Decimals already; a float (a Python caller's) is read as its repr."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    number = Decimal(value)
    return number if number.is_finite() else None


def _hypervisor(data: Mapping[str, object], errors: list[FieldError]) -> str | None:
    value = data.get("hypervisor")
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_NAME_LENGTH:
        errors.append(
            _error(
                "hypervisor",
                "deve essere un nome (vmware, xen, virtualbox, bare_metal o un altro) o null",
                "must be a name (vmware, xen, virtualbox, bare_metal or another) or null",
            )
        )
        return None
    if not _is_unicode(value):
        errors.append(_lone_surrogate("hypervisor"))
        return None
    if invisible := _invisible("hypervisor", value):
        errors.append(invisible)
        return None
    return value.strip()


def _public_domain(data: Mapping[str, object], errors: list[FieldError]) -> str | None:
    value = data.get("public_domain")
    if value is None:
        return None
    if isinstance(value, str) and is_domain_name(value):
        return value
    errors.append(
        _error(
            "public_domain",
            "deve essere un nome di dominio pubblico, come mcs.example.com, o null: parti di "
            "lettere, cifre e trattini interni, di al più 63 caratteri, separate da punti, "
            f"l'ultima non solo di cifre, al più {MAX_DOMAIN_LENGTH} caratteri in tutto",
            "must be a public domain name, such as mcs.example.com, or null: labels of "
            "letters, digits and inner hyphens, at most 63 characters each, separated by "
            f"dots, the last not only digits, at most {MAX_DOMAIN_LENGTH} characters in all",
        )
    )
    return None


def is_domain_name(text: str) -> bool:
    """Whether `text` is a domain name as DOMAIN_PATTERN and MAX_DOMAIN_LENGTH say."""
    return (
        len(text) <= MAX_DOMAIN_LENGTH
        and _DOMAIN.fullmatch(text) is not None
        and _NUMERIC_LAST_LABEL.search(text) is None
    )


# The patterns above for Python: `fullmatch` and \Z, since `$` also matches before a final
# newline.
_DOMAIN: Final = re.compile(DOMAIN_PATTERN.removeprefix("^").removesuffix("$"))
_NUMERIC_LAST_LABEL: Final = re.compile(NUMERIC_LAST_LABEL.removesuffix("$") + r"\Z")


def _is_unicode(text: str) -> bool:
    """False for text with a lone surrogate (JSON's "\\ud800"): no character, and no
    UTF-8 either, so it could not be written out."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _invisible(field: str, text: str) -> FieldError | None:
    """Text a person cannot see (controls, bidirectional overrides, zero-width marks) would
    reach the pages, exports and PDF: the same rule as the application's text fields."""
    found = first_invisible(text)
    if found is None:
        return None
    position, char = found[0] + 1, code_point(found[1])
    return _error(
        field,
        f"contiene il carattere invisibile {char} alla posizione {position}",
        f"contains the invisible character {char} at position {position}",
    )


def _lone_surrogate(field: str) -> FieldError:
    return _error(
        field,
        "contiene un surrogato isolato (\\ud800-\\udfff), che non è un carattere",
        "contains a lone surrogate (\\ud800-\\udfff), which is not a character",
    )


def _requirements(value: object, errors: list[FieldError]) -> Requirements:
    if not isinstance(value, dict):
        errors.append(
            _error("requirements", "deve essere un oggetto JSON", "must be a JSON object")
        )
        return Requirements()
    _unknown_keys(value, REQUIREMENT_NAMES, "requirements.", errors)
    answers: dict[str, bool] = {}
    for name in REQUIREMENT_NAMES:
        answer = value.get(name, False)
        if isinstance(answer, bool):
            answers[name] = answer
        else:
            errors.append(
                _error(
                    f"requirements.{name}",
                    f"deve essere true o false, non {_json_type_it(answer)}",
                    f"must be true or false, not {_json_type_en(answer)}",
                )
            )
    return Requirements(**answers)


def _json_type_en(value: object) -> str:
    return _JSON_TYPES.get(type(value), ("?", "a value of another type"))[1]


def _json_type_it(value: object) -> str:
    return _JSON_TYPES.get(type(value), ("un valore di altro tipo", "?"))[0]


_JSON_TYPES: Final[dict[type, tuple[str, str]]] = {
    bool: ("true/false", "true/false"),
    float: ("un numero con decimali", "a number with decimals"),
    Decimal: ("un numero con decimali", "a number with decimals"),
    InexactNumber: ("un numero con decimali", "a number with decimals"),
    int: ("un numero intero", "a whole number"),
    HugeInteger: ("un numero intero", "a whole number"),
    str: ("un testo", "text"),
    list: ("una lista", "a list"),
    dict: ("un oggetto", "an object"),
    type(None): ("null", "null"),
}


# --- Output ---------------------------------------------------------------------------------


def size_json(data: object, table: SizingTable, lang: Lang) -> dict[str, object]:
    """Decoded JSON input → output dict; `InvalidInput` for bad input."""
    return result_to_dict(size(parse_input(data), table), lang)


def result_to_dict(result: SizingResult, lang: Lang) -> dict[str, object]:
    """The output. Numbers stay plain; `explanations` maps each number's path
    (`mcs.vcpu`, `mcs.instance_groups[0].vcpu`) to its rules, inputs and message."""
    out = _Writer(lang)
    return {
        "table_version": result.table_version,
        "lang": lang,
        "mcs": out.mcs(result.mcs),
        "pure_cloud": out.cloud("pure_cloud", result.pure_cloud),
        "hybrid": out.cloud("hybrid", result.hybrid),
        "recommendation": out.recommendation(result.recommendation),
        "assumptions": out.notices(result.assumptions),
        "explanations": out.explanations,
    }


MCS_FIGURES: Final = (
    "instances",
    "tier_max_users",
    "vcpu",
    "ram_gb",
    "disk_gb",
    "nic_gbit",
    "devices",
    "concurrency",
    "active_connections",
    "mbps_per_connection",
    "connections_bandwidth_mbps",
    "min_bandwidth_mbps",
    "bandwidth_mbps",
    "openvpn_tunnels",
)
GROUP_FIGURES: Final = (
    "instances",
    "devices",
    "tvox_systems",
    "tier_max_users",
    "vcpu",
    "ram_gb",
    "disk_gb",
    "nic_gbit",
    "min_bandwidth_mbps",
    "active_connections",
    "connections_bandwidth_mbps",
    "bandwidth_mbps",
)


class _Writer:
    def __init__(self, lang: Lang) -> None:
        self.lang = lang
        self.explanations: dict[str, dict[str, object]] = {}

    def figure(self, path: str, fig: Figure) -> int | float:
        self.explanations[path] = self.explanation(fig.why)
        return json_number(fig.value)

    def explanation(self, why: Explanation) -> dict[str, object]:
        return {
            "rules": list(why.rules),
            "inputs": {name: json_scalar(value) for name, value in why.inputs},
            "message": why.text(self.lang),
        }

    def figures(self, prefix: str, obj: object, names: tuple[str, ...]) -> dict[str, object]:
        return {name: self.figure(f"{prefix}.{name}", getattr(obj, name)) for name in names}

    def mcs(self, mcs: McsSizing) -> dict[str, object]:
        out = self.figures("mcs", mcs, MCS_FIGURES)
        out["disk_type"] = mcs.disk_type
        out["instance_groups"] = [
            self.group(f"mcs.instance_groups[{i}]", g) for i, g in enumerate(mcs.instance_groups)
        ]
        out["licenses"] = {
            "webclient_smart_working": self.figure(
                "mcs.licenses.webclient_smart_working", mcs.webclient_smart_working
            ),
            "tvoxteam_smart_working": self.figure(
                "mcs.licenses.tvoxteam_smart_working", mcs.tvoxteam_smart_working
            ),
        }
        out["warnings"] = self.notices(mcs.warnings)
        out["blockers"] = self.notices(mcs.blockers)
        return out

    def group(self, prefix: str, group: InstanceGroup) -> dict[str, object]:
        return {**self.figures(prefix, group, GROUP_FIGURES), "disk_type": group.disk_type}

    def cloud(self, name: str, cloud: CloudSizing) -> dict[str, object]:
        licence = self.figure(f"{name}.licenses.PURE_CLOUD", cloud.pure_cloud_licenses)
        return {
            "licenses": {"PURE_CLOUD": licence},
            "warnings": self.notices(cloud.warnings),
            "blockers": self.notices(cloud.blockers),
        }

    def recommendation(self, rec: Recommendation) -> dict[str, object]:
        return {
            "architecture": rec.architecture,
            "reasons": self.notices(rec.reasons),
            "options": {
                o.architecture: {
                    "fits": o.fits,
                    "reasons": self.notices(o.reasons),
                    "excluded_by": list(o.excluded_by),
                }
                for o in rec.options
            },
        }

    def notices(self, notices: tuple[Notice, ...]) -> list[dict[str, object]]:
        return [self.notice(n) for n in notices]

    def notice(self, notice: Notice) -> dict[str, object]:
        return {
            "code": notice.code,
            "rule": notice.rules[0] if notice.rules else None,
            "rules": list(notice.rules),
            "message": notice.text(self.lang),
            "causes": list(notice.causes),
        }


def json_number(value: int | Decimal) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def json_scalar(value: Scalar) -> object:
    return json_number(value) if isinstance(value, Decimal) else value


def dump_json(data: Mapping[str, object] | object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
