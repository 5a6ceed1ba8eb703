"""Warnings (S6), blocking conflicts (S7) and the assumptions a proposal prints, each with
its rule and a sentence in Italian and English."""

from __future__ import annotations

from datetime import date

from .explain import (
    TIMES,
    Notice,
    count_en,
    count_it,
    names_en,
    names_it,
    num_en,
    num_it,
    pct_en,
    pct_it,
)
from .inputs import DEVICE_LABELS, HYPERVISOR_LABELS, Site, SizingInput
from .tables import SizingTable

NAMED_SITES = 5  # a message names the first few sites, the causes name them all

# --- TVox + MCS: S6 warnings, S7 blockers -------------------------------------------------

MCS_NOT_REDUNDANT = Notice(
    "mcs_not_redundant",
    ("R3", "R13"),
    it="La componente MCS non è ridondabile: la continuità del servizio dipende "
    "dall'infrastruttura che la ospita; concordare una procedura di backup con il Customer "
    "Service di Telenia (R3, R13).",
    en="The MCS component cannot be made redundant: its continuity depends on the "
    "infrastructure that hosts it; agree a backup procedure with Telenia Customer Service "
    "(R3, R13).",
)
PUBLIC_DOMAIN_NAME_REQUIRED = Notice(
    "public_domain_name_required",
    ("R7", "B2"),
    it="MCS richiede un nome di dominio pubblico, non ancora indicato: un record A che "
    "risolva all'indirizzo IP pubblico statico del server MCS, di cui ogni TVox avrà un "
    "CNAME (R7, B2).",
    en="MCS needs a public domain name, not given yet: an A record that resolves to the MCS "
    "server's static public IP address, of which each TVox gets a CNAME (R7, B2).",
    causes=("public_domain",),
)


def public_domain_name(inp: SizingInput) -> Notice:
    """R7, B2: with the domain given, what must still hold of it; without, that one is needed."""
    domain = inp.public_domain
    if domain is None:
        return PUBLIC_DOMAIN_NAME_REQUIRED
    n = inp.tvox_systems
    tvox_it = "il TVox" if n == 1 else f"ciascuno dei {num_it(n)} sistemi TVox"
    tvox_en = "the TVox" if n == 1 else f"each of the {num_en(n)} TVox systems"
    return Notice(
        "public_domain_name",
        ("R7", "B2"),
        it=f"Il nome di dominio pubblico {domain} deve risolvere (record A) all'indirizzo IP "
        f"pubblico statico del server MCS, e {tvox_it} richiede un proprio nome, CNAME di "
        f"{domain}, che il DNS interno risolve all'indirizzo locale del TVox (R7, B2).",
        en=f"The public domain name {domain} must resolve (A record) to the MCS server's "
        f"static public IP address, and {tvox_en} needs a name of its own, a "
        f"CNAME of {domain}, which the internal DNS resolves to the TVox's local address "
        f"(R7, B2).",
        causes=("public_domain",),
    )


def mcs_warnings(inp: SizingInput, table: SizingTable, devices: int) -> tuple[Notice, ...]:
    """S6: on every MCS result, plus the hypervisor and the table's range when they apply."""
    warnings = [MCS_NOT_REDUNDANT, public_domain_name(inp)]
    if table.os_end_of_life is not None:
        warnings.append(os_end_of_life(table.os_name, table.os_end_of_life))
    if inp.hypervisor is not None and not table.supports(inp.hypervisor):
        warnings.append(unsupported_hypervisor(inp.hypervisor, table))
    if devices > table.largest_tier.max_users:
        warnings.append(outside_documented_table(devices, table))
    return tuple(warnings)


MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def date_en(day: date) -> str:
    """30 June 2024, whatever the process locale."""
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def os_end_of_life(os_name: str, end: date, today: date | None = None) -> Notice:
    """R8: past or future tense by the day of the sizing (CentOS 7 ended on 2024-06-30)."""
    if end <= (today or date.today()):
        when_it = f"che ha raggiunto la fine del ciclo di vita il {end:%d/%m/%Y}"
        when_en = f"which reached its end of life on {date_en(end)}"
    else:
        when_it = f"che raggiungerà la fine del ciclo di vita il {end:%d/%m/%Y}"
        when_en = f"which reaches its end of life on {date_en(end)}"
    return Notice(
        "os_end_of_life",
        ("R8",),
        it=f"MCS richiede {os_name} 64 bit, {when_it} (R8): un rischio da indicare al cliente.",
        en=f"MCS requires {os_name} 64 bit, {when_en} (R8): a risk to state to the customer.",
    )


