"""What the sizing receives: a project's sites, its TVox systems and the questionnaire's
requirements. Plain frozen dataclasses; `sizing.schema` builds them from JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

CONNECTIVITIES: Final = ("lan", "vpn", "mpls", "internet")
# Links that count as a direct link to TVox (R2, R5).
DIRECT_LINKS: Final = frozenset({"lan", "vpn", "mpls"})

# Site counts that are MCS devices: APP, UCC WebRTC web client, widget (R9, R11).
DEVICE_FIELDS: Final = ("mobile_apps", "web_clients", "widgets")
DEVICE_LABELS: Final = {  # (it, en)
    "mobile_apps": ("app mobili", "mobile apps"),
    "web_clients": ("web client", "web clients"),
    "widgets": ("widget", "widgets"),
}
# The hypervisors MCS runs on (R8), as the notices name them; a sizing table lists the keys.
HYPERVISOR_LABELS: Final[dict[str, tuple[str, str]]] = {  # (it, en)
    "vmware": ("VMware ESXi / vSphere", "VMware ESXi / vSphere"),
    "xen": ("Citrix XenCenter (HVM)", "Citrix XenCenter (HVM)"),
    "virtualbox": ("Oracle VM VirtualBox", "Oracle VM VirtualBox"),
    "bare_metal": ("bare metal", "bare metal"),
}
COUNT_FIELDS: Final = (
    "users",
    "sip_phones",
    *DEVICE_FIELDS,
    "smart_working_webclient",
    "smart_working_team",
)
REQUIREMENT_NAMES: Final = (
    "full_cloud",
    "keep_tvox_private",
    "reuse_local_lines_and_phones",
    "redundancy",
    "no_public_pbx_exposure",
    "dhcp_provisioning",
)


@dataclass(frozen=True)
class Site:
    name: str
    connectivity: str
    users: int = 0
    sip_phones: int = 0
    mobile_apps: int = 0
    web_clients: int = 0
    widgets: int = 0
    smart_working_webclient: int = 0
    smart_working_team: int = 0

    def count(self, name: str) -> int:
        value: int = getattr(self, name)
        return value

    @property
    def has_direct_link(self) -> bool:
        return self.connectivity in DIRECT_LINKS


@dataclass(frozen=True)
class Requirements:
    """The answers behind Q1, Q2 and R1-R5; False means "not required"."""

    full_cloud: bool = False
    keep_tvox_private: bool = False
    reuse_local_lines_and_phones: bool = False
    redundancy: bool = False
    no_public_pbx_exposure: bool = False
    dhcp_provisioning: bool = False


@dataclass(frozen=True)
class SizingInput:
    sites: tuple[Site, ...]
    tvox_systems: int = 1
    # None: the sizing table's default share applies (S3).
    concurrency: Decimal | None = None
    hypervisor: str | None = None
    requirements: Requirements = field(default_factory=Requirements)
    # The name MCS is published under (R7, B2); None: not known yet.
    public_domain: str | None = None

    def total(self, name: str) -> int:
        return sum(site.count(name) for site in self.sites)
