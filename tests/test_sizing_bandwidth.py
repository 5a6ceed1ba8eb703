"""S3, instance by instance: every MCS instance is a system of its own, so its bandwidth is
the larger of its own connections' need (R11) and its tier's minimum (R9), and the total is
the sum of those. An instance's active connections are its own devices × the share, rounded
up. The per-instance figure shows beside each instance group on the page, in the PDF and in
the JSON's instance_groups, with its reason. And the JSON input's numbers are read exactly
as written (Decimal), on the API and by `manage.py size`."""

from __future__ import annotations

import io
import json
import math
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.models import Project, User
from reports.context import proposal_context
from reports.snapshot import build_snapshot
from sizing.engine import size, size_mcs
from sizing.inputs import COUNT_FIELDS, Site, SizingInput
from sizing.schema import InvalidInput, load_json, parse_input, result_to_dict
from sizing.seed import SEED_TABLE

from .factories import make_site, parse_html

PER_CONNECTION = Decimal("0.48")  # 60 KB/s, 1 KB = 1,000 bytes (R11, S3)


def json_site(**counts: int) -> dict[str, Any]:
    return {
        "name": "Milano",
        "connectivity": "lan",
        **{field: counts.get(field, 0) for field in COUNT_FIELDS},
    }


def worked_example() -> dict[str, Any]:
    """docs/DOMAIN.md, S3: 2,001 mobile apps and 251 TVox systems."""
    inp = SizingInput(sites=(Site("Milano", "lan", mobile_apps=2001),), tvox_systems=251)
    return result_to_dict(size(inp, SEED_TABLE), "en")


# --- The worked example of S3 -----------------------------------------------------------------


def test_the_worked_example_recommends_1480_mbit_s_not_1100() -> None:
    mcs = worked_example()["mcs"]
    assert mcs["bandwidth_mbps"] == 1480
    assert mcs["active_connections"] == 2001
    assert mcs["connections_bandwidth_mbps"] == 960.48
    assert mcs["min_bandwidth_mbps"] == 1100
    assert [
        (
            g["devices"],
            g["active_connections"],
            g["connections_bandwidth_mbps"],
            g["bandwidth_mbps"],
        )
        for g in mcs["instance_groups"]
    ] == [(1001, 1001, 480.48, 1000), (1000, 1000, 480, 480)]


def test_the_total_and_each_instance_say_why_in_both_languages() -> None:
    out = worked_example()["explanations"]
    assert out["mcs.bandwidth_mbps"]["message"] == (
        "Instance by instance, the larger of its connections' need (R11) and its tier's "
        "minimum (R9), added up: 1 × max(480.48, 1,000) + 1 × max(480, 100) = 1,480 Mbit/s (S3)."
    )
    assert out["mcs.bandwidth_mbps"]["rules"] == ["S3", "R9", "R11"]
    assert out["mcs.instance_groups[1].bandwidth_mbps"]["message"] == (
        "The larger of the instance's connections' need (480 Mbit/s, R11) and its tier's "
        "minimum (100 Mbit/s, R9): 480 Mbit/s for each of these instances (S3)."
    )
    inp = SizingInput(sites=(Site("Milano", "lan", mobile_apps=2001),), tvox_systems=251)
    italian = result_to_dict(size(inp, SEED_TABLE), "it")["explanations"]
    assert italian["mcs.bandwidth_mbps"]["message"] == (
        "Istanza per istanza, il maggiore tra il fabbisogno delle sue connessioni (R11) e il "
        "minimo del suo taglio (R9), sommati: 1 × max(480,48; 1.000) + 1 × max(480; 100) = "
        "1.480 Mbit/s (S3)."
    )
    assert (
        "480 Mbit/s per ciascuna di queste istanze (S3)"
        in (italian["mcs.instance_groups[1].bandwidth_mbps"]["message"])
    )


def test_each_instance_rounds_its_own_connections_up() -> None:
    # 20,001 devices need 3 instances of 6,667; half of 6,667 is 3,333.5, so 3,334 each:
    # 10,002 active connections, where rounding the project's 10,000.5 would give 10,001.
    inp = SizingInput(
        sites=(Site("A", "lan", widgets=20_001),), tvox_systems=3, concurrency=Decimal("0.5")
    )
    mcs = size_mcs(inp, SEED_TABLE)
    (group,) = mcs.instance_groups
    assert (group.instances.value, group.active_connections.value) == (3, 3334)
    assert mcs.active_connections.value == 10_002
    assert mcs.connections_bandwidth_mbps.value == Decimal("4800.96")
    assert "3 × 3,334 = 10,002 active connections" in mcs.active_connections.why.en


