"""Which architecture fits and which to recommend (Q1, Q2, R1-R5, S7).

An architecture fits when it has no blocker (S7) and no requirement it cannot meet by
definition: Pure Cloud and hybrid put TVox in a public cloud and expose it (Q1, R4); MCS
keeps TVox private (Q1); Pure Cloud alone has no direct link to the company's lines (Q2,
R5); hybrid is Pure Cloud plus a direct link, so it needs a site on a local LAN, VPN or
MPLS (R5). Among the fitting ones the requirements choose; when none fits, the reasons name the
conflicting inputs and the rules.
"""

from __future__ import annotations

from .explain import Notice, decap, names_en, names_it, rules_text, sorted_rules
from .inputs import Requirements, SizingInput
from .notices import hybrid_without_direct_link
from .results import (
    ARCHITECTURE_LABELS,
    ARCHITECTURES,
    CloudSizing,
    McsSizing,
    Option,
    Recommendation,
)

# The Italian label as the subject of a sentence: a common noun takes its article.
SUBJECTS_IT = {
    key: ("il " if key == "hybrid" else "") + it for key, (it, _en) in ARCHITECTURE_LABELS.items()
}
REQUIREMENT_LABELS = {  # (it, en)
    "full_cloud": ("essere totalmente in cloud", "being fully in the cloud"),
    "keep_tvox_private": (
        "mantenere TVox nell'infrastruttura privata",
        "keeping TVox in the private infrastructure",
    ),
    "reuse_local_lines_and_phones": (
        "riutilizzare linee e telefoni SIP aziendali",
        "reusing the company's lines and SIP phones",
    ),
    "redundancy": ("nessun singolo punto di guasto", "no single point of failure"),
    "no_public_pbx_exposure": (
        "nessuna esposizione pubblica del centralino",
        "no public exposure of the PBX",
    ),
    "dhcp_provisioning": ("provisioning via DHCP", "DHCP provisioning"),
}
SIP_PHONES_CAUSE = (
    "telefoni SIP in sedi raggiungibili solo via internet",
    "SIP phones at sites reachable only over the internet",
)
NO_DIRECT_LINK_CAUSE = (
    "sedi senza collegamento diretto (LAN locale, VPN o MPLS)",
    "sites without a direct link (local LAN, VPN or MPLS)",
)
# With no requirement to decide, the simplest first: no MCS to host, redundancy possible.
DEFAULT_ORDER = ("pure_cloud", "hybrid", "mcs")


def recommend(
    inp: SizingInput, mcs: McsSizing, pure_cloud: CloudSizing, hybrid: CloudSizing
) -> Recommendation:
    req = inp.requirements
    blockers = {"pure_cloud": pure_cloud.blockers, "mcs": mcs.blockers, "hybrid": hybrid.blockers}
    options = tuple(
        _option(a, blockers[a] + unmet_requirements(a, req) + _unmet_definition(a, inp))
        for a in ARCHITECTURES
    )
    fitting = {option.architecture for option in options if option.fits}
    if not fitting:
        summary, *each = conflict_reasons(options)
        return Recommendation(None, (summary, what_to_change(options), *each), options)
    choice, reason = preferred(req, fitting)
    return Recommendation(choice, (reason,), options)


def _option(architecture: str, against: tuple[Notice, ...]) -> Option:
    if against:
        return Option(architecture, False, against)
    it, en = ARCHITECTURE_LABELS[architecture]
    fits = Notice(
        "fits",
        ("S7",),
        it=f"{cap(it)}: nessun conflitto bloccante (S7) e nessun requisito contrario.",
        en=f"{cap(en)}: no blocking conflict (S7) and no requirement against it.",
    )
    return Option(architecture, True, (fits,))


def unmet_requirements(architecture: str, req: Requirements) -> tuple[Notice, ...]:
    """The requirements an architecture cannot meet by definition."""
    unmet: list[Notice] = []
    if architecture in ("pure_cloud", "hybrid"):
        if req.keep_tvox_private:
            unmet.append(_tvox_in_public_cloud(architecture))
        if req.no_public_pbx_exposure:
            unmet.append(_tvox_exposed(architecture))
    if architecture == "pure_cloud" and req.reuse_local_lines_and_phones:
        unmet.append(PURE_CLOUD_WITHOUT_DIRECT_LINK)
    if architecture == "mcs" and req.full_cloud:
        unmet.append(MCS_NOT_FULL_CLOUD)
    return tuple(unmet)


