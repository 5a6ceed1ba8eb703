"""The sizing table the rules read: one frozen version of the admin-editable data (R8-R11
and the assumptions where the seeds are silent). `sizing.models` converts the version in
effect into a `SizingTable`; the core never reads the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

BITS_PER_BYTE = 8


@dataclass(frozen=True)
class Tier:
    """One row of the R9 table, per MCS instance."""

    max_users: int
    vcpu: int
    ram_gb: int
    disk_gb: int
    disk_type: str
    nic_gbit: int
    min_bandwidth_mbps: int


@dataclass(frozen=True)
class SizingTable:
    version: int
    effective_date: date
    source: str
    tiers: tuple[Tier, ...]  # ascending by max_users
    max_tvox_per_instance: int  # R10
    kb_per_second_per_connection: int  # R11
    bytes_per_kb: int  # assumption: 1 KB = 1,000 bytes
    supported_hypervisors: tuple[str, ...]  # R8
    default_concurrency: Decimal  # S3 assumption: R11 gives a maximum
    tier_devices: tuple[str, ...]  # assumption: what counts toward the tier (S1)
    os_name: str  # R8
    os_end_of_life: date | None  # R8, public fact

    def __post_init__(self) -> None:
        if not self.tiers:
            raise ValueError("a sizing table needs at least one tier (R9)")
        bounds = [tier.max_users for tier in self.tiers]
        if bounds != sorted(set(bounds)):
            raise ValueError("tiers must be in ascending order of max_users, without repeats")
        if not Decimal(0) < self.default_concurrency <= Decimal(1):
            raise ValueError("default_concurrency must be in (0, 1]")

    @property
    def largest_tier(self) -> Tier:
        return self.tiers[-1]

    def tier_for(self, devices: int) -> Tier:
        """The smallest tier whose bound covers the devices; bounds are inclusive (S1)."""
        for tier in self.tiers:
            if devices <= tier.max_users:
                return tier
        raise ValueError(f"{devices} devices exceed the largest tier; split first (S1)")

    @property
    def mbps_per_connection(self) -> Decimal:
        """60 KB/s * 1,000 bytes * 8 bits = 0.48 Mbit/s with the seed values (R11, S3)."""
        bits = self.kb_per_second_per_connection * self.bytes_per_kb * BITS_PER_BYTE
        return Decimal(bits) / Decimal(1_000_000)

    def supports(self, hypervisor: str) -> bool:
        return hypervisor.strip().lower() in self.supported_hypervisors
