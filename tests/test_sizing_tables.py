"""The sizing tables as versioned data: version 1 holds the seeds' values, the version in
effect is the latest by effective date, saved versions never change, administrators edit
in the admin by saving a new version, and a result keeps the version it used."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from configurator.models import Organization, User
from sizing.explain import Notice
from sizing.inputs import COUNT_FIELDS, SizingInput
from sizing.models import ImmutableVersionError, SizingTableVersion, SizingTier
from sizing.notices import table_assumptions
from sizing.schema import size_json
from sizing.seed import SEED_TABLE

TODAY = datetime.date(2026, 3, 1)


def json_site(**counts: int) -> dict[str, Any]:
    return {"name": "Roma", "connectivity": "lan", **{f: counts.get(f, 0) for f in COUNT_FIELDS}}


def new_version(
    base: SizingTableVersion, effective: datetime.date, **changes: Any
) -> SizingTableVersion:
    """A copy of `base` with some values changed, saved as a new version."""
    fields = {
        f.name: getattr(base, f.name)
        for f in SizingTableVersion._meta.concrete_fields
        if f.name not in ("id", "version", "created_at")
    }
    version = SizingTableVersion.objects.create(
        **{**fields, "effective_date": effective, **changes}
    )
    for tier in base.tiers.all():
        SizingTier.objects.create(
            table=version,
            **{
                f.name: getattr(tier, f.name)
                for f in SizingTier._meta.concrete_fields
                if f.name not in ("id", "table")
            },
        )
    return version


@pytest.fixture
def seed(db: None) -> SizingTableVersion:
    return SizingTableVersion.objects.get(version=1)


def test_the_data_migration_stores_the_seed_values_as_version_1(seed: SizingTableVersion) -> None:
    assert seed.as_table() == SEED_TABLE
    tiers = [
        (t.max_users, t.vcpu, t.ram_gb, t.disk_gb, t.disk_type, t.nic_gbit, t.min_bandwidth_mbps)
        for t in seed.tiers.all()
    ]
    assert tiers == [(1_000, 4, 8, 150, "SSD", 1, 100), (10_000, 8, 8, 150, "SSD", 1, 1_000)]
    assert seed.max_tvox_per_instance == 250
    assert (seed.kb_per_second_per_connection, seed.bytes_per_kb) == (60, 1_000)
    assert seed.supported_hypervisors == "vmware,xen,virtualbox,bare_metal"
    assert seed.default_concurrency == Decimal(1)
    assert seed.tier_devices == ("mobile_apps", "web_clients", "widgets")
    assert "TVox Mediant Communication System \N{EN DASH} Prodotto" in seed.source
    assert "Quale architettura scegliere?" in seed.source
    assert seed.effective_date <= datetime.date.today()


def size_assumptions() -> tuple[Notice, ...]:
    return table_assumptions(SizingInput(sites=()), SEED_TABLE)


def test_the_seed_source_is_fit_for_a_customer_in_either_language() -> None:
    # Printed on a proposal under "Assumptions": no internal reference, no English prose.
    for text in (SEED_TABLE.source, *(a.it for a in size_assumptions())):
        for internal in ("issue", "seeds/", "Assumptions of", "public fact", "page"):
            assert internal not in text, text
    italian = next(a.it for a in size_assumptions() if a.code == "sizing_table")
    assert italian.endswith("Fonte: " + SEED_TABLE.source)


def test_it_applies_the_latest_version_in_effect(seed: SizingTableVersion) -> None:
    later = new_version(seed, TODAY, max_tvox_per_instance=200)
    future = new_version(seed, TODAY + datetime.timedelta(days=30), max_tvox_per_instance=100)
    assert SizingTableVersion.objects.in_effect(TODAY - datetime.timedelta(days=1)) == seed
    assert SizingTableVersion.objects.in_effect(TODAY) == later
    assert SizingTableVersion.objects.in_effect(future.effective_date) == future
    same_day = new_version(seed, TODAY, max_tvox_per_instance=300)
    assert SizingTableVersion.objects.in_effect(TODAY) == same_day  # the higher version
    assert (later.version, future.version, same_day.version) == (2, 3, 4)


def test_it_never_changes_or_deletes_a_saved_version(seed: SizingTableVersion) -> None:
    seed.max_tvox_per_instance = 500
    with pytest.raises(ImmutableVersionError):
        seed.save()
    with pytest.raises(ImmutableVersionError):
        seed.delete()
    tier = seed.tiers.first()
    assert tier is not None
    tier.vcpu = 64
    with pytest.raises(ImmutableVersionError):
        tier.save()
    seed.refresh_from_db()
    assert seed.max_tvox_per_instance == 250
    assert seed.tiers.first().vcpu == 4  # type: ignore[union-attr]


def test_a_new_version_changes_results_while_an_old_result_keeps_its_version(
    seed: SizingTableVersion,
) -> None:
    data = {"sites": [json_site(mobile_apps=900)], "tvox_systems": 230}
    old = json.loads(json.dumps(size_json(data, seed.as_table(), "en")))  # as stored
    assert (old["table_version"], old["mcs"]["instances"]) == (1, 1)

    new_version(seed, TODAY, max_tvox_per_instance=200)
    current = SizingTableVersion.objects.in_effect(TODAY)
    assert current is not None
    new = size_json(data, current.as_table(), "en")
    assert (new["table_version"], new["mcs"]["instances"]) == (2, 2)  # type: ignore[index]
    assert "R10" in new["explanations"]["mcs.instances"]["message"]  # type: ignore[index]

    # The old result still names version 1, which still gives exactly that result.
    reproduced = size_json(data, SizingTableVersion.objects.get(version=1).as_table(), "en")
    assert old["table_version"] == 1
    assert reproduced == old


# --- The admin: administrators save new versions -------------------------------------------


def admin_form(version: SizingTableVersion, **changes: Any) -> dict[str, str]:
    """The change form of a version as the browser posts it, with some values changed."""
    data: dict[str, Any] = {
        "effective_date": version.effective_date.isoformat(),
        "source": version.source,
        "max_tvox_per_instance": version.max_tvox_per_instance,
        "kb_per_second_per_connection": version.kb_per_second_per_connection,
        "supported_hypervisors": version.supported_hypervisors,
        "os_name": version.os_name,
        "os_end_of_life": version.os_end_of_life.isoformat() if version.os_end_of_life else "",
        "bytes_per_kb": version.bytes_per_kb,
        "default_concurrency": version.default_concurrency,
    }
    for flag in ("counts_mobile_apps", "counts_web_clients", "counts_widgets"):
        if getattr(version, flag):
            data[flag] = "on"
    tiers = list(version.tiers.all())
    data |= {
        "tiers-TOTAL_FORMS": len(tiers),
        "tiers-INITIAL_FORMS": len(tiers),
        "tiers-MIN_NUM_FORMS": 1,
        "tiers-MAX_NUM_FORMS": 1000,
    }
    for i, tier in enumerate(tiers):
        data[f"tiers-{i}-id"] = tier.pk
        data[f"tiers-{i}-table"] = version.pk
        for name in (
            "max_users",
            "vcpu",
            "ram_gb",
            "disk_gb",
            "disk_type",
            "nic_gbit",
            "min_bandwidth_mbps",
        ):
            data[f"tiers-{i}-{name}"] = getattr(tier, name)
    data |= changes
    return {key: str(value) for key, value in data.items()}


def change_url(version: SizingTableVersion) -> str:
    return reverse("admin:sizing_sizingtableversion_change", args=[version.pk])


def test_an_operators_edit_saves_a_new_version_and_leaves_the_old_one(
    client: Client, operator: User, seed: SizingTableVersion
) -> None:
    client.force_login(operator)
    response = client.post(
        change_url(seed),
        admin_form(seed, **{"tiers-0-vcpu": 6, "effective_date": "2026-01-01"}),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = SizingTableVersion.objects.get(version=2)
    assert response["Location"] == change_url(created)
    assert [t.vcpu for t in created.tiers.all()] == [6, 8]
    assert created.created_by == operator
    assert created.effective_date == datetime.date(2026, 1, 1)
    seed.refresh_from_db()
    assert [t.vcpu for t in seed.tiers.all()] == [4, 8]
    assert seed.as_table() == SEED_TABLE
    assert SizingTier.objects.count() == 4


def test_an_edit_in_the_admin_changes_the_api_result(
    client: Client, operator: User, alice: User, seed: SizingTableVersion
) -> None:
    client.force_login(alice)
    body = json.dumps({"sites": [json_site(web_clients=1_000)]})
    before = client.post("/api/sizing", body, content_type="application/json").json()
    client.force_login(operator)
    form = admin_form(seed, **{"tiers-0-ram_gb": 16, "effective_date": "2020-01-01"})
    # An earlier effective date than version 1: version 1 stays in effect.
    assert client.post(change_url(seed), form).status_code == 302
    form = admin_form(seed, **{"tiers-0-ram_gb": 16, "effective_date": "2025-01-01"})
    assert client.post(change_url(seed), form).status_code == 302
    client.force_login(alice)
    after = client.post("/api/sizing", body, content_type="application/json").json()
    assert (before["table_version"], before["mcs"]["ram_gb"]) == (1, 8)
    assert (after["table_version"], after["mcs"]["ram_gb"]) == (3, 16)


def test_a_row_deleted_in_the_admin_is_left_out_of_the_new_version_only(
    client: Client, operator: User, seed: SizingTableVersion
) -> None:
    client.force_login(operator)
    form = admin_form(seed, **{"tiers-1-DELETE": "on"})
    assert client.post(change_url(seed), form).status_code == 302
    assert [t.max_users for t in SizingTableVersion.objects.get(version=2).tiers.all()] == [1_000]
    assert seed.tiers.count() == 2


def test_the_admin_refuses_a_concurrency_out_of_range(
    client: Client, operator: User, seed: SizingTableVersion
) -> None:
    client.force_login(operator)
    response = client.post(change_url(seed), admin_form(seed, default_concurrency="1.5"))
    assert response.status_code == 200
    assert "default_concurrency" in response.context["adminform"].form.errors
    assert SizingTableVersion.objects.count() == 1


def test_the_admin_never_deletes_a_version(
    client: Client, adam: User, seed: SizingTableVersion
) -> None:
    client.force_login(adam)
    url = reverse("admin:sizing_sizingtableversion_delete", args=[seed.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert SizingTableVersion.objects.filter(pk=seed.pk).exists()


def test_a_superuser_manages_the_tables(
    client: Client, org: Organization, seed: SizingTableVersion
) -> None:
    root = User.objects.create_superuser("root", "root@example.com", "x", organization=org)
    client.force_login(root)
    assert client.get(reverse("admin:sizing_sizingtableversion_changelist")).status_code == 200
    assert client.get(change_url(seed)).status_code == 200


@pytest.mark.parametrize("persona", ["alice", "maria"])
def test_sales_engineers_and_managers_cannot_reach_the_tables(
    request: pytest.FixtureRequest, client: Client, persona: str, seed: SizingTableVersion
) -> None:
    client.force_login(request.getfixturevalue(persona))
    response = client.post(change_url(seed), admin_form(seed, **{"tiers-0-vcpu": 99}))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert SizingTableVersion.objects.count() == 1


def test_staff_without_the_administrator_role_cannot_edit_the_tables(
    client: Client, bob: User, seed: SizingTableVersion
) -> None:
    bob.is_staff = True
    bob.save()
    client.force_login(bob)
    assert client.get(change_url(seed)).status_code == 403
    assert client.post(change_url(seed), admin_form(seed)).status_code == 403
    assert SizingTableVersion.objects.count() == 1


def test_the_admin_list_marks_the_version_in_effect(
    client: Client, adam: User, seed: SizingTableVersion
) -> None:
    future = new_version(seed, datetime.date.today() + datetime.timedelta(days=1))
    client.force_login(adam)
    listing = client.get(reverse("admin:sizing_sizingtableversion_changelist"))
    admin_view = listing.context["cl"].model_admin
    assert admin_view.in_effect(seed) and not admin_view.in_effect(future)