def _unmet_definition(architecture: str, inp: SizingInput) -> tuple[Notice, ...]:
    """Hybrid cloud needs a site on a direct link by definition (R5)."""
    if architecture == "hybrid" and not any(site.has_direct_link for site in inp.sites):
        return (hybrid_without_direct_link(inp),)
    return ()


def _tvox_in_public_cloud(architecture: str) -> Notice:
    it, en = SUBJECTS_IT[architecture], ARCHITECTURE_LABELS[architecture][1]
    return Notice(
        "tvox_in_public_cloud",
        ("Q1",),
        it=f"Con {it}, TVox è in un cloud pubblico, non nell'infrastruttura privata (Q1).",
        en=f"With {en}, TVox runs in a public cloud, not in the private infrastructure (Q1).",
        causes=("requirements.keep_tvox_private",),
    )


def _tvox_exposed(architecture: str) -> Notice:
    it, en = SUBJECTS_IT[architecture], ARCHITECTURE_LABELS[architecture][1]
    return Notice(
        "pbx_publicly_exposed",
        ("R4",),
        it=f"Con {it}, TVox è esposto pubblicamente; solo MCS espone alcuni servizi da una DMZ "
        f"isolata (R4).",
        en=f"With {en}, TVox is exposed on the internet; only MCS exposes some services from "
        f"an isolated DMZ (R4).",
        causes=("requirements.no_public_pbx_exposure",),
    )


PURE_CLOUD_WITHOUT_DIRECT_LINK = Notice(
    "no_direct_link_to_local_lines",
    ("Q2", "R5"),
    it="TVox Pure Cloud da solo non ha un collegamento diretto con le linee e i telefoni SIP "
    "della sede; il cloud ibrido lo aggiunge (Q2, R5).",
    en="TVox Pure Cloud alone has no direct link to the lines and SIP phones at the company; "
    "hybrid cloud adds one (Q2, R5).",
    causes=("requirements.reuse_local_lines_and_phones",),
)
MCS_NOT_FULL_CLOUD = Notice(
    "tvox_stays_private",
    ("Q1",),
    it="Con TVox + MCS, TVox resta nell'infrastruttura privata: non è totalmente in cloud (Q1).",
    en="With TVox + MCS, TVox stays in the private infrastructure: it is not fully in the "
    "cloud (Q1).",
    causes=("requirements.full_cloud",),
)


def preferred(req: Requirements, fitting: set[str]) -> tuple[str, Notice]:
    """The requirements' choice among the fitting architectures, and the reason for it."""
    if (req.keep_tvox_private or req.no_public_pbx_exposure) and "mcs" in fitting:
        return "mcs", _prefer_mcs_private(req)
    if req.full_cloud and req.reuse_local_lines_and_phones and "hybrid" in fitting:
        return "hybrid", PREFER_HYBRID
    if req.full_cloud and "pure_cloud" in fitting:
        return "pure_cloud", PREFER_PURE_CLOUD
    if req.reuse_local_lines_and_phones and not req.full_cloud and {"mcs", "hybrid"} <= fitting:
        return "mcs", PREFER_MCS_LOCAL_LINES
    if req.redundancy and "pure_cloud" in fitting:
        return "pure_cloud", PREFER_PURE_CLOUD_REDUNDANT
    choice = next(a for a in DEFAULT_ORDER if a in fitting)
    return choice, (_only_fit(choice) if len(fitting) == 1 else DEFAULT_CHOICE)


def _prefer_mcs_private(req: Requirements) -> Notice:
    wanted = ("keep_tvox_private", "no_public_pbx_exposure")
    return Notice(
        "keeps_tvox_private",
        ("Q1", "R4"),
        it="TVox + MCS: TVox resta nell'infrastruttura privata e MCS, in una DMZ isolata, "
        "espone solo alcuni servizi (Q1, R4).",
        en="TVox + MCS: TVox stays in the private infrastructure and MCS, in an isolated DMZ, "
        "exposes only some services (Q1, R4).",
        causes=tuple(f"requirements.{name}" for name in wanted if getattr(req, name)),
    )


