"""Each rule of docs/DOMAIN.md and each boundary of its assumptions, on the plain-Python
core with the seed table (no database): R1-R13, S1-S7, Q1-Q2."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest

from sizing.engine import size, size_hybrid, size_mcs, size_pure_cloud
from sizing.explain import Notice
from sizing.inputs import HYPERVISOR_LABELS, Requirements, Site, SizingInput
from sizing.notices import os_end_of_life
from sizing.results import McsSizing, SizingResult
from sizing.schema import parse_input, result_to_dict
from sizing.seed import SEED_TABLE


def make_input(
    *sites: Site,
    tvox: int = 1,
    concurrency: str | None = None,
    hypervisor: str | None = None,
    **requirements: bool,
) -> SizingInput:
    return SizingInput(
        sites=sites or (Site("Sede", "lan"),),
        tvox_systems=tvox,
        concurrency=Decimal(concurrency) if concurrency is not None else None,
        hypervisor=hypervisor,
        requirements=Requirements(**requirements),
    )


def devices_site(devices: int, connectivity: str = "lan") -> Site:
    return Site("Milano", connectivity, mobile_apps=devices)


def mcs_for(devices: int = 0, tvox: int = 1, **options: object) -> McsSizing:
    return size_mcs(make_input(devices_site(devices), tvox=tvox, **options), SEED_TABLE)  # type: ignore[arg-type]


def result_for(*sites: Site, tvox: int = 1, **requirements: bool) -> SizingResult:
    return size(make_input(*sites, tvox=tvox, **requirements), SEED_TABLE)


def codes(notices: tuple[Notice, ...]) -> list[str]:
    return [notice.code for notice in notices]


def groups(mcs: McsSizing) -> list[tuple[int, int, int, int]]:
    """(instances, devices each, TVox each, tier) per group."""
    return [
        (
            int(g.instances.value),
            int(g.devices.value),
            int(g.tvox_systems.value),
            int(g.tier_max_users.value),
        )
        for g in mcs.instance_groups
    ]


# --- S1, R9: the tier by MCS devices, bounds inclusive ---------------------------------------


def test_it_sizes_1000_devices_on_the_1000_tier_bound_included() -> None:
    mcs = mcs_for(1_000)
    assert mcs.instances.value == 1
    assert mcs.tier_max_users.value == 1_000
    assert (mcs.vcpu.value, mcs.ram_gb.value, mcs.disk_gb.value, mcs.nic_gbit.value) == (
        4,
        8,
        150,
        1,
    )
    assert mcs.disk_type == "SSD"
    assert mcs.min_bandwidth_mbps.value == 100


def test_it_moves_1001_devices_to_the_10000_tier() -> None:
    mcs = mcs_for(1_001)
    assert mcs.instances.value == 1
    assert mcs.tier_max_users.value == 10_000
    assert (mcs.vcpu.value, mcs.ram_gb.value, mcs.disk_gb.value, mcs.nic_gbit.value) == (
        8,
        8,
        150,
        1,
    )
    assert mcs.min_bandwidth_mbps.value == 1_000


def test_it_keeps_10000_devices_on_one_instance_inside_the_table() -> None:
    mcs = mcs_for(10_000)
    assert mcs.instances.value == 1
    assert groups(mcs) == [(1, 10_000, 1, 10_000)]
    assert "outside_documented_table" not in codes(mcs.warnings)


def test_it_splits_10001_devices_evenly_over_two_instances_and_flags_it() -> None:
    mcs = mcs_for(10_001)
    assert mcs.instances.value == 2
    assert groups(mcs) == [(1, 5_001, 1, 10_000), (1, 5_000, 0, 10_000)]
    warning = next(w for w in mcs.warnings if w.code == "outside_documented_table")
    assert warning.rules == ("S1", "R9")
    assert "10,001" in warning.en and "10.001" in warning.it


def test_it_splits_30001_devices_over_four_instances() -> None:
    mcs = mcs_for(30_001)
    assert mcs.instances.value == 4
    assert sum(n * d for n, d, _, _ in groups(mcs)) == 30_001
    assert max(d for _, d, _, _ in groups(mcs)) == 7_501


def test_it_sizes_no_devices_on_one_instance_of_the_smallest_tier() -> None:
    mcs = mcs_for(0)
    assert (mcs.instances.value, mcs.tier_max_users.value, mcs.bandwidth_mbps.value) == (
        1,
        1_000,
        100,
    )


def test_it_counts_mobile_apps_web_clients_and_widgets_of_every_site_but_not_users() -> None:
    sites = (
        Site("Roma", "lan", users=50_000, sip_phones=900, mobile_apps=400, web_clients=300),
        Site("Torino", "vpn", users=10, widgets=301, smart_working_webclient=99),
    )
    mcs = size_mcs(make_input(*sites), SEED_TABLE)
    assert mcs.devices.value == 1_001
    assert mcs.tier_max_users.value == 10_000
    assert dict(mcs.devices.why.inputs)["widgets"] == 301


# --- S2, R10: at most 250 TVox per instance; each instance's tier follows its share --------


def test_it_serves_250_tvox_systems_from_one_instance() -> None:
    mcs = mcs_for(10, tvox=250)
    assert mcs.instances.value == 1
    assert groups(mcs) == [(1, 10, 250, 1_000)]


def test_it_needs_a_second_instance_for_the_251st_tvox_system() -> None:
    mcs = mcs_for(10, tvox=251)
    assert mcs.instances.value == 2
    assert groups(mcs) == [(1, 5, 126, 1_000), (1, 5, 125, 1_000)]


def test_it_takes_the_larger_of_the_device_and_the_tvox_instance_counts() -> None:
    assert mcs_for(25_000, tvox=251).instances.value == 3  # devices decide
    assert mcs_for(10_001, tvox=751).instances.value == 4  # TVox systems decide
    assert mcs_for(10_001, tvox=500).instances.value == 2


def test_it_gives_each_instance_the_tier_of_its_own_share() -> None:
    mcs = mcs_for(2_001, tvox=251)
    assert groups(mcs) == [(1, 1_001, 126, 10_000), (1, 1_000, 125, 1_000)]
    assert [g.vcpu.value for g in mcs.instance_groups] == [8, 4]
    # The per-instance figures are the largest instance's, and say that others need less.
    assert mcs.vcpu.value == 8
    for fig in (mcs.tier_max_users, mcs.vcpu, mcs.ram_gb, mcs.disk_gb, mcs.nic_gbit):
        assert "Per instance, the largest" in fig.why.en
        assert "see instance_groups for each" in fig.why.en
        assert "Per istanza, la più grande" in fig.why.it
        assert "vedi instance_groups per ciascuna" in fig.why.it
    # R9 floor: one tier of 1,000 Mb/s plus one of 100 Mb/s.
    assert mcs.min_bandwidth_mbps.value == 1_100


def test_it_keeps_two_instances_of_1000_devices_on_the_small_tier() -> None:
    mcs = mcs_for(1_001, tvox=251)
    assert groups(mcs) == [(1, 501, 126, 1_000), (1, 500, 125, 1_000)]
    assert mcs.vcpu.value == 4
    assert "instance_groups" not in mcs.vcpu.why.en


# --- S3, R11: 0.48 Mbit/s per connection, the tiers' floor, connections rounded up ----------


def test_it_counts_60_kb_per_second_as_0_48_mbit_per_connection() -> None:
    mcs = mcs_for(1)
    assert mcs.mbps_per_connection.value == Decimal("0.48")
    assert mcs.mbps_per_connection.why.rules == ("R11", "S3")


def test_it_keeps_the_100_mbps_floor_while_connections_need_less() -> None:
    mcs = mcs_for(208)  # 208 * 0.48 = 99.84
    assert mcs.connections_bandwidth_mbps.value == Decimal("99.84")
    assert mcs.bandwidth_mbps.value == 100


def test_it_follows_the_connections_once_they_need_more_than_the_floor() -> None:
    mcs = mcs_for(209)  # 209 * 0.48 = 100.32
    assert mcs.bandwidth_mbps.value == Decimal("100.32")


def test_it_applies_the_1000_mbps_floor_of_the_large_tier() -> None:
    assert mcs_for(2_083).bandwidth_mbps.value == 1_000  # 999.84 needed
    assert mcs_for(2_084).bandwidth_mbps.value == Decimal("1000.32")


def test_it_sums_the_floors_of_every_instance() -> None:
    mcs = mcs_for(20_000)  # two instances of 10,000
    assert mcs.min_bandwidth_mbps.value == 2_000
    assert mcs.bandwidth_mbps.value == Decimal("9600")  # 20,000 * 0.48 is above the floor
    assert mcs_for(3_000, tvox=251).bandwidth_mbps.value == 2_000  # 1,440 needed
    assert mcs_for(100, tvox=600).min_bandwidth_mbps.value == 300  # 3 small instances


@pytest.mark.parametrize(
    ("devices", "tvox", "total", "inputs"),
    [
        (1_500, 251, 200, {"instances_at_100_mbps": 2}),  # 750 + 750 devices: two small tiers
        (10_001, 1, 2_000, {"instances_at_1000_mbps": 2}),  # 5,001 + 5,000: two large tiers
        (2_001, 251, 1_100, {"instances_at_1000_mbps": 1, "instances_at_100_mbps": 1}),
    ],
)
def test_it_counts_every_instance_of_the_same_floor_in_the_explanation(
    devices: int, tvox: int, total: int, inputs: dict[str, int]
) -> None:
    floor = mcs_for(devices, tvox=tvox).min_bandwidth_mbps
    assert floor.value == total
    assert dict(floor.why.inputs) == inputs
    assert sum(n * int(k.split("_")[2]) for k, n in inputs.items()) == total


def test_it_rounds_active_connections_up() -> None:
    mcs = mcs_for(3, concurrency="0.5")
    assert mcs.active_connections.value == 2
    assert "1.5" in mcs.active_connections.why.en


def test_it_computes_the_concurrency_share_exactly_not_in_floating_point() -> None:
    # 100 * 0.7 is 70.00000000000001 in floating point: that would wrongly round up to 71.
    inp = parse_input(
        {"sites": [json_site(mobile_apps=100)], "concurrency": 0.7, "requirements": {}}
    )
    assert size_mcs(inp, SEED_TABLE).active_connections.value == 70


def test_it_uses_the_tables_default_concurrency_when_none_is_given() -> None:
    mcs = mcs_for(500)
    assert mcs.concurrency.value == 1
    assert mcs.active_connections.value == 500
    assert "default" in mcs.concurrency.why.en


# --- S4, R12; S5, R1, R3: tunnels and licences --------------------------------------------


def test_it_needs_one_openvpn_tunnel_per_tvox_system() -> None:
    tunnels = mcs_for(10, tvox=7).openvpn_tunnels
    assert tunnels.value == 7
    assert tunnels.why.rules == ("S4", "R12")


def test_it_serves_the_tvox_systems_of_several_customers_from_one_mcs() -> None:
    # R6: MCS is multi-customer; each customer's TVox counts toward R10 and R12.
    sites = tuple(Site(f"Cliente {i}", "vpn", web_clients=100) for i in range(3))
    mcs = size_mcs(make_input(*sites, tvox=120), SEED_TABLE)
    assert (mcs.instances.value, mcs.openvpn_tunnels.value, mcs.devices.value) == (1, 120, 300)


def test_it_licenses_every_smart_working_user_under_mcs() -> None:
    sites = (
        Site("Roma", "lan", smart_working_webclient=12, smart_working_team=3),
        Site("Bari", "vpn", smart_working_webclient=5, smart_working_team=0),
    )
    mcs = size_mcs(make_input(*sites), SEED_TABLE)
    assert mcs.webclient_smart_working.value == 17
    assert mcs.tvoxteam_smart_working.value == 3
    assert mcs.webclient_smart_working.why.rules == ("S5", "R1")


def test_it_puts_one_pure_cloud_licence_on_every_tvox() -> None:
    inp = make_input(tvox=3)
    assert size_pure_cloud(inp).pure_cloud_licenses.value == 3
    assert size_hybrid(inp).pure_cloud_licenses.value == 3


def test_it_licenses_master_and_slave_when_redundancy_is_required() -> None:
    inp = make_input(tvox=3, redundancy=True)
    licences = size_pure_cloud(inp).pure_cloud_licenses
    assert licences.value == 6
    assert "R3" in licences.why.rules
    assert size_hybrid(inp).pure_cloud_licenses.value == 6


# --- S6: the warnings of every MCS result (R3, R13, R7, R8) --------------------------------


def test_it_warns_on_every_mcs_result_about_redundancy_domain_and_centos() -> None:
    mcs = mcs_for(0)
    by_code = {w.code: w for w in mcs.warnings}
    assert by_code["mcs_not_redundant"].rules == ("R3", "R13")
    assert by_code["public_domain_name_required"].rules == ("R7", "B2")
    assert by_code["os_end_of_life"].rules == ("R8",)
    assert "30 June 2024" in by_code["os_end_of_life"].en
    assert "30/06/2024" in by_code["os_end_of_life"].it
    assert "CentOS 7" in by_code["os_end_of_life"].en
    assert "unsupported_hypervisor" not in by_code


def test_it_says_centos_7_has_reached_its_end_of_life() -> None:
    warning = next(w for w in mcs_for(0).warnings if w.code == "os_end_of_life")
    assert "reached its end of life on 30 June 2024" in warning.en
    assert "ha raggiunto la fine del ciclo di vita il 30/06/2024" in warning.it


def test_it_speaks_of_an_end_of_life_still_to_come_in_the_future_tense() -> None:
    end = datetime.date(2032, 5, 31)
    warning = os_end_of_life("AlmaLinux 8", end, today=datetime.date(2026, 1, 1))
    assert "which reaches its end of life on 31 May 2032" in warning.en
    assert "che raggiungerà la fine del ciclo di vita il 31/05/2032" in warning.it
    after = os_end_of_life("AlmaLinux 8", end, today=end)
    assert "reached its end of life on 31 May 2032" in after.en


@pytest.mark.parametrize("hypervisor", ["vmware", "xen", "virtualbox", "bare_metal", "VMware"])
def test_it_accepts_the_supported_hypervisors(hypervisor: str) -> None:
    assert "unsupported_hypervisor" not in codes(mcs_for(0, hypervisor=hypervisor).warnings)


def test_it_flags_any_other_hypervisor_as_unsupported() -> None:
    warnings = {w.code: w for w in mcs_for(0, hypervisor="hyper-v").warnings}
    assert warnings["unsupported_hypervisor"].rules == ("R8",)
    assert "hyper-v" in warnings["unsupported_hypervisor"].en
    assert warnings["unsupported_hypervisor"].causes == ("hypervisor",)


def test_the_unsupported_hypervisor_warning_names_the_supported_ones_by_their_labels() -> None:
    warning = {w.code: w for w in mcs_for(0, hypervisor="kvm").warnings}["unsupported_hypervisor"]
    for key in SEED_TABLE.supported_hypervisors:
        it, en = HYPERVISOR_LABELS[key]
        assert it in warning.it
        assert en in warning.en
    assert "VMware ESXi / vSphere" in warning.en  # a label, not the key "vmware"


# --- S7: blocking conflicts (R2, R3/R13, R5) ------------------------------------------------


def test_it_blocks_mcs_for_sip_phones_reachable_only_over_the_internet() -> None:
    sites = (
        Site("Napoli", "internet", sip_phones=4),
        Site("Roma", "vpn", sip_phones=40),
        Site("Bari", "internet", sip_phones=0, mobile_apps=3),
    )
    result = result_for(*sites)
    blocker = next(b for b in result.mcs.blockers if b.code == "sip_phones_over_internet")
    assert blocker.rules == ("R2",)
    assert blocker.causes == ("sites[0].sip_phones",)
    assert "Napoli" in blocker.en and "Roma" not in blocker.en
    assert result.pure_cloud.blockers == () and result.hybrid.blockers == ()


@pytest.mark.parametrize("connectivity", ["lan", "vpn", "mpls"])
def test_it_lets_sip_phones_reach_mcs_over_a_direct_link(connectivity: str) -> None:
    mcs = size_mcs(make_input(Site("Roma", connectivity, sip_phones=50)), SEED_TABLE)
    assert mcs.blockers == ()


def test_it_blocks_mcs_when_no_single_point_of_failure_is_required() -> None:
    result = result_for(redundancy=True)
    assert codes(result.mcs.blockers) == ["redundancy_not_possible"]
    assert result.mcs.blockers[0].rules == ("R3", "R13")
    assert result.pure_cloud.blockers == ()


def test_it_blocks_pure_cloud_and_hybrid_when_dhcp_provisioning_is_required() -> None:
    result = result_for(dhcp_provisioning=True)
    for cloud in (result.pure_cloud, result.hybrid):
        assert codes(cloud.blockers) == ["dhcp_provisioning_not_possible"]
        assert cloud.blockers[0].rules == ("R5",)
    assert result.mcs.blockers == ()
    assert "no_dhcp_provisioning" not in codes(result.hybrid.warnings)  # a blocker instead


def test_it_warns_that_hybrid_cannot_provision_through_dhcp_even_on_the_private_line() -> None:
    result = result_for(Site("Roma", "mpls"))
    assert "no_dhcp_provisioning" in codes(result.hybrid.warnings)
    assert "no_direct_link" not in codes(result.hybrid.warnings)


def test_hybrid_does_not_fit_without_a_site_on_a_direct_link() -> None:
    # Hybrid cloud is Pure Cloud plus a direct link to a company site (DOMAIN, R5).
    result = result_for(Site("Napoli", "internet"), Site("Bari", "internet"))
    hybrid = next(o for o in result.recommendation.options if o.architecture == "hybrid")
    assert not hybrid.fits
    assert codes(hybrid.reasons) == ["no_direct_link"]
    assert hybrid.reasons[0].rules == ("R5",)
    assert hybrid.reasons[0].causes == ("sites[0].connectivity", "sites[1].connectivity")
    assert "Napoli" in hybrid.reasons[0].en and "Bari" in hybrid.reasons[0].it
    # The not-fit reason replaces the old warning: the hybrid section no longer carries it.
    assert "no_direct_link" not in codes(result.hybrid.warnings)
    assert result.recommendation.architecture == "pure_cloud"


@pytest.mark.parametrize("connectivity", ["lan", "vpn", "mpls"])
def test_hybrid_fits_with_one_site_on_a_direct_link(connectivity: str) -> None:
    rec = result_for(Site("Napoli", "internet"), Site("Roma", connectivity)).recommendation
    assert next(o for o in rec.options if o.architecture == "hybrid").fits


def test_it_warns_that_pure_cloud_exposes_tvox_publicly() -> None:
    assert codes(result_for().pure_cloud.warnings) == ["tvox_publicly_exposed"]
    assert result_for().pure_cloud.warnings[0].rules == ("R4",)


# --- The recommendation (Q1, Q2, R1-R5) -----------------------------------------------------


def test_it_recommends_pure_cloud_to_who_wants_to_be_fully_in_the_cloud() -> None:
    rec = result_for(full_cloud=True).recommendation
    assert rec.architecture == "pure_cloud"
    assert rec.reasons[0].rules == ("Q1",)
    fits = {o.architecture: o.fits for o in rec.options}
    assert fits == {"pure_cloud": True, "mcs": False, "hybrid": True}


@pytest.mark.parametrize("requirement", ["keep_tvox_private", "no_public_pbx_exposure"])
def test_it_recommends_mcs_to_keep_tvox_private_or_unexposed(requirement: str) -> None:
    rec = result_for(**{requirement: True}).recommendation
    assert rec.architecture == "mcs"
    assert "R4" in rec.reasons[0].rules
    assert rec.reasons[0].causes == (f"requirements.{requirement}",)
    options = {o.architecture: o for o in rec.options}
    assert not options["pure_cloud"].fits and not options["hybrid"].fits


def test_it_recommends_hybrid_to_reuse_local_lines_and_phones_from_the_cloud() -> None:
    rec = result_for(
        Site("Roma", "mpls", sip_phones=30), full_cloud=True, reuse_local_lines_and_phones=True
    ).recommendation
    assert rec.architecture == "hybrid"
    assert rec.reasons[0].rules == ("Q2", "R5")
    pure_cloud = next(o for o in rec.options if o.architecture == "pure_cloud")
    assert not pure_cloud.fits
    assert pure_cloud.reasons[0].code == "no_direct_link_to_local_lines"


def test_nothing_fits_the_cloud_with_local_lines_when_no_site_has_a_direct_link() -> None:
    rec = result_for(
        Site("Napoli", "internet", sip_phones=3),
        full_cloud=True,
        reuse_local_lines_and_phones=True,
    ).recommendation
    assert rec.architecture is None
    summary = rec.reasons[0]
    assert summary.code == "requirements_conflict"
    assert set(summary.causes) == {
        "requirements.full_cloud",
        "requirements.reuse_local_lines_and_phones",
        "sites[0].sip_phones",
        "sites[0].connectivity",
    }
    assert {"Q1", "Q2", "R2", "R5"} <= set(summary.rules)
    assert "being fully in the cloud" in summary.en
    assert "reusing the company's lines and SIP phones" in summary.en
    assert "sites without a direct link" in summary.en
    assert "sedi senza collegamento diretto" in summary.it
    hybrid = next(r for r in rec.reasons[1:] if r.en.startswith("Hybrid cloud"))
    assert "R5" in hybrid.rules and "Napoli" in hybrid.en


def test_it_keeps_local_lines_on_mcs_and_leaves_the_choice_with_hybrid_to_q1() -> None:
    # Only reuse_local_lines_and_phones: the customer never said they do not want the cloud.
    rec = result_for(reuse_local_lines_and_phones=True).recommendation
    assert rec.architecture == "mcs"
    reason = rec.reasons[0]
    assert reason.code == "local_lines_private_tvox"
    assert set(reason.rules) == {"Q1", "Q2", "R2", "R5"}
    assert "no wish" not in reason.en and "senza richiesta di cloud" not in reason.it
    assert "hybrid cloud" in reason.en and "cloud ibrido" in reason.it
    assert "DHCP" in reason.en and "DHCP" in reason.it
    assert "Q1" in reason.en and "Q1" in reason.it


def test_it_keeps_local_lines_on_mcs_as_the_only_fit_without_a_direct_link() -> None:
    rec = result_for(Site("Napoli", "internet"), reuse_local_lines_and_phones=True).recommendation
    assert rec.architecture == "mcs"
    assert rec.reasons[0].code == "only_fit"


def test_it_recommends_pure_cloud_for_redundancy() -> None:
    rec = result_for(redundancy=True).recommendation
    assert rec.architecture == "pure_cloud"
    assert rec.reasons[0].code == "redundant_in_cloud"


def test_it_recommends_mcs_as_the_only_fit_when_dhcp_provisioning_is_required() -> None:
    rec = result_for(dhcp_provisioning=True).recommendation
    assert rec.architecture == "mcs"
    assert rec.reasons[0].code == "only_fit"


def test_it_proposes_pure_cloud_and_asks_q1_when_no_requirement_decides() -> None:
    rec = result_for().recommendation
    assert rec.architecture == "pure_cloud"
    assert rec.reasons[0].code == "no_deciding_requirement"
    assert "Q1" in rec.reasons[0].en


def test_it_steers_to_the_cloud_when_sip_phones_are_only_on_the_internet() -> None:
    rec = result_for(Site("Napoli", "internet", sip_phones=5)).recommendation
    mcs = next(o for o in rec.options if o.architecture == "mcs")
    assert not mcs.fits and mcs.reasons[0].rules == ("R2",)
    assert rec.architecture == "pure_cloud"


@pytest.mark.parametrize(
    ("requirements", "sites", "causes", "rules"),
    [
        (
            {"full_cloud": True, "keep_tvox_private": True},
            (),
            {"requirements.full_cloud", "requirements.keep_tvox_private"},
            {"Q1"},
        ),
        (
            {"full_cloud": True, "dhcp_provisioning": True},
            (),
            {"requirements.full_cloud", "requirements.dhcp_provisioning"},
            {"Q1", "R5"},
        ),
        (
            {"redundancy": True, "keep_tvox_private": True},
            (),
            {"requirements.redundancy", "requirements.keep_tvox_private"},
            {"Q1", "R3", "R13"},
        ),
        (
            {"no_public_pbx_exposure": True},
            (Site("Napoli", "internet", sip_phones=2),),
            {
                "sites[0].sip_phones",
                "requirements.no_public_pbx_exposure",
                "sites[0].connectivity",  # no direct link: not hybrid either (R5)
            },
            {"R2", "R4", "R5"},
        ),
    ],
)
def test_it_names_the_conflicting_requirements_and_rules_when_nothing_fits(
    requirements: dict[str, bool], sites: tuple[Site, ...], causes: set[str], rules: set[str]
) -> None:
    rec = result_for(*sites, **requirements).recommendation
    assert rec.architecture is None
    summary = rec.reasons[0]
    assert summary.code == "requirements_conflict"
    assert set(summary.causes) == causes
    assert rules <= set(summary.rules)
    assert all(rule in summary.en and rule in summary.it for rule in rules)
    assert [r.code for r in rec.reasons[1:]] == ["what_to_change", *["does_not_fit"] * 3]
    assert not any(option.fits for option in rec.options)


def test_it_names_the_requirements_in_words_in_the_conflict() -> None:
    rec = result_for(full_cloud=True, keep_tvox_private=True).recommendation
    assert "being fully in the cloud" in rec.reasons[0].en
    assert "essere totalmente in cloud" in rec.reasons[0].it


# --- Explanations ---------------------------------------------------------------------------


def test_it_explains_the_instance_count_with_both_limits() -> None:
    why = mcs_for(15_000, tvox=300).instances.why
    assert why.rules == ("S2", "S1", "R9", "R10")
    assert dict(why.inputs) == {
        "devices": 15_000,
        "max_devices_per_instance": 10_000,
        "tvox_systems": 300,
        "max_tvox_per_instance": 250,
    }
    assert "15,000" in why.en and "15.000" in why.it
    assert "R10" in why.en and "R10" in why.it


def all_messages(data: object) -> list[str]:
    """Every sentence of a JSON result: explanations, warnings, blockers, reasons."""
    if isinstance(data, dict):
        found = [data["message"]] if isinstance(data.get("message"), str) else []
        return found + [m for value in data.values() for m in all_messages(value)]
    if isinstance(data, list):
        return [m for item in data for m in all_messages(item)]
    return []


ONE_WITH_PLURAL = {
    "en": re.compile(
        r"(?<![\d.,])1 (MCS )?(sites|instances|TVox systems|devices|active connections|"
        r"SIP phones|CPU cores|licences|tunnels)\b"
    ),
    "it": re.compile(
        r"(?<![\d.,])1 (sedi|istanze|sistemi TVox|dispositivi|connessioni attive|telefoni SIP|"
        r"licenze|tunnel OpenVPN)\b"
    ),
}
MANY_WITH_SINGULAR = {
    "en": re.compile(r"(?<![\d.,])([02-9]|\d[\d,]+) (site|instance|TVox system|device)\b(?!s)"),
    "it": re.compile(r"(?<![\d.,])([02-9]|\d[\d.]+) (sede|istanza|sistema TVox|dispositivo)\b"),
}


@pytest.mark.parametrize(
    ("sites", "tvox"),
    [
        ((Site("Napoli", "internet", sip_phones=1, mobile_apps=1, smart_working_team=1),), 1),
        ((devices_site(10_001),), 1),  # two instances: 1 TVox system and 0
        ((devices_site(1), devices_site(0)), 251),  # two instances: 1 device and 0
        ((devices_site(2_500, "internet"), devices_site(7, "mpls")), 600),
    ],
)
@pytest.mark.parametrize("lang", ["en", "it"])
def test_every_counted_noun_agrees_with_its_number(
    sites: tuple[Site, ...], tvox: int, lang: str
) -> None:
    out = result_to_dict(size(make_input(*sites, tvox=tvox), SEED_TABLE), lang)  # type: ignore[arg-type]
    messages = all_messages(out)
    assert messages
    for message in messages:
        assert not ONE_WITH_PLURAL[lang].search(message), message
        assert not MANY_WITH_SINGULAR[lang].search(message), message


def test_the_italian_and_english_sentences_read_as_a_proposal() -> None:
    result = result_for(keep_tvox_private=True, full_cloud=True)
    not_fit = {o.architecture: o for o in result.recommendation.options}
    hybrid = next(r for r in result.recommendation.reasons if r.it.startswith("Il cloud ibrido"))
    assert hybrid.it.startswith("Il cloud ibrido non è compatibile: con il cloud ibrido, TVox è")
    assert hybrid.en.startswith("Hybrid cloud does not fit: with hybrid cloud, TVox runs")
    assert not_fit["pure_cloud"].reasons[0].it.startswith("Con TVox Pure Cloud, TVox è")
    assert not_fit["mcs"].reasons[0].it.startswith("Con TVox + MCS, TVox resta")
    for reason in result.recommendation.reasons[1:]:  # no capital after the colon
        assert not re.search(r": [A-ZÈ][a-zà-ù]", reason.it + reason.en), reason
    mcs = size_mcs(make_input(Site("A", "lan"), Site("B", "lan")), SEED_TABLE)
    assert (
        "richiede almeno 100 Mbit/s di banda internet"
        in mcs.instance_groups[0].min_bandwidth_mbps.why.it
    )
    assert (
        "needs at least 100 Mbit/s of internet bandwidth"
        in mcs.instance_groups[0].min_bandwidth_mbps.why.en
    )
    assert "nelle 2 sedi" in mcs.devices.why.it and "nelle 2 sedi" in (
        mcs.webclient_smart_working.why.it
    )
    assert "in 1 sede" in mcs_for(5).devices.why.it
    by_code = {w.code: w for w in mcs.warnings}
    assert "un record A che risolva all'indirizzo IP pubblico statico del server MCS" in (
        by_code["public_domain_name_required"].it
    )


def test_the_dhcp_blockers_speak_of_receiving_the_provisioning() -> None:
    result = result_for(dhcp_provisioning=True)
    pure_cloud, hybrid = result.pure_cloud.blockers[0], result.hybrid.blockers[0]
    assert "gestisce il provisioning" in pure_cloud.it
    assert "nessun dispositivo può ricevere il provisioning via DHCP" in pure_cloud.it
    assert "provisiona " not in pure_cloud.it + hybrid.it
    assert "provisionato" not in pure_cloud.it + hybrid.it
    tier = next(a for a in result.assumptions if a.code == "tier_devices")
    assert tier.it.startswith("Per il taglio e le connessioni si contano i dispositivi")


@pytest.mark.parametrize("lang", ["en", "it"])
def test_every_sentence_writes_bandwidth_in_mbit_per_second(lang: str) -> None:
    inp = make_input(devices_site(10_001), Site("B", "internet"), tvox=251)
    for message in all_messages(result_to_dict(size(inp, SEED_TABLE), lang)):  # type: ignore[arg-type]
        assert "Mb/s" not in message, message


def test_it_records_the_table_version_it_used() -> None:
    assert result_for().table_version == SEED_TABLE.version == 1


def json_site(**counts: int) -> dict[str, object]:
    fields = (
        "users",
        "sip_phones",
        "mobile_apps",
        "web_clients",
        "widgets",
        "smart_working_webclient",
        "smart_working_team",
    )
    return {"name": "Sede", "connectivity": "lan", **{f: counts.get(f, 0) for f in fields}}
