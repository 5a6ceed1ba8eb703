"""Hypothesis strategies for the sizing API's input: any JSON, valid inputs, and valid
inputs with one place broken (the schema's own keys)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from sizing.inputs import CONNECTIVITIES, COUNT_FIELDS, REQUIREMENT_NAMES
from sizing.schema import SITE_KEYS, TOP_KEYS

from .factories import visible_name

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
counts = st.integers(min_value=0, max_value=1_000)
valid_sites = st.fixed_dictionaries(
    {
        "name": st.text(min_size=1, max_size=20).filter(visible_name),
        "connectivity": st.sampled_from(CONNECTIVITIES),
        **{field: counts for field in COUNT_FIELDS},
    }
)
valid_inputs = st.fixed_dictionaries(
    {"sites": st.lists(valid_sites, max_size=3)},
    optional={
        "tvox_systems": st.integers(min_value=1, max_value=1_000),
        "concurrency": st.floats(min_value=0, max_value=1, exclude_min=True),
        "hypervisor": st.none() | st.sampled_from(["vmware", "xen", "kvm"]),
        "public_domain": st.none() | st.sampled_from(["mcs.example.com", "MCS.San-Luca.it"]),
        "requirements": st.fixed_dictionaries(
            {}, optional={name: st.booleans() for name in REQUIREMENT_NAMES}
        ),
    },
)


@st.composite
def near_valid_inputs(draw: st.DrawFn) -> object:
    """A valid input with one place replaced, removed or added: the schema's own keys."""
    data = draw(valid_inputs)
    places: list[tuple[dict[str, Any], str]] = [(data, key) for key in TOP_KEYS]
    places += [(s, key) for s in data["sites"] for key in SITE_KEYS]
    if isinstance(data.get("requirements"), dict):
        places += [(data["requirements"], name) for name in REQUIREMENT_NAMES]
    where, key = draw(st.sampled_from(places))
    action = draw(st.sampled_from(["replace", "remove", "add unknown"]))
    if action == "replace":
        where[key] = draw(json_values | st.integers(min_value=-(10**30), max_value=10**30))
    elif action == "remove":
        where.pop(key, None)
    else:
        where[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
    return data
