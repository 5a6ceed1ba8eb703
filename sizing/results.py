"""What the sizing returns: frozen dataclasses, every number a `Figure` with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .explain import Figure, Notice

# The three architectures, the sizing result's keys, with their names (it, en) as a
# sentence uses them; `sizing.labels` makes titles of them for the pages, the PDF and the
# exports.
ARCHITECTURE_LABELS: Final[dict[str, tuple[str, str]]] = {
    "pure_cloud": ("TVox Pure Cloud", "TVox Pure Cloud"),
    "mcs": ("TVox + MCS", "TVox + MCS"),
    "hybrid": ("cloud ibrido", "hybrid cloud"),
}
ARCHITECTURES: Final = tuple(ARCHITECTURE_LABELS)


@dataclass(frozen=True)
class InstanceGroup:
    """Instances that receive the same share of devices and TVox systems (S1, S2)."""

    instances: Figure
    devices: Figure  # per instance
    tvox_systems: Figure  # per instance
    tier_max_users: Figure
    vcpu: Figure
    ram_gb: Figure
    disk_gb: Figure
    disk_type: str
    nic_gbit: Figure
    min_bandwidth_mbps: Figure
    # Per instance too: each MCS instance is a system with its own link (S3, R9, R11).
    active_connections: Figure
    connections_bandwidth_mbps: Figure
    bandwidth_mbps: Figure  # the larger of its connections' need and its tier's minimum


@dataclass(frozen=True)
class McsSizing:
    instances: Figure
    # Per instance: the largest group's figures, which every instance can run on.
    tier_max_users: Figure
    vcpu: Figure
    ram_gb: Figure
    disk_gb: Figure
    disk_type: str
    nic_gbit: Figure
    instance_groups: tuple[InstanceGroup, ...]
    devices: Figure
    concurrency: Figure
    active_connections: Figure  # the sum over the instances
    mbps_per_connection: Figure
    connections_bandwidth_mbps: Figure  # the sum over the instances
    min_bandwidth_mbps: Figure  # the sum of the instances' tier minimums
    bandwidth_mbps: Figure  # the sum of the instances' bandwidth (S3)
    openvpn_tunnels: Figure
    webclient_smart_working: Figure
    tvoxteam_smart_working: Figure
    warnings: tuple[Notice, ...]
    blockers: tuple[Notice, ...]


@dataclass(frozen=True)
class CloudSizing:
    """Pure Cloud, or hybrid (a Pure Cloud TVox with a direct link, R5)."""

    pure_cloud_licenses: Figure
    warnings: tuple[Notice, ...]
    blockers: tuple[Notice, ...]


@dataclass(frozen=True)
class Option:
    """Whether one architecture fits, and why (blockers, unmet requirements)."""

    architecture: str
    fits: bool
    reasons: tuple[Notice, ...]

    @property
    def excluded_by(self) -> tuple[str, ...]:
        """The requirements (REQUIREMENT_NAMES) that stand against it, in their order."""
        return tuple(
            dict.fromkeys(
                cause.removeprefix("requirements.")
                for notice in self.reasons
                for cause in notice.causes
                if cause.startswith("requirements.")
            )
        )

    @property
    def excluded_by_sites(self) -> bool:
        """Whether the sites stand against it too (R2, R5), not only requirements."""
        return any(
            not cause.startswith("requirements.")
            for notice in self.reasons
            for cause in notice.causes
        )


@dataclass(frozen=True)
class Recommendation:
    architecture: str | None  # None: the requirements conflict and nothing fits
    reasons: tuple[Notice, ...]
    options: tuple[Option, ...]


@dataclass(frozen=True)
class SizingResult:
    mcs: McsSizing
    pure_cloud: CloudSizing
    hybrid: CloudSizing
    recommendation: Recommendation
    assumptions: tuple[Notice, ...]
    table_version: int
