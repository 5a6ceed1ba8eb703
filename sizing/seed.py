"""The values of the seeds (docs/DOMAIN.md R8-R11, S1, S3) as a `SizingTable`.

The data migration `0002_seed_table` stores the same values, frozen, as version 1; a test
checks that the two agree. Plain-Python users (the benchmark, the property tests) size
with this table without a database.

The source is printed on a customer's proposal, in Italian or in English: it names the
guide's pages only (proper names, the same in both languages). The assumptions where the
seeds are silent (1 KB = 1,000 bytes, concurrency 100 %, the devices that count toward the
tier) are printed by their own notices in each language (`notices.table_assumptions`); the
seed pages are the guide's *Prodotto* (R6-R13) and *Quale architettura scegliere?*
(R1-R5), restated in docs/DOMAIN.md; the CentOS 7 end of life (2024-06-30) is a public
fact (R8).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .inputs import DEVICE_FIELDS
from .tables import SizingTable, Tier

SEED_SOURCE = (
    "Telenia Software, TVox 22: TVox Mediant Communication System \N{EN DASH} Prodotto; "
    "Quale architettura scegliere?"
)

SEED_TABLE = SizingTable(
    version=1,
    effective_date=date(2022, 1, 1),
    source=SEED_SOURCE,
    tiers=(
        Tier(
            1_000,
            vcpu=4,
            ram_gb=8,
            disk_gb=150,
            disk_type="SSD",
            nic_gbit=1,
            min_bandwidth_mbps=100,
        ),
        Tier(
            10_000,
            vcpu=8,
            ram_gb=8,
            disk_gb=150,
            disk_type="SSD",
            nic_gbit=1,
            min_bandwidth_mbps=1_000,
        ),
    ),
    max_tvox_per_instance=250,
    kb_per_second_per_connection=60,
    bytes_per_kb=1_000,
    supported_hypervisors=("vmware", "xen", "virtualbox", "bare_metal"),
    default_concurrency=Decimal(1),
    tier_devices=DEVICE_FIELDS,
    os_name="CentOS 7",
    os_end_of_life=date(2024, 6, 30),
)