def unsupported_hypervisor(hypervisor: str, table: SizingTable) -> Notice:
    supported = table.supported_hypervisors
    labels_it = [HYPERVISOR_LABELS.get(name, (name, name))[0] for name in supported]
    labels_en = [HYPERVISOR_LABELS.get(name, (name, name))[1] for name in supported]
    return Notice(
        "unsupported_hypervisor",
        ("R8",),
        it=f"L'hypervisor '{hypervisor}' non è supportato: MCS gira su {_or_it(labels_it)} (R8).",
        en=f"The hypervisor '{hypervisor}' is not supported: MCS runs on {_or_en(labels_en)} (R8).",
        causes=("hypervisor",),
    )


def _or_it(labels: list[str]) -> str:
    return names_it(labels).replace(" e ", " o ")


def _or_en(labels: list[str]) -> str:
    return names_en(labels).replace(" and ", " or ")


def outside_documented_table(devices: int, table: SizingTable) -> Notice:
    largest = table.largest_tier.max_users
    return Notice(
        "outside_documented_table",
        ("S1", "R9"),
        it=f"{num_it(devices)} dispositivi superano la tabella documentata (fino a "
        f"{num_it(largest)} per istanza): sono ripartiti in modo uniforme su più istanze, "
        f"una lettura oltre la tabella del produttore da confermare con Telenia (S1, R9).",
        en=f"{num_en(devices)} devices exceed the documented table (up to {num_en(largest)} "
        f"per instance): they are spread evenly over more instances, a reading beyond the "
        f"vendor's table to confirm with Telenia (S1, R9).",
        causes=("sites",),
    )


def mcs_blockers(inp: SizingInput) -> tuple[Notice, ...]:
    """S7 under MCS: SIP phones reachable only over the internet (R2), redundancy (R3)."""
    blockers = []
    exposed = [(i, s) for i, s in enumerate(inp.sites) if _phones_over_internet(s)]
    if exposed:
        blockers.append(sip_phones_over_internet(exposed))
    if inp.requirements.redundancy:
        blockers.append(REDUNDANCY_NOT_POSSIBLE)
    return tuple(blockers)


def _phones_over_internet(site: Site) -> bool:
    return site.sip_phones > 0 and not site.has_direct_link


def sip_phones_over_internet(exposed: list[tuple[int, Site]]) -> Notice:
    phones = sum(site.sip_phones for _, site in exposed)
    names = [site.name for _, site in exposed[:NAMED_SITES]]
    more = len(exposed) - len(names)
    listed_en = ", ".join(names) + (f" and {num_en(more)} more" if more else "")
    listed_it = ", ".join(names) + (f" e altre {num_it(more)}" if more else "")
    sites_en = count_en(len(exposed), "site", "sites")
    sites_it = count_it(len(exposed), "sede", "sedi")
    return Notice(
        "sip_phones_over_internet",
        ("R2",),
        it=f"{count_it(phones, 'telefono SIP', 'telefoni SIP')} in {sites_it} raggiungibili "
        f"solo via internet ({listed_it}): con MCS i dispositivi fisici devono raggiungere "
        f"TVox tramite un collegamento diretto, cioè LAN locale, VPN o MPLS (R2).",
        en=f"{count_en(phones, 'SIP phone', 'SIP phones')} at {sites_en} reachable only over "
        f"the internet ({listed_en}): under MCS physical devices must reach TVox over a direct "
        f"link: local LAN, VPN or MPLS (R2).",
        causes=tuple(f"sites[{i}].sip_phones" for i, _ in exposed),
    )


REDUNDANCY_NOT_POSSIBLE = Notice(
    "redundancy_not_possible",
    ("R3", "R13"),
    it="È richiesta l'assenza di un singolo punto di guasto, ma la componente MCS non è "
    "ridondabile (R3, R13).",
    en="No single point of failure is required, but the MCS component cannot be made "
    "redundant (R3, R13).",
    causes=("requirements.redundancy",),
)

