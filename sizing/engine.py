"""The sizing rules S1-S5 of docs/DOMAIN.md: every figure with the rules and inputs behind it.

Readings where the seeds are open (the assumptions of docs/DOMAIN.md): the tier follows the
MCS devices (mobile apps + web clients + widgets, per the table), tier bounds are inclusive,
devices and TVox systems are spread evenly over the instances and each instance's tier
follows its share, 1 KB = 1,000 bytes, active connections are rounded up. Every instance is
a system of its own (S3): its bandwidth is the larger of its connections' need (R11) and
its tier's minimum (R9), and the project's bandwidth, active connections and connections'
need are the sums over the instances.
"""

from __future__ import annotations

import itertools
import math
from decimal import Decimal

from .explain import (
    EXACT,
    TIMES,
    Figure,
    count_en,
    count_it,
    figure,
    in_sites_it,
    num_en,
    num_it,
    pct_en,
    pct_it,
)
from .inputs import DEVICE_LABELS, SizingInput
from .notices import (
    cloud_blockers,
    hybrid_warnings,
    mcs_blockers,
    mcs_warnings,
    pure_cloud_warnings,
    table_assumptions,
)
from .recommend import recommend
from .results import CloudSizing, InstanceGroup, McsSizing, SizingResult
from .tables import SizingTable, Tier


def size(inp: SizingInput, table: SizingTable) -> SizingResult:
    """Size every architecture and recommend one: the whole result."""
    mcs = size_mcs(inp, table)
    pure_cloud = size_pure_cloud(inp)
    hybrid = size_hybrid(inp)
    return SizingResult(
        mcs=mcs,
        pure_cloud=pure_cloud,
        hybrid=hybrid,
        recommendation=recommend(inp, mcs, pure_cloud, hybrid),
        assumptions=table_assumptions(inp, table),
        table_version=table.version,
    )


# --- TVox + MCS -----------------------------------------------------------------------


def size_mcs(inp: SizingInput, table: SizingTable) -> McsSizing:
    devices = count_devices(inp, table)
    instances = count_instances(int(devices.value), inp.tvox_systems, table)
    concurrency = concurrency_share(inp, table)
    per_connection = mbps_per_connection(table)
    link = (concurrency, per_connection)
    groups = instance_groups(
        int(devices.value), inp.tvox_systems, int(instances.value), table, link
    )
    connections = total_connections(groups, concurrency)
    need = connections_bandwidth(connections, per_connection)
    floor = tiers_minimum_bandwidth(groups)
    top, differ = groups[0], len({g.tier_max_users.value for g in groups}) > 1
    return McsSizing(
        instances=instances,
        tier_max_users=per_instance(top.tier_max_users, differ),
        vcpu=per_instance(top.vcpu, differ),
        ram_gb=per_instance(top.ram_gb, differ),
        disk_gb=per_instance(top.disk_gb, differ),
        disk_type=top.disk_type,
        nic_gbit=per_instance(top.nic_gbit, differ),
        instance_groups=groups,
        devices=devices,
        concurrency=concurrency,
        active_connections=connections,
        mbps_per_connection=per_connection,
        connections_bandwidth_mbps=need,
        min_bandwidth_mbps=floor,
        bandwidth_mbps=total_bandwidth(groups, need, floor),
        openvpn_tunnels=openvpn_tunnels(inp),
        webclient_smart_working=smart_working_licenses(inp, "smart_working_webclient"),
        tvoxteam_smart_working=smart_working_licenses(inp, "smart_working_team"),
        warnings=mcs_warnings(inp, table, int(devices.value)),
        blockers=mcs_blockers(inp),
    )


def count_devices(inp: SizingInput, table: SizingTable) -> Figure:
    """MCS devices: what the table counts toward the tier (S1, R9) and R11's connections."""
    parts = {name: inp.total(name) for name in table.tier_devices}
    total = sum(parts.values())
    sites_en, sites_it = count_en(len(inp.sites), "site", "sites"), in_sites_it(len(inp.sites))
    sum_en = " + ".join(f"{num_en(n)} {DEVICE_LABELS[k][1]}" for k, n in parts.items())
    sum_it = " + ".join(f"{num_it(n)} {DEVICE_LABELS[k][0]}" for k, n in parts.items())
    return figure(
        total,
        ("S1", "R9", "R11"),
        {**parts, "sites": len(inp.sites), "table_version": table.version},
        en=f"{count_en(total, 'MCS device', 'MCS devices')} = {sum_en or '0'} over {sites_en}: "
        f"they choose the tier and make the connections (S1, R9, R11).",
        it=f"{count_it(total, 'dispositivo MCS', 'dispositivi MCS')} = {sum_it or '0'} "
        f"{sites_it}: determinano il taglio e le connessioni (S1, R9, R11).",
    )