PREFER_HYBRID = Notice(
    "cloud_with_local_lines",
    ("Q2", "R5"),
    it="Cloud ibrido: TVox in un cloud pubblico con un collegamento diretto alla sede, per "
    "usare le linee attestate in azienda e riutilizzare i telefoni SIP (Q2, R5).",
    en="Hybrid cloud: TVox in a public cloud with a direct link to the company site, to use "
    "the lines terminated there and reuse the SIP phones (Q2, R5).",
    causes=("requirements.full_cloud", "requirements.reuse_local_lines_and_phones"),
)
PREFER_PURE_CLOUD = Notice(
    "full_cloud",
    ("Q1",),
    it="TVox Pure Cloud: il cliente vuole essere totalmente in cloud (Q1).",
    en="TVox Pure Cloud: the customer wants to be fully in the cloud (Q1).",
    causes=("requirements.full_cloud",),
)
PREFER_MCS_LOCAL_LINES = Notice(
    "local_lines_private_tvox",
    ("Q1", "Q2", "R2", "R5"),
    it="TVox + MCS: sia TVox + MCS sia il cloud ibrido mantengono le linee e i telefoni SIP "
    "della sede su collegamenti diretti (Q2, R2, R5). Si propone TVox + MCS perché TVox "
    "resta nell'infrastruttura privata, dove le linee sono attestate, e il provisioning dei "
    "dispositivi via DHCP resta possibile (R5); la scelta tra le due si decide con la domanda "
    "Q1 (cloud o infrastruttura privata).",
    en="TVox + MCS: both TVox + MCS and hybrid cloud keep the company's lines and SIP phones "
    "on direct links (Q2, R2, R5). TVox + MCS is proposed because TVox stays in the private "
    "infrastructure, where the lines are terminated, and DHCP provisioning of the devices "
    "stays possible (R5); question Q1 (cloud or private infrastructure) decides between the "
    "two.",
    causes=("requirements.reuse_local_lines_and_phones",),
)
PREFER_PURE_CLOUD_REDUNDANT = Notice(
    "redundant_in_cloud",
    ("R3",),
    it="TVox Pure Cloud: la ridondanza Master + Slave è possibile con la licenza PURE_CLOUD "
    "su entrambe le istanze (R3).",
    en="TVox Pure Cloud: Master + Slave redundancy is possible with the PURE_CLOUD licence on "
    "both instances (R3).",
    causes=("requirements.redundancy",),
)
DEFAULT_CHOICE = Notice(
    "no_deciding_requirement",
    ("Q1", "R2", "R3"),
    it="Nessun requisito decide tra le architetture: si propone TVox Pure Cloud, che non "
    "richiede un MCS da ospitare, può essere ridondato (R3) e collega i dispositivi via "
    "internet (R2); da confermare con la domanda Q1.",
    en="No requirement decides between the architectures: TVox Pure Cloud is proposed, as it "
    "needs no MCS to host, can be made redundant (R3) and connects devices over the internet "
    "(R2); to confirm with question Q1.",
)


def _only_fit(architecture: str) -> Notice:
    it, en = SUBJECTS_IT[architecture], ARCHITECTURE_LABELS[architecture][1]
    return Notice(
        "only_fit",
        ("S7",),
        it=f"{cap(it)} è l'unica architettura compatibile con requisiti e sedi (S7).",
        en=f"{cap(en)} is the only architecture that fits the requirements and the sites (S7).",
    )


