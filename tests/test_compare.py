"""Two snapshots compared (reports.compare): known snapshots give exact differences, a
snapshot compared with itself gives none, and reading a comparison the other way round
swaps every value and negates every difference.

The snapshots are built here as reports.snapshot.build_snapshot builds them (its shape),
sized with the seed table without a database.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.compare import Change, SnapshotDiff, compare_snapshots, table_changes
from reports.snapshot import frozen_table_snapshot
from sizing.inputs import CONNECTIVITIES, COUNT_FIELDS, REQUIREMENT_NAMES
from sizing.schema import size_json
from sizing.seed import SEED_TABLE
from sizing.tables import SizingTable

NBSP = "\u00a0"
MINUS = "\u2212"


def site(name: str, connectivity: str = "lan", address: str = "", **counts: int) -> dict[str, Any]:
    return {
        "name": name,
        "address": address,
        "connectivity": connectivity,
        **{field: counts.get(field, 0) for field in COUNT_FIELDS},
    }


def snapshot(
    sites: list[dict[str, Any]],
    *,
    tvox_systems: int = 1,
    concurrency: float = 1,
    hypervisor: str = "",
    public_domain: str = "",
    table: SizingTable = SEED_TABLE,
    language: str = "en",
    **requirements: bool,
) -> dict[str, Any]:
    """A proposal's snapshot of these answers and sites, sized with `table`."""
    answers = {name: requirements.get(name, False) for name in REQUIREMENT_NAMES}
    sizing_input: dict[str, Any] = {
        "sites": [{k: v for k, v in s.items() if k != "address"} for s in sites],
        "tvox_systems": tvox_systems,
        "concurrency": concurrency,
        "requirements": answers,
    }
    if hypervisor:
        sizing_input["hypervisor"] = hypervisor
    if public_domain:
        sizing_input["public_domain"] = public_domain
    return {
        "schema": 1,
        "language": language,
        "customer": {"company_name": "Ospedale San Luca S.p.A."},
        "project": {
            "title": "Three hospitals",
            "tvox_systems": tvox_systems,
            "concurrency": concurrency,
            "hypervisor": hypervisor,
            "public_domain": public_domain,
            "requirements": answers,
        },
        "sites": sites,
        "sizing_input": sizing_input,
        "table": frozen_table_snapshot(table),
        "result": size_json(sizing_input, table, "it" if language == "it" else "en"),
    }


def rows(changes: tuple[Change, ...] | list[Change]) -> list[tuple[str, str, str]]:
    return [(str(c.label), c.old_text, c.new_text) for c in changes]


def figures(diff: SnapshotDiff) -> dict[str, tuple[Any, Any, Decimal | None]]:
    return {c.key: (c.old, c.new, c.delta) for c in diff.changed_figures}


# Milano (300 apps) and Bergamo (200 web clients): 500 devices, the first tier (R9), 500
# connections at 0.48 Mbit/s = 240 Mbit/s, above the tier's 100 (R11, S3).
BEFORE = [site("Milano", "lan", mobile_apps=300), site("Bergamo", "mpls", web_clients=200)]
# Milano grows to 900 apps, Bergamo goes, Lodi comes with 50 widgets: 950 devices, 456 Mbit/s.
AFTER = [site("Milano", "lan", mobile_apps=900), site("Lodi", "internet", widgets=50)]
# The seed table with the first tier's minimum bandwidth raised from 100 to 600 Mbit/s.
NEWER_TABLE = replace(
    SEED_TABLE,
    version=2,
    effective_date=date(2026, 1, 1),
    tiers=(replace(SEED_TABLE.tiers[0], min_bandwidth_mbps=600), SEED_TABLE.tiers[1]),
)


def test_it_lists_the_answers_that_changed_with_their_labels() -> None:
    diff = compare_snapshots(
        snapshot(BEFORE),
        snapshot(BEFORE, tvox_systems=3, concurrency=0.5, hypervisor="vmware", redundancy=True),
    )
    assert rows(diff.changed_answers) == [
        ("TVox systems", "1", "3"),
        ("Concurrency share", f"100{NBSP}%", f"50{NBSP}%"),
        ("Hypervisor", "—", "VMware ESXi / vSphere"),
        ("No single point of failure", "No", "Yes"),
    ]
    assert diff.changed_answers[0].delta == 2
    assert diff.changed_answers[1].delta_text == f"{MINUS}50{NBSP}%"
    # Every answer is there for a side by side reading, the unchanged ones too.
    assert len(diff.answers) == 1 + 5 + len(REQUIREMENT_NAMES)


