"""Properties of the sizing that hold for any input (hypothesis): more devices never give
fewer resources; instances cover both limits (S1/R9, R10) and no more than needed (S2);
the bandwidth is never under the tiers' floor (S3); every figure is explained; any valid
input gives a result and any invalid one an error naming the field."""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sizing.engine import size, size_mcs
from sizing.inputs import (
    CONNECTIVITIES,
    COUNT_FIELDS,
    DEVICE_FIELDS,
    REQUIREMENT_NAMES,
    Requirements,
    Site,
    SizingInput,
)
from sizing.results import McsSizing
from sizing.schema import InvalidInput, parse_input, result_to_dict
from sizing.seed import SEED_TABLE

from .factories import visible_name

# No per-example deadline: timing varies on shared CI machines; bench/ measures speed.
relaxed = settings(deadline=None)
RULE = re.compile(r"^(Q[12]|R([1-9]|1[0-3])|S[1-7]|B[1-6])$")

counts = st.integers(min_value=0, max_value=9_000)
sites = st.builds(
    Site,
    name=st.text(min_size=1, max_size=12).filter(str.strip),
    connectivity=st.sampled_from(CONNECTIVITIES),
    **{field: counts for field in COUNT_FIELDS},
)
shares = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1), places=3)
inputs = st.builds(
    SizingInput,
    sites=st.lists(sites, max_size=6).map(tuple),
    tvox_systems=st.integers(min_value=1, max_value=1_200),
    concurrency=st.none() | shares,
    hypervisor=st.none() | st.sampled_from(["vmware", "xen", "hyper-v", "kvm", "bare_metal"]),
    requirements=st.builds(Requirements, **{name: st.booleans() for name in REQUIREMENT_NAMES}),
)


def total_resources(mcs: McsSizing) -> tuple[int, ...]:
    """Instances, then the sums over instances of CPU, RAM, disk and Ethernet."""
    totals = [
        sum(int(g.instances.value) * int(getattr(g, key).value) for g in mcs.instance_groups)
        for key in ("vcpu", "ram_gb", "disk_gb", "nic_gbit", "min_bandwidth_mbps")
    ]
    return (int(mcs.instances.value), *totals)


@relaxed
@given(inputs, st.integers(min_value=0, max_value=25_000), st.sampled_from(DEVICE_FIELDS))
def test_more_devices_never_give_fewer_resources(inp: SizingInput, extra: int, field: str) -> None:
    more = replace(inp, sites=(*inp.sites, Site("Extra", "lan", **{field: extra})))
    before, after = size_mcs(inp, SEED_TABLE), size_mcs(more, SEED_TABLE)
    for old, new in zip(total_resources(before), total_resources(after), strict=True):
        assert new >= old
    for key in ("tier_max_users", "vcpu", "active_connections", "bandwidth_mbps"):
        assert getattr(after, key).value >= getattr(before, key).value, key


@relaxed
@given(inputs, st.integers(min_value=0, max_value=2_000))
def test_more_tvox_systems_never_give_fewer_instances(inp: SizingInput, extra: int) -> None:
    more = replace(inp, tvox_systems=inp.tvox_systems + extra)
    assert size_mcs(more, SEED_TABLE).instances.value >= size_mcs(inp, SEED_TABLE).instances.value


@relaxed
@given(inputs)
def test_instances_cover_both_limits_and_no_more(inp: SizingInput) -> None:
    mcs = size_mcs(inp, SEED_TABLE)
    n, devices, tvox = int(mcs.instances.value), int(mcs.devices.value), inp.tvox_systems
    assert n * 10_000 >= devices and n * 250 >= tvox
    assert n == 1 or (n - 1) * 10_000 < devices or (n - 1) * 250 < tvox
    groups = mcs.instance_groups
    assert sum(int(g.instances.value) for g in groups) == n
    assert sum(int(g.instances.value) * int(g.devices.value) for g in groups) == devices
    assert sum(int(g.instances.value) * int(g.tvox_systems.value) for g in groups) == tvox
    for g in groups:
        assert int(g.tvox_systems.value) <= 250
        assert int(g.devices.value) <= int(g.tier_max_users.value)  # inclusive bound
        # The smallest tier that covers the share: every smaller bound is below it.
        smaller = [t.max_users for t in SEED_TABLE.tiers if t.max_users < g.tier_max_users.value]
        assert all(bound < int(g.devices.value) for bound in smaller)
    shares = [int(g.devices.value) for g in groups]
    assert max(shares) - min(shares) <= 1  # spread evenly