def count_instances(devices: int, tvox_systems: int, table: SizingTable) -> Figure:
    """S2: the largest of what S1 needs, ceil(TVox / 250) (R10), and 1."""
    largest = table.largest_tier.max_users
    by_devices = math.ceil(devices / largest) if devices else 0
    by_tvox = math.ceil(tvox_systems / table.max_tvox_per_instance)
    n = max(by_devices, by_tvox, 1)
    per_tvox = table.max_tvox_per_instance
    return figure(
        n,
        ("S2", "S1", "R9", "R10"),
        {
            "devices": devices,
            "max_devices_per_instance": largest,
            "tvox_systems": tvox_systems,
            "max_tvox_per_instance": per_tvox,
        },
        en=f"{count_en(n, 'MCS instance', 'MCS instances')}: the largest of {num_en(by_devices)} "
        f"for {count_en(devices, 'device', 'devices')} "
        f"(at most {num_en(largest)} per instance, S1, R9), "
        f"{num_en(by_tvox)} for {count_en(tvox_systems, 'TVox system', 'TVox systems')} "
        f"(at most {num_en(per_tvox)} per instance, R10) and 1 (S2).",
        it=f"{count_it(n, 'istanza MCS', 'istanze MCS')}: il massimo tra {num_it(by_devices)} "
        f"per {count_it(devices, 'dispositivo', 'dispositivi')} "
        f"(al più {num_it(largest)} per istanza, S1, R9), "
        f"{num_it(by_tvox)} per {count_it(tvox_systems, 'sistema TVox', 'sistemi TVox')} "
        f"(al più {num_it(per_tvox)} per istanza, R10) e 1 (S2).",
    )


# The concurrency share and the bandwidth of one connection: what turns an instance's
# devices into its bandwidth (S3, R11).
Link = tuple[Figure, Figure]


def instance_groups(
    devices: int, tvox_systems: int, instances: int, table: SizingTable, link: Link
) -> tuple[InstanceGroup, ...]:
    """Spread devices and TVox systems evenly; the first instances take the remainders, so
    at most three groups of equal instances exist, the largest shares first."""
    dev_each, dev_extra = divmod(devices, instances)
    tvox_each, tvox_extra = divmod(tvox_systems, instances)
    cuts = sorted({0, dev_extra, tvox_extra, instances})
    groups = []
    for start, end in itertools.pairwise(cuts):
        share = (dev_each + (start < dev_extra), tvox_each + (start < tvox_extra))
        totals = (devices, tvox_systems, instances)
        groups.append(_group(end - start, share, totals, table, link))
    return tuple(groups)


def _group(
    count: int,
    share: tuple[int, int],
    totals: tuple[int, int, int],
    table: SizingTable,
    link: Link,
) -> InstanceGroup:
    devices, tvox = share
    total_devices, total_tvox, instances = totals
    tier = table.tier_for(devices)
    inputs = {"instances": instances, "devices": total_devices, "tvox_systems": total_tvox}
    tier_figures = _tier_figures(tier, devices, table)
    return InstanceGroup(
        instances=figure(
            count,
            ("S2",),
            inputs,
            en=f"Instances with {count_en(devices, 'device', 'devices')} and "
            f"{count_en(tvox, 'TVox system', 'TVox systems')} each: {num_en(count)} of "
            f"{num_en(instances)} (even split, S2).",
            it=f"Istanze con {count_it(devices, 'dispositivo', 'dispositivi')} e "
            f"{count_it(tvox, 'sistema TVox', 'sistemi TVox')} ciascuna: {num_it(count)} su "
            f"{num_it(instances)} (ripartizione uniforme, S2).",
        ),
        devices=figure(
            devices,
            ("S1", "S2"),
            inputs,
            en=f"{count_en(total_devices, 'device', 'devices')} spread evenly over "
            f"{count_en(instances, 'instance', 'instances')}: {num_en(devices)} on each of "
            f"these (S1, S2).",
            it=f"{count_it(total_devices, 'dispositivo', 'dispositivi')} ripartiti in modo "
            f"uniforme su {count_it(instances, 'istanza', 'istanze')}: {num_it(devices)} su "
            f"ciascuna di queste (S1, S2).",
        ),
        tvox_systems=figure(
            tvox,
            ("S2", "R10"),
            inputs,
            en=f"{count_en(total_tvox, 'TVox system', 'TVox systems')} spread evenly over "
            f"{count_en(instances, 'instance', 'instances')}: {num_en(tvox)} on each of these, "
            f"at most {num_en(table.max_tvox_per_instance)} (S2, R10).",
            it=f"{count_it(total_tvox, 'sistema TVox', 'sistemi TVox')} ripartiti in modo "
            f"uniforme su {count_it(instances, 'istanza', 'istanze')}: {num_it(tvox)} su "
            f"ciascuna di queste, al più {num_it(table.max_tvox_per_instance)} (S2, R10).",
        ),
        disk_type=tier.disk_type,
        **tier_figures,
        **_instance_bandwidth(devices, tier_figures["min_bandwidth_mbps"], link, instances > 1),
    )