def test_it_matches_sites_by_name_added_removed_and_changed() -> None:
    diff = compare_snapshots(snapshot(BEFORE), snapshot(AFTER))
    assert [(s.name, rows(s.changes)) for s in diff.sites_added] == [
        ("Lodi", [("Connectivity", "—", "Internet only"), ("Widgets", "—", "50")])
    ]
    assert [(s.name, rows(s.changes)) for s in diff.sites_removed] == [
        ("Bergamo", [("Connectivity", "MPLS", "—"), ("Web clients", "200", "—")])
    ]
    assert [(s.name, rows(s.changes)) for s in diff.sites_changed] == [
        ("Milano", [("Mobile apps", "300", "900")])
    ]
    assert diff.sites_unchanged == 0


def test_a_site_changed_in_its_address_and_link_lists_both_and_the_others_count_unchanged() -> None:
    before = [*BEFORE, site("Pavia", "vpn", users=4)]
    after = [site("Milano", "mpls", "Via Roma 1", mobile_apps=300), *before[1:]]
    diff = compare_snapshots(snapshot(before), snapshot(after))
    assert [(s.name, rows(s.changes)) for s in diff.sites_changed] == [
        ("Milano", [("Address", "—", "Via Roma 1"), ("Connectivity", "Local LAN", "MPLS")])
    ]
    assert diff.sites_unchanged == 2
    assert not diff.sites_added and not diff.sites_removed


def test_a_repeated_site_name_meets_its_namesake_of_the_same_rank() -> None:
    before = [site("Filiale", users=1), site("Filiale", users=2)]
    after = [site("Filiale", users=1), site("Filiale", users=5), site("Filiale", users=7)]
    diff = compare_snapshots(snapshot(before), snapshot(after))
    assert [(s.name, rows(s.changes)) for s in diff.sites_changed] == [
        ("Filiale (2)", [("Users", "2", "5")])
    ]
    assert [s.name for s in diff.sites_added] == ["Filiale (3)"]
    assert diff.sites_unchanged == 1


def test_it_gives_every_sizing_figure_that_changed_old_new_and_the_difference() -> None:
    diff = compare_snapshots(snapshot(BEFORE), snapshot(AFTER))
    assert figures(diff) == {
        "inventory.mobile_apps": (300, 900, 600),
        "inventory.web_clients": (200, 0, -200),
        "inventory.widgets": (0, 50, 50),
        "mcs.devices": (500, 950, 450),
        "mcs.active_connections": (500, 950, 450),
        "mcs.connections_bandwidth_mbps": (240, 456, 216),
        "mcs.bandwidth_mbps": (240, 456, 216),
    }
    bandwidth = next(c for c in diff.changed_figures if c.key == "mcs.bandwidth_mbps")
    assert (str(bandwidth.label), bandwidth.old_text, bandwidth.new_text) == (
        "Recommended internet bandwidth",
        "240 Mbit/s",
        "456 Mbit/s",
    )
    assert (bandwidth.delta_text, bandwidth.direction) == ("+216 Mbit/s", "up")
    # The unchanged figures are there too, for the side by side table.
    vcpu = next(c for c in diff.figure_changes if c.key == "mcs.vcpu")
    assert (vcpu.old, vcpu.new, vcpu.changed, vcpu.delta_text) == (4, 4, False, "")