@relaxed
@given(inputs)
def test_the_bandwidth_is_never_under_the_floor_nor_the_connections_need(
    inp: SizingInput,
) -> None:
    mcs = size_mcs(inp, SEED_TABLE)
    floor = sum(
        int(g.instances.value) * int(g.min_bandwidth_mbps.value) for g in mcs.instance_groups
    )
    need = int(mcs.active_connections.value) * Decimal("0.48")
    assert mcs.min_bandwidth_mbps.value == floor
    assert mcs.connections_bandwidth_mbps.value == need
    # Per instance the larger of the two, summed (S3): at least either total.
    assert mcs.bandwidth_mbps.value >= max(need, Decimal(floor))
    share = inp.concurrency if inp.concurrency is not None else Decimal(1)
    # Each instance rounds its own connections up: never fewer than the project's rounded.
    assert mcs.active_connections.value >= math.ceil(int(mcs.devices.value) * share)


def number_paths(data: Any, path: str = "") -> Iterator[str]:
    """Every number of the output, by path, outside the explanations and notices."""
    if isinstance(data, bool) or data is None or isinstance(data, str):
        return
    if isinstance(data, int | float):
        yield path
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from number_paths(item, f"{path}[{i}]")
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from number_paths(value, f"{path}.{key}" if path else key)


@relaxed
@given(inputs, st.sampled_from(["it", "en"]))
def test_every_figure_has_an_explanation_with_rules_and_a_sentence(
    inp: SizingInput, lang: str
) -> None:
    out = result_to_dict(size(inp, SEED_TABLE), lang)  # type: ignore[arg-type]
    explanations = out.pop("explanations")
    figures = {p for p in number_paths(out) if p != "table_version"}
    assert figures == set(explanations)  # every figure, and nothing else
    for why in explanations.values():  # type: ignore[attr-defined]
        assert why["rules"] and all(RULE.match(rule) for rule in why["rules"])
        assert why["message"].strip() and why["inputs"]
        assert all(rule in why["message"] for rule in why["rules"] if rule.startswith(("R", "S")))
    for section in ("mcs", "pure_cloud", "hybrid"):
        for notice in out[section]["warnings"] + out[section]["blockers"]:  # type: ignore[index]
            assert RULE.match(notice["rule"]) and notice["message"]


@relaxed
@given(inputs)
def test_the_texts_exist_in_italian_and_in_english(inp: SizingInput) -> None:
    italian = result_to_dict(size(inp, SEED_TABLE), "it")
    english = result_to_dict(size(inp, SEED_TABLE), "en")
    assert italian.pop("lang") == "it" and english.pop("lang") == "en"
    it_texts = {k: v["message"] for k, v in italian.pop("explanations").items()}  # type: ignore[attr-defined]
    en_texts = {k: v["message"] for k, v in english.pop("explanations").items()}  # type: ignore[attr-defined]
    assert it_texts.keys() == en_texts.keys()
    assert all(it_texts[k] != en_texts[k] for k in it_texts)


# --- The JSON contract: any valid input gives a result, any invalid one an error ------------

json_counts = st.integers(min_value=0, max_value=100_000)
json_sites = st.fixed_dictionaries(
    {
        "name": st.text(min_size=1, max_size=20).filter(visible_name),
        "connectivity": st.sampled_from(CONNECTIVITIES),
        **{field: json_counts for field in COUNT_FIELDS},
    }
)
json_inputs = st.fixed_dictionaries(
    {"sites": st.lists(json_sites, max_size=5)},
    optional={
        "tvox_systems": st.integers(min_value=1, max_value=100_000),
        "concurrency": st.floats(min_value=0, max_value=1, exclude_min=True) | st.just(1),
        "hypervisor": st.none() | st.text(min_size=1, max_size=30).filter(visible_name),
        "requirements": st.fixed_dictionaries(
            {}, optional={name: st.booleans() for name in REQUIREMENT_NAMES}
        ),
    },
)


