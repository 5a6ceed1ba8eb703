"""The OpenAPI 3.1 description of `/api/`, built from `sizing.schema`'s own names and limits.

Every key, enumeration and bound below is read from the module that validates the input
and writes the output (TOP_KEYS, SITE_KEYS, MAX_*, MCS_FIGURES, ...), so a change there
changes the description; tests/test_openapi.py checks that the two agree on any input and
runs schemathesis against the served description. Served at `GET /api/openapi.json`.
"""

from __future__ import annotations

import sys
from functools import cache
from typing import Any, Final

from .explain import LANGS
from .inputs import CONNECTIVITIES, COUNT_FIELDS, REQUIREMENT_NAMES
from .invisible_characters import refused_code_points
from .results import ARCHITECTURES
from .schema import (
    DOMAIN_PATTERN,
    GROUP_FIGURES,
    MAX_BODY_BYTES,
    MAX_COUNT,
    MAX_DOMAIN_LENGTH,
    MAX_ERRORS,
    MAX_NAME_LENGTH,
    MAX_NUMBER_LENGTH,
    MAX_SITES,
    MAX_TVOX_SYSTEMS,
    MCS_FIGURES,
    NUMERIC_LAST_LABEL,
    ROOT,
    SITE_KEYS,
    TOP_KEYS,
)

Schema = dict[str, Any]
SIZING_PATH: Final = "/api/sizing"
OPENAPI_PATH: Final = "/api/openapi.json"


@cache
def _python_whitespace() -> str:
    """The characters `str.strip()` removes, as a regular expression class body: a name of
    only these is blank for the schema too (JSON Schema's `\\s` is another set)."""
    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    return "".join(f"\\u{ord(c):04x}" for c in spaces)


@cache
def _invisible() -> str:
    """The characters `first_invisible` refuses in a name, as a regular expression class
    body (lone surrogates aside: UTF-8 JSON cannot carry them)."""
    return "".join(f"\\u{c:04x}" if c <= 0xFFFF else f"\\U{c:08x}" for c in refused_code_points())


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _text() -> Schema:
    hidden = _invisible()
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_NAME_LENGTH,
        # Not blank, and no invisible character anywhere.
        "pattern": f"^[^{hidden}]*[^{_python_whitespace()}{hidden}][^{hidden}]*$",
        "description": "Not blank; at most "
        f"{MAX_NAME_LENGTH} characters; no lone surrogate (\\ud800-\\udfff); no invisible "
        "character (controls, bidirectional controls, zero-width marks, the BOM).",
    }


def _whole(minimum: int, maximum: int) -> Schema:
    return {
        "type": "integer",
        "minimum": minimum,
        "maximum": maximum,
        "description": "Written as an integer: 1, not 1.0 nor 1e0.",
    }


def _domain() -> Schema:
    return {
        "type": "string",
        "maxLength": MAX_DOMAIN_LENGTH,
        "pattern": DOMAIN_PATTERN,
        "not": {"pattern": NUMERIC_LAST_LABEL},
        "description": "The public domain name MCS is published under (R7, B2), such as "
        "mcs.example.com: labels of letters, digits and inner hyphens, 1-63 characters each, "
        "the last not only digits. Without it, the warning says one is needed.",
    }


def input_schemas() -> dict[str, Schema]:
    site: Schema = {
        "type": "object",
        "additionalProperties": False,
        "required": list(SITE_KEYS),
        "properties": {
            "name": _text(),
            "connectivity": {"enum": list(CONNECTIVITIES)},
            **{field: _whole(0, MAX_COUNT) for field in COUNT_FIELDS},
        },
    }
    top: dict[str, Schema] = {
        "sites": {
            "type": "array",
            "maxItems": MAX_SITES,
            "items": _ref("Site"),
            "description": f"The MCS devices of all sites together: at most {MAX_COUNT:,}.",
        },
        "tvox_systems": {**_whole(1, MAX_TVOX_SYSTEMS), "default": 1},
        "concurrency": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 1,
            "description": "The share of devices connected at once; the table's by default. "
            "Read exactly as written (0.30000000000000001 is not 0.3), at most "
            f"{MAX_NUMBER_LENGTH} characters, within a double's range.",
        },
        "hypervisor": {"oneOf": [_text(), {"type": "null"}], "default": None},
        "public_domain": {"oneOf": [_domain(), {"type": "null"}], "default": None},
        "requirements": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                name: {"type": "boolean", "default": False} for name in REQUIREMENT_NAMES
            },
        },
    }
    assert tuple(top) == TOP_KEYS, "describe every key of sizing.schema.TOP_KEYS"  # nosec B101 # checks our constants
    sizing_input: Schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["sites"],
        "properties": top,
        "description": f"UTF-8 JSON of at most {MAX_BODY_BYTES // 2**20} MiB; "
        "repeated keys, NaN and Infinity are refused.",
    }
    return {"SizingInput": sizing_input, "Site": site}