def test_more_devices_than_one_instance_holds_show_each_group_of_instances() -> None:
    # 12,000 devices: two instances of 6,000 each (S1), each on the second tier (R9).
    diff = compare_snapshots(snapshot(BEFORE), snapshot([site("Milano", mobile_apps=12_000)]))
    changed = figures(diff)
    assert changed["mcs.instances"] == (1, 2, 1)
    assert changed["mcs.vcpu"] == (4, 8, 4)
    assert changed["mcs.instance_groups[0].devices"] == (500, 6_000, 5_500)
    assert changed["mcs.instance_groups[0].bandwidth_mbps"] == (240, 2_880, 2_640)
    assert [str(s.title) for s in diff.figures][-2:] == ["Instance group 1", "Instance group 2"]
    # A group only one side has: its figures are absent on the other, with no difference.
    bandwidth = next(
        c for c in diff.figures[-1].changes if c.key == "mcs.instance_groups[1].bandwidth_mbps"
    )
    assert (bandwidth.old, bandwidth.new, bandwidth.old_text, bandwidth.delta_text) == (
        None,
        2_880,
        "—",
        "",
    )


def test_one_group_of_instances_on_both_sides_adds_no_group_section() -> None:
    diff = compare_snapshots(snapshot(BEFORE), snapshot(AFTER))
    assert [s.key for s in diff.figures] == ["inventory", "mcs", "licences"]


def test_it_gives_the_recommendation_and_each_options_verdict() -> None:
    # No single point of failure: MCS cannot be made redundant (R3); Pure Cloud stays.
    diff = compare_snapshots(snapshot(BEFORE), snapshot(BEFORE, redundancy=True))
    assert rows(diff.recommendation) == [
        ("Recommendation", "TVox Pure Cloud", "TVox Pure Cloud"),
        ("TVox Pure Cloud", "fits", "fits"),
        ("TVox + MCS", "fits", "does not fit"),
        ("Hybrid cloud", "fits", "fits"),
    ]
    assert [c.key for c in diff.changed_recommendation] == ["recommendation.options.mcs"]


def test_a_recommendation_that_no_longer_fits_reads_as_nothing_fitting() -> None:
    # TVox kept private leaves MCS alone (Q1); redundancy then rules it out too (R3).
    diff = compare_snapshots(
        snapshot(BEFORE, keep_tvox_private=True),
        snapshot(BEFORE, keep_tvox_private=True, redundancy=True),
    )
    assert rows(diff.changed_recommendation) == [
        ("Recommendation", "TVox + MCS", "No architecture fits these requirements"),
        ("TVox + MCS", "fits", "does not fit"),
    ]
    assert diff.recommendation[0].new is None


def test_it_gives_the_table_version_of_each_side() -> None:
    diff = compare_snapshots(snapshot(BEFORE), snapshot(BEFORE, table=NEWER_TABLE))
    assert (diff.table.old, diff.table.new, diff.table.changed) == (1, 2, True)
    assert (diff.table.old_text, diff.table.new_text) == ("version 1", "version 2")
    assert diff.table_dates == (date(2022, 1, 1), date(2026, 1, 1))
    # The new table's higher minimum wins over the connections' 240 Mbit/s (S3).
    assert figures(diff)["mcs.bandwidth_mbps"] == (240, 600, 360)
    assert diff.has_changes


def test_it_reads_in_the_readers_language_whatever_the_snapshots_language() -> None:
    diff = compare_snapshots(snapshot(BEFORE, language="en"), snapshot(AFTER, language="en"))
    with translation.override("it"):
        apps = next(c for c in diff.changed_figures if c.key == "inventory.mobile_apps")
        assert str(apps.label) == "App mobili"
        bandwidth = next(c for c in diff.changed_figures if c.key == "mcs.bandwidth_mbps")
        assert str(bandwidth.label) == "Banda internet consigliata"
        assert rows(diff.sites_removed[0].changes)[1][0] == "Web client"
        assert diff.recommendation[2].old_text == "adatta"
    big = compare_snapshots(snapshot(BEFORE), snapshot([site("Milano", mobile_apps=3_000)]))
    devices = next(c for c in big.changed_figures if c.key == "mcs.devices")
    with translation.override("it"):
        assert (devices.new_text, devices.delta_text) == ("3.000", "+2.500")
    with translation.override("en"):
        assert (devices.new_text, devices.delta_text) == ("3,000", "+2,500")