@settings(max_examples=150, deadline=None)
@given(json_inputs, st.sampled_from(["it", "en"]))
def test_any_valid_input_gives_a_json_result(data: dict[str, Any], lang: str) -> None:
    out = result_to_dict(size(parse_input(data), SEED_TABLE), lang)  # type: ignore[arg-type]
    assert json.loads(json.dumps(out)) == out
    assert out["table_version"] == 1
    assert out["recommendation"]["architecture"] in ("pure_cloud", "mcs", "hybrid", None)  # type: ignore[index]


Mutation = Callable[[dict[str, Any]], str]  # breaks the input, returns the field it broke


def _site_count(bad: object) -> Mutation:
    def mutate(data: dict[str, Any]) -> str:
        data["sites"].append({"name": "X", "connectivity": "lan", **dict.fromkeys(COUNT_FIELDS, 0)})
        index = len(data["sites"]) - 1
        data["sites"][index]["sip_phones"] = bad
        return f"sites[{index}].sip_phones"

    return mutate


def _top(key: str, bad: object) -> Mutation:
    def mutate(data: dict[str, Any]) -> str:
        data[key] = bad
        return key

    return mutate


def _requirement(bad: object) -> Mutation:
    def mutate(data: dict[str, Any]) -> str:
        data["requirements"] = {"redundancy": bad}
        return "requirements.redundancy"

    return mutate


def _missing_site_key(data: dict[str, Any]) -> str:
    data["sites"].append({"name": "X", "connectivity": "lan"})
    return f"sites[{len(data['sites']) - 1}].users"


def _unknown_site_key(data: dict[str, Any]) -> str:
    data["sites"].append(
        {"name": "X", "connectivity": "lan", **dict.fromkeys(COUNT_FIELDS, 0), "colour": "red"}
    )
    return f"sites[{len(data['sites']) - 1}].colour"


def _over_a_million_devices(data: dict[str, Any]) -> str:
    data["sites"].append(
        {
            "name": "X",
            "connectivity": "lan",
            **dict.fromkeys(COUNT_FIELDS, 0),
            "widgets": 1_000_000,
            "web_clients": 1,
        }
    )
    return "sites"


MUTATIONS: list[Mutation] = [
    _site_count(-1),
    _site_count(True),
    _site_count(2.5),
    _site_count("4"),
    _site_count(None),
    _site_count(1_000_001),
    _top("tvox_systems", 0),
    _top("tvox_systems", False),
    _top("tvox_systems", 1.0),
    _top("concurrency", 0),
    _top("concurrency", 1.01),
    _top("concurrency", -0.5),
    _top("concurrency", True),
    _top("concurrency", "0.5"),
    _top("hypervisor", 7),
    _top("hypervisor", "  "),
    _top("requirements", [True]),
    _top("sites", {"name": "X"}),
    _top("unexpected", 1),
    _requirement(1),
    _requirement("yes"),
    _missing_site_key,
    _unknown_site_key,
    _over_a_million_devices,
]


@settings(max_examples=200, deadline=None)
@given(json_inputs, st.sampled_from(MUTATIONS))
def test_any_invalid_input_is_refused_with_the_field_named(
    data: dict[str, Any], mutate: Mutation
) -> None:
    broken = copy.deepcopy(data)
    field = mutate(broken)
    try:
        parse_input(broken)
    except InvalidInput as exc:
        fields = [error.field for error in exc.errors]
        assert field in fields
        for error in exc.errors:
            assert error.it.strip() and error.en.strip() and error.it != error.en
    else:
        raise AssertionError(f"accepted an input with a bad {field}")