def test_the_assumption_says_the_bandwidth_is_summed_instance_by_instance() -> None:
    inp = SizingInput(sites=(Site("A", "lan", widgets=5),))
    (notice,) = [a for a in size(inp, SEED_TABLE).assumptions if a.code == "bandwidth_floor"]
    assert notice.en == (
        "Each MCS instance is a system of its own: its bandwidth is the larger of its active "
        "connections' need and its tier's minimum, and the total bandwidth is the sum of the "
        "instances'."
    )
    assert notice.it.startswith("Ogni istanza MCS è un sistema a sé")
    assert "larger of the connections' need and the sum" not in notice.en


# --- Properties -------------------------------------------------------------------------------

devices = st.integers(min_value=0, max_value=60_000)
shares = st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1), places=3)
projects = st.builds(
    lambda apps, widgets, tvox, share: SizingInput(
        sites=(Site("A", "lan", mobile_apps=apps), Site("B", "vpn", widgets=widgets)),
        tvox_systems=tvox,
        concurrency=share,
    ),
    devices,
    devices,
    st.integers(min_value=1, max_value=1_200),
    st.none() | shares,
)


def old_formula(inp: SizingInput, mcs: Any) -> Decimal:
    """Before S3 was read per instance: the larger of all the connections' need and the sum
    of the tiers' minimums."""
    share = inp.concurrency if inp.concurrency is not None else Decimal(1)
    connections = math.ceil(Decimal(mcs.devices.value) * share)
    return max(connections * PER_CONNECTION, Decimal(mcs.min_bandwidth_mbps.value))


@settings(deadline=None)
@given(inp=projects)
def test_the_total_is_the_sum_of_the_instances_larger_figure(inp: SizingInput) -> None:
    mcs = size_mcs(inp, SEED_TABLE)
    share = inp.concurrency if inp.concurrency is not None else Decimal(1)
    expected = Decimal(0)
    for g in mcs.instance_groups:
        connections = math.ceil(g.devices.value * share)
        need = connections * PER_CONNECTION
        assert g.active_connections.value == connections
        assert g.bandwidth_mbps.value == max(need, Decimal(g.min_bandwidth_mbps.value))
        expected += g.instances.value * max(need, Decimal(g.min_bandwidth_mbps.value))
    assert mcs.bandwidth_mbps.value == expected
    assert mcs.active_connections.value == sum(
        g.instances.value * g.active_connections.value for g in mcs.instance_groups
    )
    assert sum(g.instances.value for g in mcs.instance_groups) == mcs.instances.value


@settings(deadline=None)
@given(inp=projects)
def test_one_instance_gives_the_figures_of_the_old_formula(inp: SizingInput) -> None:
    mcs = size_mcs(inp, SEED_TABLE)
    if mcs.instances.value == 1:
        share = inp.concurrency if inp.concurrency is not None else Decimal(1)
        assert mcs.active_connections.value == math.ceil(mcs.devices.value * share)
        assert mcs.bandwidth_mbps.value == old_formula(inp, mcs)


@settings(deadline=None)
@given(inp=projects)
def test_the_bandwidth_is_never_below_the_old_formula(inp: SizingInput) -> None:
    mcs = size_mcs(inp, SEED_TABLE)
    assert mcs.bandwidth_mbps.value >= old_formula(inp, mcs)


# --- Numbers read exactly as written ----------------------------------------------------------

PRECISE = '{"sites": [%s], "concurrency": %s}'


def precise(share: str, **counts: int) -> str:
    return PRECISE % (json.dumps(json_site(**counts)), share)


def test_a_share_just_over_0_3_makes_31_connections_of_100_devices() -> None:
    inp = parse_input(load_json(precise("0.30000000000000001", mobile_apps=100)))
    assert inp.concurrency == Decimal("0.30000000000000001")
    mcs = size_mcs(inp, SEED_TABLE)
    assert mcs.active_connections.value == 31
    assert "100 devices × 30.000000000000001% = 30.000000000000001" in (
        mcs.active_connections.why.en
    )


def test_more_digits_than_the_default_decimal_context_still_round_up_exactly() -> None:
    share = "0." + "3" + "0" * 36 + "1"  # 40 characters: 1,000 × share = 300.00…01
    mcs = size_mcs(parse_input(load_json(precise(share, widgets=1_000))), SEED_TABLE)
    assert mcs.active_connections.value == 301