# --- Pure Cloud and hybrid ---------------------------------------------------------------

TVOX_PUBLICLY_EXPOSED = Notice(
    "tvox_publicly_exposed",
    ("R4",),
    it="TVox è esposto pubblicamente per gli stessi servizi offerti da MCS, più quanto serve "
    "ai dispositivi telefonici per collegarsi dal cloud (R4).",
    en="TVox is exposed on the internet for the same services MCS offers, plus what phone "
    "devices need to connect from the cloud (R4).",
)
HYBRID_PROVISIONING = Notice(
    "no_dhcp_provisioning",
    ("R5",),
    it="Il provisioning dei dispositivi segue le modalità del Pure Cloud qualunque sia il "
    "collegamento: il provisioning via DHCP non è possibile, nemmeno sulla linea privata (R5).",
    en="Devices are provisioned the Pure Cloud way whatever their link: DHCP provisioning is "
    "not possible, not even on the private line (R5).",
)


def pure_cloud_warnings() -> tuple[Notice, ...]:
    return (TVOX_PUBLICLY_EXPOSED,)


def hybrid_warnings(inp: SizingInput) -> tuple[Notice, ...]:
    warnings = [TVOX_PUBLICLY_EXPOSED]
    if not inp.requirements.dhcp_provisioning:  # otherwise it is a blocker
        warnings.append(HYBRID_PROVISIONING)
    return tuple(warnings)


def hybrid_without_direct_link(inp: SizingInput) -> Notice:
    """Hybrid cloud is Pure Cloud plus a direct link to a company site (DOMAIN "Hybrid
    cloud", R5): with no site on a local LAN, VPN or MPLS it is only Pure Cloud."""
    names = [site.name for site in inp.sites[:NAMED_SITES]]
    more = len(inp.sites) - len(names)
    if not inp.sites:
        how_it, how_en = "non è indicata alcuna sede", "no site is given"
    else:
        listed_it = ", ".join(names) + (f" e altre {num_it(more)}" if more else "")
        listed_en = ", ".join(names) + (f" and {num_en(more)} more" if more else "")
        if len(inp.sites) == 1:
            how_it = f"l'unica sede ({listed_it}) si collega solo via internet"
            how_en = f"the only site ({listed_en}) connects only over the internet"
        else:
            n_it, n_en = num_it(len(inp.sites)), num_en(len(inp.sites))
            how_it = f"tutte le {n_it} sedi ({listed_it}) si collegano solo via internet"
            how_en = f"all {n_en} sites ({listed_en}) connect only over the internet"
    return Notice(
        "no_direct_link",
        ("R5",),
        it="Il cloud ibrido è TVox Pure Cloud con un collegamento diretto (LAN locale, VPN o "
        f"MPLS) a una sede aziendale, ma {how_it} (R5).",
        en="Hybrid cloud is TVox Pure Cloud with a direct link (local LAN, VPN or MPLS) to a "
        f"company site, but {how_en} (R5).",
        causes=tuple(f"sites[{i}].connectivity" for i in range(len(inp.sites))) or ("sites",),
    )


def cloud_blockers(inp: SizingInput, architecture: str) -> tuple[Notice, ...]:
    """S7 under Pure Cloud and hybrid: a DHCP provisioning requirement (R5)."""
    if not inp.requirements.dhcp_provisioning:
        return ()
    if architecture == "hybrid":
        it = "nel cloud ibrido il provisioning dei dispositivi segue le modalità del Pure Cloud "
        it += "qualunque sia il collegamento, quindi nemmeno un dispositivo sulla linea privata"
        en = "in hybrid cloud devices are provisioned the Pure Cloud way whatever their link, "
        en += "so not even those on the private line"
    else:
        it = "TVox Pure Cloud gestisce il provisioning dei dispositivi con le sue modalità, "
        it += "quindi nessun dispositivo"
        en = "TVox Pure Cloud provisions devices in its own modes, so none"
    return (
        Notice(
            "dhcp_provisioning_not_possible",
            ("R5",),
            it=f"È richiesto il provisioning via DHCP, ma {it} può ricevere il provisioning via "
            f"DHCP (R5).",
            en=f"DHCP provisioning is required, but {en} can be provisioned through DHCP (R5).",
            causes=("requirements.dhcp_provisioning",),
        ),
    )