def _instance_bandwidth(
    devices: int, minimum: Figure, link: Link, several: bool
) -> dict[str, Figure]:
    """S3 for one instance: its own connections (its devices × the share, rounded up), their
    need (R11), and the larger of that need and its tier's minimum (R9)."""
    concurrency, per_connection = link
    connections = active_connections(devices, concurrency, several)
    need = connections_bandwidth(connections, per_connection, several)
    mbps = max(Decimal(need.value), Decimal(minimum.value))
    each_en = " for each of these instances" if several else ""
    each_it = " per ciascuna di queste istanze" if several else ""
    return {
        "active_connections": connections,
        "connections_bandwidth_mbps": need,
        "bandwidth_mbps": figure(
            mbps,
            ("S3", "R9", "R11"),
            {
                "connections_bandwidth_mbps": need.value,
                "min_bandwidth_mbps": minimum.value,
            },
            en=f"The larger of the instance's connections' need ({num_en(need.value)} "
            f"Mbit/s, R11) and its tier's minimum ({num_en(minimum.value)} Mbit/s, R9): "
            f"{num_en(mbps)} Mbit/s{each_en} (S3).",
            it=f"Il maggiore tra il fabbisogno delle connessioni dell'istanza "
            f"({num_it(need.value)} Mbit/s, R11) e il minimo del suo taglio "
            f"({num_it(minimum.value)} Mbit/s, R9): {num_it(mbps)} Mbit/s{each_it} (S3).",
        ),
    }


def _tier_figures(tier: Tier, devices: int, table: SizingTable) -> dict[str, Figure]:
    bound_en, bound_it = num_en(tier.max_users), num_it(tier.max_users)
    chosen = figure(
        tier.max_users,
        ("S1", "R9"),
        {"devices_per_instance": devices, "table_version": table.version},
        en=f"The smallest tier covering {count_en(devices, 'device', 'devices')} per instance is "
        f"'up to {bound_en} users' (bounds inclusive, S1, R9).",
        it=f"Il taglio più piccolo che copre {count_it(devices, 'dispositivo', 'dispositivi')} "
        f"per istanza è 'fino a {bound_it} utenti' (limiti inclusi, S1, R9).",
    )
    figures = {"tier_max_users": chosen}
    t, disk = tier, tier.disk_type
    resources = (  # (key, value, English, Italian): what an instance of the tier needs
        ("vcpu", t.vcpu, count_en(t.vcpu, "CPU core", "CPU cores"), f"{num_it(t.vcpu)} core CPU"),
        ("ram_gb", t.ram_gb, f"{num_en(t.ram_gb)} GB of RAM", f"{num_it(t.ram_gb)} GB di RAM"),
        (
            "disk_gb",
            t.disk_gb,
            f"{num_en(t.disk_gb)} GB of {disk} disk",
            f"{num_it(t.disk_gb)} GB di disco {disk}",
        ),
        (
            "nic_gbit",
            t.nic_gbit,
            f"{num_en(t.nic_gbit)} Gbit Ethernet",
            f"{num_it(t.nic_gbit)} Gbit Ethernet",
        ),
        (
            "min_bandwidth_mbps",
            t.min_bandwidth_mbps,
            f"at least {num_en(t.min_bandwidth_mbps)} Mbit/s of internet bandwidth",
            f"almeno {num_it(t.min_bandwidth_mbps)} Mbit/s di banda internet",
        ),
    )
    for key, value, what_en, what_it in resources:
        figures[key] = figure(
            value,
            ("R9",),
            {"tier_max_users": tier.max_users, "table_version": table.version},
            en=f"An instance of the tier up to {bound_en} users needs {what_en} "
            f"(R9, table v{table.version}).",
            it=f"Un'istanza del taglio fino a {bound_it} utenti richiede {what_it} "
            f"(R9, tabella v{table.version}).",
        )
    return figures


