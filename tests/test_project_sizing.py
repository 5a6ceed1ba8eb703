"""A project's sites and questionnaire answers feed the sizing; its page shows the
recommendation and every figure with its reason."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from configurator.models import Project, User

from .factories import Element, make_site, parse_html, rules_cited


def _figures(page: Element) -> dict[str, tuple[str, str]]:
    """The sizing table's rows: figure → (value, why), as the page shows them."""
    rows = {}
    for row in page.find_all("tr"):
        header = row.find_all("th")
        cells = row.find_all("td")
        if len(header) == 1 and header[0].attrs.get("scope") == "row" and len(cells) == 2:
            why = cells[1]
            reason = " ".join(c if isinstance(c, str) else "" for c in why.children).strip()
            rows[header[0].text] = (cells[0].text, " ".join(reason.split()))
    return rows


def _option(page: Element, title: str) -> Element:
    """The option box of the architecture called `title`."""
    (box,) = [
        box for box in page.find_all("div", "option") if box.find("h3").text.startswith(title + " ")
    ]
    return box


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

    page = parse_html(client.get(reverse("project_detail", args=[project.pk])).content)

    assert page.find("p", "recommendation").find("strong").text == "TVox + MCS"
    # The reason of the recommendation cites R4 (MCS exposes only some services).
    (reason,) = page.find("ul", "reasons").find_all("li")
    assert reason.text.startswith("TVox + MCS: ")
    assert "R4" in rules_cited(reason.text), reason.text
    # 1,001 devices: the larger tier (S1, R9, bounds inclusive), 8 cores.
    figures = _figures(page)
    value, why = figures["Tier (users up to, per instance)"]
    assert value == "10,000"
    assert "1,001 devices" in why and "'up to 10,000 users'" in why, why
    assert {"S1", "R9"} <= rules_cited(why)
    assert "for 1,001 devices" in figures["MCS instances"][1]
    assert figures["CPU cores per instance"][0] == "8"


def test_the_project_page_says_when_no_architecture_fits(
    client: Client, alice: User, project: Project
) -> None:
    project.keep_tvox_private = True
    project.redundancy = True
    project.save()
    make_site(project, "Milano", "lan", sip_phones=10)
    client.force_login(alice)

    page = parse_html(client.get(reverse("project_detail", args=[project.pk])).content)

    recommendation = page.find("p", "recommendation").find("strong")
    assert recommendation.text == "No architecture fits these requirements"
    # The conflict names R3 (MCS cannot be made redundant), in the reasons, in the MCS box
    # and in the blocking notice.
    conflict = page.find("ul", "reasons").find_all("li")[0]
    assert conflict.text.startswith("No architecture fits, because these conflict: ")
    assert "R3" in rules_cited(conflict.text), conflict.text
    mcs = _option(page, "TVox + MCS")
    assert mcs.find("span", "badge").text == "does not fit"
    assert "R3" in rules_cited(mcs.find_all("li")[0].text)
    (blocker,) = page.find_all("li", "notice--blocker")
    assert "R3" in rules_cited(blocker.text), blocker.text


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


def test_the_project_page_query_count_does_not_grow_with_sites(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    counts = []
    for sites in (1, 30):
        for n in range(project.sites.count(), sites):
            make_site(project, f"Site {n}", "vpn", mobile_apps=2)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("project_detail", args=[project.pk])).status_code == 200
        counts.append(len(queries))
    # Session, user, project, sites, sizing table version and its tiers, the review panel,
    # the latest proposal (rules changed), the history timeline with the customer links'
    # entries (their links, their events) and the customer's decision; no query per site.
    assert counts[0] <= 19
    assert counts[1] == counts[0], [q["sql"] for q in queries.captured_queries]


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