def test_the_partial_shows_the_changes_and_can_hide_the_rest() -> None:
    diff = compare_snapshots(snapshot(BEFORE), snapshot(AFTER))
    page = render_to_string(
        "reports/_snapshot_diff.html", {"diff": diff, "old_title": "v1", "new_title": "v2"}
    )
    assert "Lodi" in page and "Bergamo" in page and "Milano" in page
    assert "+216 Mbit/s" in page
    assert 'class="num diff-up"' in page
    assert "CPU cores per instance" in page  # unchanged, shown side by side
    only = render_to_string("reports/_snapshot_diff.html", {"diff": diff, "changes_only": True})
    assert "+216 Mbit/s" in only
    assert "CPU cores per instance" not in only
    assert "Before" in only and "After" in only  # the default column titles
    same = render_to_string(
        "reports/_snapshot_diff.html",
        {"diff": compare_snapshots(snapshot(BEFORE), snapshot(BEFORE)), "changes_only": True},
    )
    assert "No differences: both say the same." in same
    assert "diff-changed" not in same


def test_a_newer_table_lists_the_figures_it_would_change() -> None:
    offer = snapshot(BEFORE)
    changes = table_changes(offer, NEWER_TABLE)
    assert {c.key: (c.old, c.new) for c in changes} == {
        "mcs.min_bandwidth_mbps": (100, 600),
        "mcs.bandwidth_mbps": (240, 600),
    }


def test_the_same_or_an_older_table_changes_nothing() -> None:
    assert table_changes(snapshot(BEFORE), SEED_TABLE) == []
    assert table_changes(snapshot(BEFORE, table=NEWER_TABLE), SEED_TABLE) == []


def test_a_newer_table_that_changes_no_figure_lists_nothing() -> None:
    newer = replace(SEED_TABLE, version=2, effective_date=date(2026, 1, 1), os_name="Rocky 9")
    assert table_changes(snapshot(BEFORE), newer) == []


# --- properties ----------------------------------------------------------------------------

names = st.sampled_from(["Milano", "Bergamo", "Lodi", "Pavia"])
sites = st.lists(
    st.builds(
        site,
        names,
        st.sampled_from(CONNECTIVITIES),
        users=st.integers(0, 50),
        sip_phones=st.integers(0, 20),
        mobile_apps=st.integers(0, 12_000),
        web_clients=st.integers(0, 3_000),
        widgets=st.integers(0, 100),
    ),
    min_size=1,
    max_size=4,
)
snapshots = st.builds(
    snapshot,
    sites,
    tvox_systems=st.integers(1, 600),
    concurrency=st.sampled_from([1, 0.5, 0.25]),
    hypervisor=st.sampled_from(["", "vmware", "hyperv"]),
    table=st.sampled_from([SEED_TABLE, NEWER_TABLE]),
    redundancy=st.booleans(),
    full_cloud=st.booleans(),
    keep_tvox_private=st.booleans(),
)


@settings(max_examples=60, deadline=None)
@given(snapshots)
def test_a_snapshot_compared_with_itself_has_no_difference(s: dict[str, Any]) -> None:
    diff = compare_snapshots(s, s)
    assert not diff.has_changes
    assert not any(change.changed for change in diff.changes())
    assert all(change.delta in (None, 0) for change in diff.changes())


def _by_name(diff: SnapshotDiff) -> SnapshotDiff:
    return replace(diff, sites_changed=tuple(sorted(diff.sites_changed, key=lambda s: s.name)))


@settings(max_examples=60, deadline=None)
@given(snapshots, snapshots)
def test_swapping_old_and_new_negates_every_difference(
    a: dict[str, Any], b: dict[str, Any]
) -> None:
    forward, backward = compare_snapshots(a, b), compare_snapshots(b, a)
    assert _by_name(backward) == _by_name(forward.swapped())
    there = {c.key: c for c in forward.figure_changes}
    for change in backward.figure_changes:
        ahead = there[change.key]
        assert (change.old, change.new) == (ahead.new, ahead.old)
        if ahead.delta is None:
            assert change.delta is None
        else:
            assert change.delta == -ahead.delta
    assert [s.name for s in backward.sites_added] == [s.name for s in forward.sites_removed]
    assert [s.name for s in backward.sites_removed] == [s.name for s in forward.sites_added]