def per_instance(fig: Figure, groups_differ: bool) -> Figure:
    """The per-instance figure: the largest group's, enough for every instance."""
    if not groups_differ:
        return fig
    return figure(
        fig.value,
        fig.why.rules,
        dict(fig.why.inputs),
        en=f"{fig.why.en} Per instance, the largest: the other instances' shares need a "
        f"smaller tier; see instance_groups for each.",
        it=f"{fig.why.it} Per istanza, la più grande: le quote delle altre istanze richiedono "
        f"un taglio più piccolo; vedi instance_groups per ciascuna.",
    )


def concurrency_share(inp: SizingInput, table: SizingTable) -> Figure:
    """S3: the input's share, or the table's default (100 %: R11 gives a maximum)."""
    inputs = {"concurrency": inp.concurrency, "default_concurrency": table.default_concurrency}
    if inp.concurrency is not None:
        share = inp.concurrency
        return figure(
            share,
            ("S3",),
            inputs,
            en=f"Share of devices connected at the same time: {pct_en(share)}, given in the "
            f"input (S3).",
            it=f"Quota di dispositivi connessi contemporaneamente: {pct_it(share)}, indicata "
            f"nei dati (S3).",
        )
    share = table.default_concurrency
    return figure(
        share,
        ("S3", "R11"),
        inputs,
        en=f"Share of devices connected at the same time: {pct_en(share)}, the default of "
        f"sizing table v{table.version}, since R11 gives a maximum (S3, R11).",
        it=f"Quota di dispositivi connessi contemporaneamente: {pct_it(share)}, il valore "
        f"predefinito della tabella v{table.version}, perché R11 indica un massimo (S3, R11).",
    )


def active_connections(devices: int, concurrency: Figure, several: bool = False) -> Figure:
    """S3: one instance's devices × the share, rounded up, exactly (EXACT)."""
    share = Decimal(concurrency.value)
    exact = EXACT.multiply(Decimal(devices), share)
    n = math.ceil(exact)
    each_en = " on each of these instances" if several else ""
    each_it = " su ciascuna di queste istanze" if several else ""
    return figure(
        n,
        ("S3", "R11"),
        {"devices": devices, "concurrency": share},
        en=f"{count_en(devices, 'device', 'devices')} {TIMES} {pct_en(share)} = "
        f"{num_en(exact)}, rounded up: {count_en(n, 'active connection', 'active connections')}"
        f"{each_en} (S3, R11).",
        it=f"{count_it(devices, 'dispositivo', 'dispositivi')} {TIMES} "
        f"{pct_it(share)} = {num_it(exact)}, arrotondato per eccesso: "
        f"{count_it(n, 'connessione attiva', 'connessioni attive')}{each_it} (S3, R11).",
    )


def total_connections(groups: tuple[InstanceGroup, ...], concurrency: Figure) -> Figure:
    """S3: the project's active connections, the sum of the instances' own."""
    if len(groups) == 1 and groups[0].instances.value == 1:
        return groups[0].active_connections
    terms = [(int(g.instances.value), int(g.active_connections.value)) for g in groups]
    n = sum(count * each for count, each in terms)
    share = Decimal(concurrency.value)
    return figure(
        n,
        ("S3", "R11"),
        {
            "devices": sum(int(g.instances.value) * int(g.devices.value) for g in groups),
            "concurrency": share,
        },
        en=f"Each instance's devices {TIMES} {pct_en(share)}, rounded up, added over the "
        f"instances: {_sum_en(terms)} = "
        f"{count_en(n, 'active connection', 'active connections')} (S3, R11).",
        it=f"I dispositivi di ogni istanza {TIMES} {pct_it(share)}, arrotondati per eccesso, "
        f"sommati sulle istanze: {_sum_it(terms)} = "
        f"{count_it(n, 'connessione attiva', 'connessioni attive')} (S3, R11).",
    )


