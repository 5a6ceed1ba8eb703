"""A project's sites and questionnaire answers feed the sizing; its page shows the
recommendation and every figure with its reason."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from configurator.models import Project, Site, User


def make_site(project: Project, name: str, connectivity: str = "mpls", **counts: int) -> Site:
    return Site.objects.create(project=project, name=name, connectivity=connectivity, **counts)


def test_it_turns_a_project_into_the_sizing_contract(project: Project) -> None:
    project.tvox_systems = 3
    project.concurrency = Decimal("0.750")
    project.hypervisor = "vmware"
    project.keep_tvox_private = True
    project.save()
    make_site(project, "Milano", "mpls", users=10, mobile_apps=4, web_clients=2, widgets=1)

    data = project.sizing_data()

    assert data["tvox_systems"] == 3
    assert data["concurrency"] == Decimal("0.75")
    assert data["hypervisor"] == "vmware"
    assert data["requirements"]["keep_tvox_private"] is True
    assert data["requirements"]["full_cloud"] is False
    assert data["sites"] == [
        {
            "name": "Milano",
            "connectivity": "mpls",
            "users": 10,
            "sip_phones": 0,
            "mobile_apps": 4,
            "web_clients": 2,
            "widgets": 1,
            "smart_working_webclient": 0,
            "smart_working_team": 0,
        }
    ]


def test_the_project_page_recommends_mcs_with_the_reason_and_rule(
    client: Client, alice: User, project: Project
) -> None:
    project.no_public_pbx_exposure = True
    project.save()
    make_site(project, "Milano", "mpls", mobile_apps=600, web_clients=401)
    client.force_login(alice)

    page = client.get(reverse("project_detail", args=[project.pk])).content.decode()

    assert "<strong>TVox + MCS</strong>" in page
    assert "(R4)" in page or "R4)" in page
    # 1,001 devices: the larger tier (S1, R9, bounds inclusive), 8 cores.
    assert "up to 10,000 users" in page
    assert "1,001 devices" in page or "1,001 MCS devices" in page


def test_the_project_page_says_when_no_architecture_fits(
    client: Client, alice: User, project: Project
) -> None:
    project.keep_tvox_private = True
    project.redundancy = True
    project.save()
    make_site(project, "Milano", "lan", sip_phones=10)
    client.force_login(alice)

    page = client.get(reverse("project_detail", args=[project.pk])).content.decode()

    assert "No architecture fits these requirements" in page
    assert "R3" in page


def test_the_project_page_without_sites_sizes_nothing(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    response = client.get(reverse("project_detail", args=[project.pk]))
    assert response.context["sizing"] is None
    assert "No site yet" in response.content.decode()


def test_the_project_page_speaks_italian(client: Client, alice: User, project: Project) -> None:
    make_site(project, "Milano", "mpls", mobile_apps=5)
    client.force_login(alice)
    page = client.get(
        reverse("project_detail", args=[project.pk]), headers={"Accept-Language": "it"}
    ).content.decode()
    assert "Raccomandazione e dimensionamento" in page
    assert "dispositivi" in page


@pytest.mark.parametrize("sites", [1, 30])
def test_the_project_page_query_count_does_not_grow_with_sites(
    client: Client, alice: User, project: Project, sites: int
) -> None:
    for n in range(sites):
        make_site(project, f"Site {n}", "vpn", mobile_apps=2)
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("project_detail", args=[project.pk])).status_code == 200
    # Session, user, project, sites, sizing table version and its tiers.
    assert len(queries) <= 8


def test_every_figure_opens_its_rules_and_inputs(
    client: Client, alice: User, project: Project
) -> None:
    make_site(project, "Milano", "mpls", mobile_apps=600, web_clients=401)
    client.force_login(alice)
    response = client.get(reverse("project_detail", args=[project.pk]))
    rows = response.context["sizing"].figures
    assert all(row.why and row.rules for row in rows)
    instances = next(row for row in rows if row.label == "MCS instances")
    assert ("devices", 1001) in instances.inputs
    assert '<details class="inputs">' in response.content.decode()


def test_the_page_lists_each_share_of_instances_when_they_differ(
    client: Client, alice: User, project: Project
) -> None:
    # 251 TVox systems need two instances (R10); 2,001 devices split 1,001 + 1,000, so one
    # instance needs the larger tier and the other the smaller (S1).
    project.tvox_systems = 251
    project.save()
    make_site(project, "Milano", "mpls", mobile_apps=2001)
    client.force_login(alice)
    response = client.get(reverse("project_detail", args=[project.pk]))
    groups = response.context["sizing"].result["mcs"]["instance_groups"]
    assert sorted((g["devices"], g["tier_max_users"]) for g in groups) == [
        (1000, 1000),
        (1001, 10000),
    ]
    assert "Instances by share" in response.content.decode()


def test_each_option_carries_its_own_notices(client: Client, alice: User, project: Project) -> None:
    make_site(project, "Milano", "mpls", sip_phones=10)
    client.force_login(alice)
    response = client.get(reverse("project_detail", args=[project.pk]))
    boxes = {box.key: box for box in response.context["sizing"].options}
    assert {code["code"] for code in boxes["pure_cloud"].notices} >= {"tvox_publicly_exposed"}
    assert boxes["mcs"].notices == []
