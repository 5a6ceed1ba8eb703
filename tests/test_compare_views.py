"""The comparison page (projects/<pk>/compare/?a=…&b=…) and the "rules changed since this
offer" notice on the project page.

alice owns the project; maria, her manager, may read it; charlie is of another
organisation. Proposals are made with reports.snapshot.create_proposal, as the proposal
page makes them (the rendering does not matter here).
"""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from configurator.models import Customer, Project, Site, User
from reports.models import Proposal
from reports.snapshot import create_proposal
from sizing.models import SizingTableVersion

from .factories import (
    add_sites,
    make_project,
    make_site,
    newer_sizing_table,
    parse_html,
    signed_in,
)


def compare_url(project: Project, a: object = None, b: object = None) -> str:
    url = reverse("project_compare", args=[project.pk])
    query = "&".join(f"{key}={value}" for key, value in (("a", a), ("b", b)) if value is not None)
    return f"{url}?{query}" if query else url


@pytest.fixture
def sized(project: Project) -> Project:
    """Milano and Bergamo on MPLS, Lodi on the internet only: 460 devices (factories)."""
    return add_sites(project)


@pytest.fixture
def v1(sized: Project, alice: User) -> Proposal:
    return create_proposal(sized, "en", alice)


@pytest.fixture
def v2(v1: Proposal, sized: Project, alice: User) -> Proposal:
    """After Pavia is added and Milano's apps go from 300 to 900."""
    make_site(sized, "Pavia", "vpn", users=10, mobile_apps=40)
    Site.objects.filter(project=sized, name="Milano").update(mobile_apps=900)
    return create_proposal(sized, "en", alice)


def test_it_compares_the_last_two_versions_by_default(
    alice: User, sized: Project, v1: Proposal, v2: Proposal
) -> None:
    response = signed_in(alice).get(compare_url(sized))
    assert response.status_code == 200
    diff = response.context["diff"]
    assert [site.name for site in diff.sites_added] == ["Pavia"]
    assert [(site.name, [(c.old, c.new) for c in site.changes]) for site in diff.sites_changed] == [
        ("Milano", [(300, 900)])
    ]
    devices = next(c for c in diff.changed_figures if c.key == "mcs.devices")
    assert (devices.old, devices.new, devices.delta) == (460, 1_100, 640)
    assertContains(response, "Version 1 · English")
    assertContains(response, "Version 2 · English")
    assertContains(response, "+640")
    assertContains(response, 'class="badge badge--added"')


def test_the_form_offers_every_version_and_the_draft_and_keeps_the_choice(
    alice: User, sized: Project, v1: Proposal, v2: Proposal
) -> None:
    response = signed_in(alice).get(compare_url(sized, v1.pk, "draft"))
    page = parse_html(response.content)
    form = page.find("form", "compare-form")
    assert (form.attrs["method"], form.attrs["action"]) == (
        "get",
        reverse("project_compare", args=[sized.pk]),
    )
    options = [
        (option.attrs["value"], "selected" in option.attrs) for option in form.find_all("option")
    ]
    # a: v2, v1 (chosen), the draft; then b: v2, v1, the draft (chosen).
    assert options == [
        (str(v2.pk), False),
        (str(v1.pk), True),
        ("draft", False),
        (str(v2.pk), False),
        (str(v1.pk), False),
        ("draft", True),
    ]


def test_it_compares_a_proposal_with_the_current_draft(
    alice: User, sized: Project, v1: Proposal
) -> None:
    Site.objects.filter(project=sized, name="Lodi").delete()
    Project.objects.filter(pk=sized.pk).update(redundancy=True)
    response = signed_in(alice).get(compare_url(sized, v1.pk, "draft"))
    assert response.status_code == 200
    diff = response.context["diff"]
    assert [site.name for site in diff.sites_removed] == ["Lodi"]
    assert [(str(c.label), c.old_text, c.new_text) for c in diff.changed_answers] == [
        ("No single point of failure", "No", "Yes")
    ]
    assertContains(response, "Current draft (revision")
    assertContains(response, 'class="badge badge--removed"')


def test_one_proposal_is_compared_with_the_draft_by_default(
    alice: User, sized: Project, v1: Proposal
) -> None:
    response = signed_in(alice).get(compare_url(sized))
    assert response.status_code == 200
    assert not response.context["diff"].has_changes
    assertContains(response, "No differences: both say the same.")
    heading = next(
        h
        for h in parse_html(response.content).find_all("h2")
        if h.attrs.get("id") == "compare-title"
    )
    assert heading.text.startswith("Version 1 · English · ")
    assert heading.text.endswith(" → Current draft (revision 1)")


def test_without_a_proposal_the_page_says_so(alice: User, sized: Project) -> None:
    response = signed_in(alice).get(compare_url(sized))
    assert response.status_code == 200
    assertContains(response, "No proposal has been generated for this project yet")


def test_a_draft_that_cannot_be_sized_is_said_so(alice: User, sized: Project, v1: Proposal) -> None:
    Site.objects.filter(project=sized).delete()
    response = signed_in(alice).get(compare_url(sized, v1.pk, "draft"))
    assert response.status_code == 200
    assert response.context["diff"] is None
    assertContains(response, "The current draft cannot be sized yet")


@pytest.mark.parametrize("value", ["abc", "0", "999999", "", "-1", "1.0", "draft2"])
def test_an_id_that_names_no_proposal_of_the_project_is_a_404(
    alice: User, sized: Project, v1: Proposal, value: str
) -> None:
    client = signed_in(alice)
    assert client.get(compare_url(sized, value, "draft")).status_code == 404
    assert client.get(compare_url(sized, v1.pk, value)).status_code == 404