def _sum_en(terms: list[tuple[int, int]]) -> str:
    return " + ".join(f"{num_en(count)} {TIMES} {num_en(each)}" for count, each in terms)


def _sum_it(terms: list[tuple[int, int]]) -> str:
    return " + ".join(f"{num_it(count)} {TIMES} {num_it(each)}" for count, each in terms)


def mbps_per_connection(table: SizingTable) -> Figure:
    rate, kb = table.kb_per_second_per_connection, table.bytes_per_kb
    mbps = table.mbps_per_connection
    return figure(
        mbps,
        ("R11", "S3"),
        {"kb_per_second": rate, "bytes_per_kb": kb},
        en=f"{num_en(rate)} KB/s {TIMES} {num_en(kb)} bytes {TIMES} 8 bits = {num_en(mbps)} "
        f"Mbit/s per active connection (R11, 1 KB = {num_en(kb)} bytes, S3).",
        it=f"{num_it(rate)} KB/s {TIMES} {num_it(kb)} byte {TIMES} 8 bit = {num_it(mbps)} "
        f"Mbit/s per connessione attiva (R11, 1 KB = {num_it(kb)} byte, S3).",
    )


def connections_bandwidth(
    connections: Figure, per_connection: Figure, several: bool = False
) -> Figure:
    """R11, S3: the need of these connections (one instance's, or all of them)."""
    mbps = Decimal(connections.value) * Decimal(per_connection.value)
    each_en = " on each of these instances" if several else ""
    each_it = " su ciascuna di queste istanze" if several else ""
    return figure(
        mbps,
        ("S3", "R11"),
        {"active_connections": connections.value, "mbps_per_connection": per_connection.value},
        en=f"{count_en(int(connections.value), 'active connection', 'active connections')} "
        f"{TIMES} {num_en(per_connection.value)} Mbit/s = {num_en(mbps)} Mbit/s{each_en} "
        f"(S3, R11).",
        it=f"{count_it(int(connections.value), 'connessione attiva', 'connessioni attive')} "
        f"{TIMES} {num_it(per_connection.value)} Mbit/s = {num_it(mbps)} Mbit/s{each_it} "
        f"(S3, R11).",
    )


def tiers_minimum_bandwidth(groups: tuple[InstanceGroup, ...]) -> Figure:
    """R9, S3: the sum of every instance's tier minimum; groups of the same minimum are
    counted together, so no group hides another in the explanation."""
    per_minimum: dict[int, int] = {}
    for g in groups:
        mbps = int(g.min_bandwidth_mbps.value)
        per_minimum[mbps] = per_minimum.get(mbps, 0) + int(g.instances.value)
    terms = [(n, mbps) for mbps, n in per_minimum.items()]
    total = sum(n * mbps for n, mbps in terms)
    sum_en = " + ".join(f"{num_en(n)} {TIMES} {num_en(mbps)}" for n, mbps in terms)
    sum_it = " + ".join(f"{num_it(n)} {TIMES} {num_it(mbps)}" for n, mbps in terms)
    return figure(
        total,
        ("R9", "S3"),
        {f"instances_at_{mbps}_mbps": n for n, mbps in terms},
        en=f"The tiers' minimum bandwidth over all instances: {sum_en} Mbit/s = "
        f"{num_en(total)} Mbit/s (R9, S3).",
        it=f"La banda minima dei tagli su tutte le istanze: {sum_it} Mbit/s = "
        f"{num_it(total)} Mbit/s (R9, S3).",
    )