# --- Assumptions: what the proposal prints under "Assumptions" ---------------------------


def table_assumptions(inp: SizingInput, table: SizingTable) -> tuple[Notice, ...]:
    share = inp.concurrency if inp.concurrency is not None else table.default_concurrency
    largest = table.largest_tier.max_users
    smallest = table.tiers[0].max_users
    return (
        Notice(
            "sizing_table",
            ("R8", "R9", "R10", "R11"),
            it=f"Tabella di dimensionamento versione {table.version}, in vigore dal "
            f"{table.effective_date:%d/%m/%Y}. Fonte: {table.source}",
            en=f"Sizing table version {table.version}, in effect from "
            f"{table.effective_date.isoformat()}. Source: {table.source}",
        ),
        Notice(
            "tier_devices",
            ("S1", "R9", "R11"),
            it=f"Per il taglio e le connessioni si contano i dispositivi MCS: "
            f"{' + '.join(DEVICE_LABELS[d][0] for d in table.tier_devices)} "
            f"(tabella v{table.version}).",
            en=f"The tier and the connections count the MCS devices: "
            f"{' + '.join(DEVICE_LABELS[d][1] for d in table.tier_devices)} "
            f"(table v{table.version}).",
        ),
        Notice(
            "inclusive_tier_bounds",
            ("S1",),
            it=f"I limiti dei tagli sono inclusi: 'fino a {num_it(smallest)} utenti' comprende "
            f"{num_it(smallest)}.",
            en=f"Tier bounds are inclusive: 'up to {num_en(smallest)} users' includes "
            f"{num_en(smallest)}.",
        ),
        Notice(
            "even_split",
            ("S1", "S2"),
            it=f"Oltre {num_it(largest)} dispositivi o {num_it(table.max_tvox_per_instance)} "
            f"sistemi TVox per istanza, dispositivi e sistemi TVox sono ripartiti in modo "
            f"uniforme sulle istanze; il taglio di ogni istanza segue la sua quota.",
            en=f"Beyond {num_en(largest)} devices or {num_en(table.max_tvox_per_instance)} TVox "
            f"systems per instance, devices and TVox systems are spread evenly over the "
            f"instances; each instance's tier follows its share.",
        ),
        Notice(
            "kilobyte",
            ("R11", "S3"),
            it=f"1 KB = {num_it(table.bytes_per_kb)} byte: {table.kb_per_second_per_connection} "
            f"KB/s sono {num_it(table.mbps_per_connection)} Mbit/s per connessione.",
            en=f"1 KB = {num_en(table.bytes_per_kb)} bytes: {table.kb_per_second_per_connection} "
            f"KB/s is {num_en(table.mbps_per_connection)} Mbit/s per connection.",
        ),
        Notice(
            "concurrency",
            ("S3", "R11"),
            it=f"Connessioni attive = dispositivi {TIMES} {pct_it(share)}, arrotondato per "
            f"eccesso; la quota è un dato di ingresso, {pct_it(table.default_concurrency)} se non "
            f"indicata perché R11 indica un massimo.",
            en=f"Active connections = devices {TIMES} {pct_en(share)}, rounded up; the share is an "
            f"input, {pct_en(table.default_concurrency)} when not given since R11 gives a "
            f"maximum.",
            causes=("concurrency",) if inp.concurrency is not None else (),
        ),
        Notice(
            "bandwidth_floor",
            ("S3", "R9", "R11"),
            it="Ogni istanza MCS è un sistema a sé: la sua banda è la maggiore tra il "
            "fabbisogno delle sue connessioni attive e la banda minima del suo taglio, e la "
            "banda totale è la somma di quelle delle istanze.",
            en="Each MCS instance is a system of its own: its bandwidth is the larger of its "
            "active connections' need and its tier's minimum, and the total bandwidth is the "
            "sum of the instances'.",
        ),
    )