def _array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def _closed(properties: dict[str, Schema], **extra: Any) -> Schema:
    """An object with exactly these keys: a key the output gains must be described."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties),
        "properties": properties,
        **extra,
    }


NUMBER: Final[Schema] = {"type": "number"}
NOTICES: Final[Schema] = _array(_ref("Notice"))


def output_schemas() -> dict[str, Schema]:
    warnings = {"warnings": NOTICES, "blockers": NOTICES}
    mcs = {
        **dict.fromkeys(MCS_FIGURES, NUMBER),
        "disk_type": {"type": "string"},
        "instance_groups": _array(_ref("InstanceGroup")),
        "licenses": _closed(
            dict.fromkeys(("webclient_smart_working", "tvoxteam_smart_working"), NUMBER)
        ),
        **warnings,
    }
    cloud = _closed({"licenses": _closed({"PURE_CLOUD": NUMBER}), **warnings})
    option = _closed(
        {
            "fits": {"type": "boolean"},
            "reasons": NOTICES,
            "excluded_by": {
                **_array({"enum": list(REQUIREMENT_NAMES)}),
                "description": "The requirements that stand against it; dropping them makes "
                "it fit unless its sites stand against it too (see its reasons).",
            },
        }
    )
    recommendation = _closed(
        {
            "architecture": {"enum": [*ARCHITECTURES, None]},
            "reasons": NOTICES,
            "options": _closed(dict.fromkeys(ARCHITECTURES, option)),
        }
    )
    explanation = _closed(
        {
            "rules": _array({"type": "string"}),
            "inputs": {
                "type": "object",
                "additionalProperties": {
                    "type": ["integer", "number", "string", "boolean", "null"]
                },
            },
            "message": {"type": "string"},
        }
    )
    result = _closed(
        {
            "table_version": {"type": "integer"},
            "lang": {"enum": list(LANGS)},
            "mcs": _ref("Mcs"),
            "pure_cloud": cloud,
            "hybrid": cloud,
            "recommendation": recommendation,
            "assumptions": NOTICES,
            "explanations": {
                "type": "object",
                "additionalProperties": explanation,
                "description": "Each figure's path (mcs.vcpu) → its rules, inputs, message.",
            },
        }
    )
    return {
        "SizingResult": result,
        "Mcs": _closed(mcs),
        "InstanceGroup": _closed(
            {**dict.fromkeys(GROUP_FIGURES, NUMBER), "disk_type": {"type": "string"}}
        ),
        "Notice": _closed(
            {
                "code": {"type": "string"},
                "rule": {"type": ["string", "null"]},
                "rules": _array({"type": "string"}),
                "message": {"type": "string"},
                "causes": _array({"type": "string"}),
            }
        ),
        "Errors": _closed(
            {
                "errors": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": MAX_ERRORS + 1,
                    "items": _closed(
                        {
                            "field": {
                                "type": "string",
                                "description": f"A path (sites[0].users), or {ROOT} for the "
                                "whole input.",
                            },
                            "message": {"type": "string"},
                        }
                    ),
                }
            }
        ),
    }


def _error_response(description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": _ref("Errors")}}}


SIZING_ERRORS: Final = {
    "400": "Invalid input: each error names its field.",
    "401": "Not signed in.",
    "403": "The CSRF check failed: send the csrftoken cookie's value in X-CSRFToken.",
    "405": "Only POST.",
    "413": f"The body is over {MAX_BODY_BYTES // 2**20} MiB.",
    "415": "The body is not sent as application/json.",
    "503": "No sizing table version is in effect.",
}


@cache
def openapi() -> Schema:
    """The description; computed once per process (it depends on the code only)."""
    lang = {
        "name": "lang",
        "in": "query",
        "required": False,
        "schema": {"enum": list(LANGS)},
        "description": "The language of the texts; otherwise Accept-Language's, else en.",
    }
    sizing = {
        "post": {
            "operationId": "size",
            "summary": "Size a TVox project: MCS, Pure Cloud and hybrid, with a recommendation.",
            "security": [{"session": [], "csrf": []}],
            "parameters": [lang],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref("SizingInput")}},
            },
            "responses": {
                "200": {
                    "description": "The sizing, every figure explained.",
                    "content": {"application/json": {"schema": _ref("SizingResult")}},
                },
                **{status: _error_response(text) for status, text in SIZING_ERRORS.items()},
            },
        }
    }
    description = {
        "get": {
            "operationId": "openapi",
            "summary": "This description.",
            "security": [{"session": []}],
            "responses": {
                "200": {
                    "description": "OpenAPI 3.1.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "401": _error_response("Not signed in."),
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TVox configurator: sizing API",
            "version": "1",
            "description": "For signed-in users: the session cookie, and on POST the "
            "csrftoken cookie's value in the X-CSRFToken header.",
        },
        "paths": {SIZING_PATH: sizing, OPENAPI_PATH: description},
        "components": {
            "schemas": {**input_schemas(), **output_schemas()},
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
            },
        },
    }