@pytest.mark.parametrize(
    "share",
    ["1.0000000000000001", "0." + "3" * 40, "1e-400", "1e99999999999999999999"],
)
def test_a_share_over_1_or_not_read_exactly_is_refused(share: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_input(load_json(precise(share, widgets=1)))
    assert [e.field for e in caught.value.errors] == ["concurrency"]


def test_integers_stay_integers_and_decimals_are_no_counts() -> None:
    data = load_json('{"sites": [], "tvox_systems": 3, "concurrency": 1}')
    assert isinstance(data, dict)
    assert type(data["tvox_systems"]) is int and type(data["concurrency"]) is int
    with pytest.raises(InvalidInput) as caught:
        parse_input(load_json('{"sites": [], "tvox_systems": 3.0}'))
    (error,) = caught.value.errors
    assert (error.field, error.en) == (
        "tvox_systems",
        "must be a whole number, not a number with decimals",
    )


def test_the_api_reads_the_share_exactly(client: Client, alice: User, sizing_table: None) -> None:
    client.force_login(alice)
    ok = client.post(
        "/api/sizing", precise("0.30000000000000001", mobile_apps=100), "application/json"
    )
    assert ok.status_code == 200
    assert ok.json()["mcs"]["active_connections"] == 31
    over = client.post("/api/sizing", precise("1.0000000000000001"), "application/json")
    assert over.status_code == 400
    assert [e["field"] for e in over.json()["errors"]] == ["concurrency"]


def test_the_command_reads_the_share_exactly(db: None) -> None:
    out = io.StringIO()
    stdin = io.BytesIO(precise("0.30000000000000001", mobile_apps=100).encode())
    call_command("size", "-", stdout=out, stdin=stdin)
    assert json.loads(out.getvalue())["mcs"]["active_connections"] == 31
    with pytest.raises(CommandError) as caught:
        call_command(
            "size",
            "-",
            stdout=io.StringIO(),
            stdin=io.BytesIO(precise("1.0000000000000001").encode()),
        )
    assert caught.value.returncode == 2
    assert "concurrency: must be a number greater than 0 and at most 1" in str(caught.value)


# --- The per-instance figure on the page and in the PDF ---------------------------------------


@pytest.fixture
def two_tiers(project: Project) -> Project:
    project.tvox_systems = 251
    project.save()
    make_site(project, "Milano", "mpls", mobile_apps=2001)
    return project


def test_the_page_shows_each_instance_groups_bandwidth_with_its_reason(
    client: Client, alice: User, two_tiers: Project
) -> None:
    client.force_login(alice)
    page = parse_html(client.get(reverse("project_detail", args=[two_tiers.pk])).content)
    cells = page.find_all("td", "instance-bandwidth")
    assert [" ".join(c.text.split()) for c in cells] == [
        "1,000 Mbit/s The larger of the instance's connections' need (480.48 Mbit/s, R11) and "
        "its tier's minimum (1,000 Mbit/s, R9): 1,000 Mbit/s for each of these instances (S3).",
        "480 Mbit/s The larger of the instance's connections' need (480 Mbit/s, R11) and its "
        "tier's minimum (100 Mbit/s, R9): 480 Mbit/s for each of these instances (S3).",
    ]
    figures = {
        header[0].text: row.find_all("td")[0].text.strip()
        for row in page.find_all("tr")
        if len(header := row.find_all("th")) == 1 and header[0].attrs.get("scope") == "row"
    }
    assert figures["Internet bandwidth"] == "1,480 Mbit/s"


@pytest.mark.usefixtures("sizing_table")
def test_the_pdf_lists_each_instance_groups_bandwidth_with_its_reason(two_tiers: Project) -> None:
    for language, value, why in (
        ("en", "1,000 Mbit/s", "1,000 Mbit/s for each of these instances (S3)."),
        ("it", "1.000 Mbit/s", "1.000 Mbit/s per ciascuna di queste istanze (S3)."),
    ):
        with translation.override(language):
            context = proposal_context(build_snapshot(two_tiers, language, None))
        figures = context["mcs"]["groups"][0]["figures"]
        (bandwidth,) = [f for f in figures if f["why"].endswith(why)]
        assert bandwidth["value"] == value
        assert "R9" in bandwidth["why"] and "R11" in bandwidth["why"]
        if language == "en":  # the Italian label comes with the catalogue
            assert str(bandwidth["label"]) == "Internet bandwidth per instance"