def total_bandwidth(groups: tuple[InstanceGroup, ...], need: Figure, floor: Figure) -> Figure:
    """S3: the sum over the instances of each one's larger of need (R11) and minimum (R9)."""
    inputs = {"connections_bandwidth_mbps": need.value, "min_bandwidth_mbps": floor.value}
    if len(groups) == 1 and groups[0].instances.value == 1:
        mbps = Decimal(groups[0].bandwidth_mbps.value)
        return figure(
            mbps,
            ("S3", "R9", "R11"),
            inputs,
            en=f"The larger of the connections' need ({num_en(need.value)} Mbit/s, R11) and "
            f"the tier's minimum ({num_en(floor.value)} Mbit/s, R9): {num_en(mbps)} Mbit/s "
            f"(S3).",
            it=f"Il maggiore tra il fabbisogno delle connessioni ({num_it(need.value)} Mbit/s, "
            f"R11) e il minimo del taglio ({num_it(floor.value)} Mbit/s, R9): {num_it(mbps)} "
            f"Mbit/s (S3).",
        )
    mbps = sum(
        (int(g.instances.value) * Decimal(g.bandwidth_mbps.value) for g in groups), Decimal(0)
    )
    terms_en = " + ".join(
        f"{num_en(g.instances.value)} {TIMES} max({num_en(g.connections_bandwidth_mbps.value)}, "
        f"{num_en(g.min_bandwidth_mbps.value)})"
        for g in groups
    )
    terms_it = " + ".join(
        f"{num_it(g.instances.value)} {TIMES} max({num_it(g.connections_bandwidth_mbps.value)}; "
        f"{num_it(g.min_bandwidth_mbps.value)})"
        for g in groups
    )
    return figure(
        mbps,
        ("S3", "R9", "R11"),
        inputs,
        en=f"Instance by instance, the larger of its connections' need (R11) and its tier's "
        f"minimum (R9), added up: {terms_en} = {num_en(mbps)} Mbit/s (S3).",
        it=f"Istanza per istanza, il maggiore tra il fabbisogno delle sue connessioni (R11) e "
        f"il minimo del suo taglio (R9), sommati: {terms_it} = {num_it(mbps)} Mbit/s (S3).",
    )


def openvpn_tunnels(inp: SizingInput) -> Figure:
    n = inp.tvox_systems
    return figure(
        n,
        ("S4", "R12"),
        {"tvox_systems": n},
        en=f"One OpenVPN tunnel for every TVox connected to the MCS: {num_en(n)} (R12, S4).",
        it=f"Un tunnel OpenVPN per ogni TVox collegato a MCS: {num_it(n)} (R12, S4).",
    )


SMART_WORKING_LICENSES = {
    "smart_working_webclient": "Webclient in Smart Working",
    "smart_working_team": "Utenti TVoxTeam Smartworking",
}


def smart_working_licenses(inp: SizingInput, field: str) -> Figure:
    n, name = inp.total(field), SMART_WORKING_LICENSES[field]
    sites_en, sites_it = count_en(len(inp.sites), "site", "sites"), in_sites_it(len(inp.sites))
    return figure(
        n,
        ("S5", "R1"),
        {field: n, "sites": len(inp.sites)},
        en=f"Under MCS each smart-working user needs a named '{name}' licence: "
        f"{num_en(n)} over {sites_en} (R1, S5).",
        it=f"Con MCS ogni utente in smart working richiede una licenza nominale '{name}': "
        f"{num_it(n)} {sites_it} (R1, S5).",
    )


# --- Pure Cloud and hybrid ------------------------------------------------------------


def size_pure_cloud(inp: SizingInput) -> CloudSizing:
    return CloudSizing(
        pure_cloud_licenses=pure_cloud_licenses(inp),
        warnings=pure_cloud_warnings(),
        blockers=cloud_blockers(inp, "pure_cloud"),
    )


def size_hybrid(inp: SizingInput) -> CloudSizing:
    return CloudSizing(
        pure_cloud_licenses=pure_cloud_licenses(inp),
        warnings=hybrid_warnings(inp),
        blockers=cloud_blockers(inp, "hybrid"),
    )


def pure_cloud_licenses(inp: SizingInput) -> Figure:
    """S5: PURE_CLOUD on every TVox instance; Master + Slave when redundancy is required."""
    per_system = 2 if inp.requirements.redundancy else 1
    n = inp.tvox_systems * per_system
    tvox_en = count_en(inp.tvox_systems, "TVox system", "TVox systems")
    tvox_it = count_it(inp.tvox_systems, "sistema TVox", "sistemi TVox")
    if per_system == 2:
        how_en, how_it = (
            "2 instances each (Master + Slave, R3)",
            "2 istanze ciascuno (Master + Slave, R3)",
        )
    else:
        how_en, how_it = (
            "1 instance each (no redundancy required, R3)",
            "1 istanza ciascuno (ridondanza non richiesta, R3)",
        )
    return figure(
        n,
        ("S5", "R3"),
        {"tvox_systems": inp.tvox_systems, "redundancy": inp.requirements.redundancy},
        en=f"One PURE_CLOUD licence on every TVox instance: {tvox_en} {TIMES} {how_en} = "
        f"{num_en(n)} (S5).",
        it=f"Una licenza PURE_CLOUD su ogni istanza TVox: {tvox_it} {TIMES} {how_it} = "
        f"{num_it(n)} (S5).",
    )