def test_a_proposal_of_another_project_of_hers_is_a_404(
    alice: User, customer: Customer, sized: Project, v1: Proposal
) -> None:
    other = add_sites(make_project(alice, customer, "Fourth hospital"))
    theirs = create_proposal(other, "en", alice)
    client = signed_in(alice)
    assert client.get(compare_url(sized, theirs.pk, "draft")).status_code == 404
    assert client.get(compare_url(sized, v1.pk, theirs.pk)).status_code == 404
    assert client.get(compare_url(other, theirs.pk, "draft")).status_code == 200


def test_another_organisations_project_and_proposal_are_404(
    alice: User, charlie: User, sized: Project, v1: Proposal
) -> None:
    own = add_sites(make_project(charlie, title="Charlie's project"))
    own_proposal = create_proposal(own, "en", charlie)
    client = signed_in(charlie)
    assert client.get(compare_url(sized)).status_code == 404
    # His own project, with alice's proposal: not a proposal of his project.
    assert client.get(compare_url(own, v1.pk, "draft")).status_code == 404
    assert client.get(compare_url(own, own_proposal.pk, "draft")).status_code == 200
    # And alice's project with charlie's proposal.
    assert signed_in(alice).get(compare_url(sized, own_proposal.pk, "draft")).status_code == 404


def test_her_manager_may_compare_and_a_teammate_may_not_see_it(
    maria: User, bob: User, sized: Project, v1: Proposal, v2: Proposal
) -> None:
    assert signed_in(maria).get(compare_url(sized, v1.pk, v2.pk)).status_code == 200
    assert signed_in(bob).get(compare_url(sized, v1.pk, v2.pk)).status_code == 404


def test_it_reads_in_italian(alice: User, sized: Project, v1: Proposal, v2: Proposal) -> None:
    client = signed_in(alice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"
    response = client.get(compare_url(sized, v1.pk, v2.pk))
    assert response.status_code == 200
    assertContains(response, "App mobili")
    assertContains(response, "Banda internet consigliata")
    assertContains(response, "+640")
    assertContains(response, "1.100")  # 1,100 devices in Italian figures
    assertContains(response, "Quota di contemporaneità")
    assertContains(response, "non adatta")


def test_the_proposal_page_links_to_the_comparison(
    alice: User, sized: Project, v1: Proposal
) -> None:
    response = signed_in(alice).get(reverse("project_proposals", args=[sized.pk]))
    assertContains(response, f'href="{compare_url(sized)}"')


# --- rules changed since this offer ---------------------------------------------------------


def test_the_project_page_says_when_a_newer_table_would_change_the_offer(
    alice: User, sized: Project, v1: Proposal
) -> None:
    detail = reverse("project_detail", args=[sized.pk])
    assertNotContains(signed_in(alice).get(detail), "Rules changed since this offer")
    # 460 devices need 220.8 Mbit/s; the new first tier asks at least 600 (S3, R9).
    table = newer_sizing_table(min_bandwidth_mbps=600)
    response = signed_in(alice).get(detail)
    assert response.status_code == 200
    notice = parse_html(response.content).find("section", "rules-changed")
    assert notice.find("h2").text == "Rules changed since this offer"
    assert notice.find_all("p")[0].text.startswith(
        f"Proposal version 1 was sized with sizing table version 1; version {table.version} "
        "is in effect since"
    )
    assert [row.text for row in notice.find("tbody").find_all("tr")] == [
        "Tiers' minimum 100 Mbit/s 600 Mbit/s +500 Mbit/s",
        "Recommended internet bandwidth 220.8 Mbit/s 600 Mbit/s +379.2 Mbit/s",
    ]
    link = notice.find("a")
    assert link.attrs["href"] == compare_url(sized, v1.pk, "draft")


def test_a_newer_table_that_changes_no_figure_says_nothing(
    alice: User, sized: Project, v1: Proposal
) -> None:
    newer_sizing_table()  # the same values
    response = signed_in(alice).get(reverse("project_detail", args=[sized.pk]))
    assertNotContains(response, "Rules changed since this offer")


def test_the_notice_reads_the_latest_proposal(alice: User, sized: Project, v1: Proposal) -> None:
    newer_sizing_table(min_bandwidth_mbps=600)
    create_proposal(sized, "en", alice)  # sized with the new table
    response = signed_in(alice).get(reverse("project_detail", args=[sized.pk]))
    assertNotContains(response, "Rules changed since this offer")


def test_the_comparison_says_which_figures_the_table_in_effect_changes(
    alice: User, sized: Project, v1: Proposal
) -> None:
    newer_sizing_table(min_bandwidth_mbps=600)
    response = signed_in(alice).get(compare_url(sized, v1.pk, "draft"))
    ((proposal, changes),) = response.context["rules_changed"]
    assert proposal == v1
    assert {c.key: (c.old, c.new) for c in changes} == {
        "mcs.min_bandwidth_mbps": (100, 600),
        "mcs.bandwidth_mbps": (220.8, 600),
    }
    assertContains(response, "Rules changed since this offer")
    # The draft is sized with the table in effect: the table differs too.
    assert response.context["diff"].table.changed


def test_a_future_table_is_not_in_effect_yet(alice: User, sized: Project, v1: Proposal) -> None:
    table = newer_sizing_table(min_bandwidth_mbps=600)
    SizingTableVersion.objects.filter(pk=table.pk).update(
        effective_date=timezone.localdate() + datetime.timedelta(days=30)
    )
    response = signed_in(alice).get(reverse("project_detail", args=[sized.pk]))
    assertNotContains(response, "Rules changed since this offer")
