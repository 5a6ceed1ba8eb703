"""Version 1 of the sizing table: the values of the seeds (docs/DOMAIN.md R8-R11, S1, S3).

The values are written out here, not imported, so that this migration keeps meaning what
it meant when it ran; tests check that they agree with `sizing.seed.SEED_TABLE`. The source
is printed on proposals: it names the guide's pages only (see `sizing.seed`).
"""

import datetime
from decimal import Decimal

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SOURCE = (
    "Telenia Software, TVox 22: TVox Mediant Communication System \N{EN DASH} Prodotto; "
    "Quale architettura scegliere?"
)
TIERS = [
    # users up to, CPU cores, RAM GB, disk GB, disk type, Ethernet Gbit, bandwidth Mb/s (R9)
    (1_000, 4, 8, 150, "SSD", 1, 100),
    (10_000, 8, 8, 150, "SSD", 1, 1_000),
]


def add_seed_version(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Version = apps.get_model("sizing", "SizingTableVersion")
    Tier = apps.get_model("sizing", "SizingTier")
    if Version.objects.filter(version=1).exists():
        return
    version = Version.objects.create(
        version=1,
        effective_date=datetime.date(2022, 1, 1),
        source=SOURCE,
        max_tvox_per_instance=250,  # R10
        kb_per_second_per_connection=60,  # R11
        bytes_per_kb=1_000,  # assumption: 1 KB = 1,000 bytes
        supported_hypervisors="vmware,xen,virtualbox,bare_metal",  # R8
        default_concurrency=Decimal("1.000"),  # S3: R11 gives a maximum
        counts_mobile_apps=True,  # S1: what counts toward the tier
        counts_web_clients=True,
        counts_widgets=True,
        os_name="CentOS 7",  # R8
        os_end_of_life=datetime.date(2024, 6, 30),
    )
    for max_users, vcpu, ram_gb, disk_gb, disk_type, nic_gbit, mbps in TIERS:
        Tier.objects.create(
            table=version,
            max_users=max_users,
            vcpu=vcpu,
            ram_gb=ram_gb,
            disk_gb=disk_gb,
            disk_type=disk_type,
            nic_gbit=nic_gbit,
            min_bandwidth_mbps=mbps,
        )


class Migration(migrations.Migration):
    dependencies = [("sizing", "0001_initial")]

    operations = [migrations.RunPython(add_seed_version, migrations.RunPython.noop)]