def conflict_reasons(options: tuple[Option, ...]) -> tuple[Notice, ...]:
    """Nothing fits: name the conflicting inputs and the rules, then each architecture."""
    against = [notice for option in options for notice in option.reasons]
    causes = tuple(dict.fromkeys(cause for notice in against for cause in notice.causes))
    rules = sorted_rules({rule for notice in against for rule in notice.rules})
    labels = list(dict.fromkeys(_cause_label(cause) for cause in causes))
    summary = Notice(
        "requirements_conflict",
        rules,
        it=f"Nessuna architettura è compatibile, perché sono in conflitto: "
        f"{names_it([it for it, _ in labels])} ({rules_text(rules)}).",
        en=f"No architecture fits, because these conflict: "
        f"{names_en([en for _, en in labels])} ({rules_text(rules)}).",
        causes=causes,
    )
    return (summary, *(_does_not_fit(option) for option in options))


def what_to_change(options: tuple[Option, ...]) -> Notice:
    """Nothing fits: the smallest set of requirements to drop to make one fit. Dropping a
    requirement never adds a conflict, so an architecture that only requirements stand
    against fits once those (Option.excluded_by) are dropped; Pure Cloud is never excluded
    by the sites, so there always is one. Ties are all listed, the architectures that the
    same set makes fit named together."""
    candidates = [option for option in options if not option.excluded_by_sites]
    fewest = min(len(option.excluded_by) for option in candidates)
    ways: dict[tuple[str, ...], list[Option]] = {}
    for option in candidates:
        if len(option.excluded_by) == fewest:
            ways.setdefault(option.excluded_by, []).append(option)
    texts = [_drop(names, archs) for names, archs in ways.items()]
    return Notice(
        "what_to_change",
        sorted_rules({rule for _it, _en, rules in texts for rule in rules}),
        it="Per rendere compatibile un'architettura: "
        + "; oppure ".join(t[0] for t in texts)
        + ".",
        en="To make one architecture fit: " + "; or ".join(t[1] for t in texts) + ".",
        causes=tuple(dict.fromkeys(f"requirements.{n}" for names in ways for n in names)),
    )


def _drop(names: tuple[str, ...], options: list[Option]) -> tuple[str, str, set[str]]:
    """(it, en, rules): give up these requirements, and these architectures fit."""
    rules: set[str] = set()
    dropped = []
    for name in names:
        these = sorted_rules(
            {
                rule
                for option in options
                for n in option.reasons
                if f"requirements.{name}" in n.causes
                for rule in n.rules
            }
        )
        it, en = REQUIREMENT_LABELS[name]
        dropped.append((f"'{it}' ({rules_text(these)})", f"'{en}' ({rules_text(these)})"))
        rules |= set(these)
    many = len(names) > 1
    subjects_it = names_it([SUBJECTS_IT[o.architecture] for o in options]).replace(" e ", " o ")
    subjects_en = names_en([ARCHITECTURE_LABELS[o.architecture][1] for o in options])
    return (
        ("rinunciare ai requisiti " if many else "rinunciare al requisito ")
        + f"{names_it([it for it, _ in dropped])}, e {subjects_it} è compatibile",
        ("give up the requirements " if many else "give up the requirement ")
        + f"{names_en([en for _, en in dropped])}, and {subjects_en.replace(' and ', ' or ')} "
        "fits",
        rules,
    )


def _after_colon(sentences: list[str]) -> str:
    return " ".join([decap(sentences[0]), *sentences[1:]]) if sentences else ""


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cause_label(cause: str) -> tuple[str, str]:
    name = cause.removeprefix("requirements.")
    if name in REQUIREMENT_LABELS:
        return REQUIREMENT_LABELS[name]
    if cause.endswith(".sip_phones"):
        return SIP_PHONES_CAUSE
    if cause == "sites" or cause.endswith(".connectivity"):
        return NO_DIRECT_LINK_CAUSE
    return cause, cause


def _does_not_fit(option: Option) -> Notice:
    it, en = SUBJECTS_IT[option.architecture], ARCHITECTURE_LABELS[option.architecture][1]
    rules = sorted_rules({rule for notice in option.reasons for rule in notice.rules})
    return Notice(
        "does_not_fit",
        rules,
        it=f"{cap(it)} non è compatibile: " + _after_colon([n.it for n in option.reasons]),
        en=f"{cap(en)} does not fit: " + _after_colon([n.en for n in option.reasons]),
        causes=tuple(dict.fromkeys(c for n in option.reasons for c in n.causes)),
    )
