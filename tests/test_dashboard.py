"""The managers' dashboard: its figures on known data, its filters, the review queue, who
may see it, and nothing of another organisation.

alice and bob (sales engineers) own projects; maria manages the organisation, adam
administers it; charlie is of another organisation, with projects of his own.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from pytest_django.asserts import assertContains, assertNotContains

from configurator.models import Project, ProjectStatus, User
from dashboard.figures import Period, period_of
from dashboard.models import ProjectSummary
from review.models import Action, Transition

from .factories import make_project, make_site, parse_html, signed_in

pytestmark = pytest.mark.usefixtures("sizing_table")

# The requirements that make each architecture the recommendation, for one MPLS site of
# 300 mobile apps (300 MCS devices, one instance, 144 Mbit/s).
PURE_CLOUD: dict[str, bool] = {}
MCS = {"keep_tvox_private": True}
HYBRID = {"full_cloud": True, "reuse_local_lines_and_phones": True}
NOTHING = {"full_cloud": True, "keep_tvox_private": True}


def _project(owner: User, title: str, status: str, requirements: dict[str, bool]) -> Project:
    project = make_project(owner, title=title, status=status)
    Project.objects.filter(pk=project.pk).update(**requirements)
    make_site(project, "Milano", "mpls", users=5, sip_phones=4, mobile_apps=300)
    return project


def _submitted(project: Project, ago: dt.timedelta) -> None:
    Transition.objects.create(
        project=project,
        action=Action.SUBMIT,
        from_status=ProjectStatus.DRAFT,
        to_status=ProjectStatus.IN_REVIEW,
        revision=project.revision,
        actor=project.owner,
        at=timezone.now() - ago,
    )


@pytest.fixture
def known(alice: User, bob: User, charlie: User) -> dict[str, Project]:
    """Five projects of the organisation, one of each architecture (and one unsized), in
    three statuses; two of charlie's organisation."""
    projects = {
        "p1": _project(alice, "Ospedale Nord", ProjectStatus.IN_REVIEW, PURE_CLOUD),
        "p2": _project(alice, "Ospedale Sud", ProjectStatus.DRAFT, MCS),
        "p3": _project(bob, "Banca Est", ProjectStatus.IN_REVIEW, HYBRID),
        "p4": _project(bob, "Banca Ovest", ProjectStatus.APPROVED, NOTHING),
        "p5": make_project(alice, title="Senza sedi", status=ProjectStatus.DRAFT),
        "x1": _project(charlie, "Segreto Charlie", ProjectStatus.IN_REVIEW, MCS),
        "x2": _project(charlie, "Altro segreto", ProjectStatus.DRAFT, MCS),
    }
    _submitted(projects["p1"], dt.timedelta(days=2, hours=3))
    # An older submission, recalled and submitted again: the latest one counts.
    _submitted(projects["p3"], dt.timedelta(days=9))
    _submitted(projects["p3"], dt.timedelta(hours=5))
    _submitted(projects["x1"], dt.timedelta(days=30))
    return projects


def _table(page: bytes, chart_id: str, part: str = "tbody") -> dict[str, str]:
    """The rows of the table beside a chart (or of its `tfoot`): label → value as written."""
    tables = [
        table
        for table in parse_html(page).find_all("table")
        if table.attrs.get("aria-labelledby") == f"{chart_id}-heading"
    ]
    assert len(tables) == 1, chart_id
    return {row.find("th").text: row.find("td").text for row in tables[0].find(part).find_all("tr")}


def _totals(page: bytes) -> dict[str, str]:
    """The total of each summed chart."""
    return {
        chart_id: _table(page, chart_id, "tfoot")["Total"]
        for chart_id in ("users", "mcs-devices", "mcs-instances", "bandwidth")
    }


def test_the_manager_sees_the_figures_of_the_organisation(
    maria: User, known: dict[str, Project]
) -> None:
    response = signed_in(maria).get(reverse("dashboard"), {"period": "all"})

    assert response.status_code == 200
    page = response.content
    assert _table(page, "by-status") == {
        "Draft": "2",
        "In review": "2",
        "Approved": "1",
        "Sent": "0",
        "Accepted": "0",
        "Lost": "0",
    }
    assert _table(page, "by-architecture") == {
        "TVox Pure Cloud": "1",
        "TVox + MCS": "1",
        "Hybrid cloud": "1",
        "No architecture fits": "1",
        "Not sized": "1",
    }
    assert _table(page, "by-owner") == {"Alice": "3", "Bob": "2"}
    # Four sized projects of 5 users, 300 MCS devices, one instance and 144 Mbit/s each.
    assert _totals(page) == {
        "users": "20",
        "mcs-devices": "1,200",
        "mcs-instances": "4",
        "bandwidth": "576",
    }
    # alice's sized projects are two of the four (her third has no site).
    assert _table(page, "mcs-devices") == {"Alice": "600", "Bob": "600"}
    assert _table(page, "bandwidth") == {"Alice": "288", "Bob": "288"}
    assert page.count(b'role="img"') == 7
    assertNotContains(response, "Segreto Charlie")
    assertNotContains(response, "<script>", html=False)


def test_the_review_queue_lists_the_longest_waiting_first_with_its_age(
    adam: User, known: dict[str, Project]
) -> None:
    response = signed_in(adam).get(reverse("dashboard"))

    (queue,) = [
        section
        for section in parse_html(response.content).find_all("section")
        if section.attrs.get("aria-labelledby") == "queue-heading"
    ]
    rows = queue.find("tbody").find_all("tr")
    titles = [row.find("a").text for row in rows]
    ages = [row.find_all("td")[-1].text for row in rows]
    links = [row.find("a").attrs["href"] for row in rows]
    assert titles == ["Ospedale Nord", "Banca Est"]
    assert ages == ["2 d 3 h", "5 h"]
    assert links == [
        reverse("project_review", args=[known["p1"].pk]),
        reverse("project_review", args=[known["p3"].pk]),
    ]


def test_it_speaks_italian(maria: User, known: dict[str, Project]) -> None:
    client = signed_in(maria, headers={"accept-language": "it"})
    response = client.get(reverse("dashboard"), {"period": "all"})

    # The labels of the catalogue already, and numbers as Italian writes them.
    assert _table(response.content, "by-architecture")["Cloud ibrido"] == "1"
    assert _table(response.content, "by-status")["In revisione"] == "2"
    assert _table(response.content, "mcs-devices", "tfoot")["Totale"] == "1.200"
    with translation.override("it"):
        italian = translation.gettext("Waiting for review")
    assert italian != "Waiting for review", "the Italian catalogue lacks the dashboard's text"
    assertContains(response, italian)
    assertContains(response, "2 g 3 h")
    assertNotContains(response, "Waiting for review")


def test_the_owner_filter_keeps_that_owners_projects(
    maria: User, bob: User, known: dict[str, Project]
) -> None:
    response = signed_in(maria).get(reverse("dashboard"), {"period": "all", "owner": bob.pk})

    assert _table(response.content, "by-owner") == {"Bob": "2"}
    assert _totals(response.content)["users"] == "10"
    assertNotContains(response, "Ospedale Nord")
    assertContains(response, "Banca Est")


def test_the_period_keeps_the_projects_changed_in_it(
    maria: User, known: dict[str, Project]
) -> None:
    today = timezone.localdate()
    last_quarter = period_of("previous_quarter", today=today)
    assert last_quarter.start is not None
    moment = dt.datetime.combine(
        last_quarter.start, dt.time(12), tzinfo=timezone.get_current_timezone()
    )
    Project.objects.filter(pk__in=[known["p2"].pk, known["p4"].pk]).update(updated_at=moment)
    client = signed_in(maria)

    this_quarter = client.get(reverse("dashboard"))
    previous = client.get(reverse("dashboard"), {"period": "previous_quarter"})
    dates = client.get(
        reverse("dashboard"),
        {
            "period": "dates",
            "start": last_quarter.start.isoformat(),
            "end": last_quarter.start.isoformat(),
        },
    )

    assert _table(this_quarter.content, "by-status")["Draft"] == "1"
    assert _table(this_quarter.content, "by-status")["Approved"] == "0"
    assert _table(previous.content, "by-status") == {
        "Draft": "1",
        "In review": "0",
        "Approved": "1",
        "Sent": "0",
        "Accepted": "0",
        "Lost": "0",
    }
    assert _table(dates.content, "by-owner") == {"Alice": "1", "Bob": "1"}
    # Dates typed in are the period, whichever period the list shows.
    typed = client.get(
        reverse("dashboard"),
        {
            "period": "quarter",
            "start": last_quarter.start.isoformat(),
            "end": last_quarter.start.isoformat(),
        },
    )
    assert _table(typed.content, "by-owner") == {"Alice": "1", "Bob": "1"}
    # The queue is what waits now, whatever the period.
    assertContains(previous, "Ospedale Nord")


def _days(period: Period) -> tuple[dt.date | None, dt.date | None]:
    return period.start, period.end


def test_periods_are_quarters_and_years_of_the_calendar() -> None:
    day = dt.date(2026, 5, 17)
    assert _days(period_of("quarter", today=day)) == (dt.date(2026, 4, 1), day)
    assert _days(period_of("previous_quarter", today=day)) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 31),
    )
    assert _days(period_of("previous_quarter", today=dt.date(2026, 2, 1))) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 12, 31),
    )
    assert _days(period_of("year", today=day)) == (dt.date(2026, 1, 1), day)
    assert _days(period_of("all", today=day)) == (None, None)
    assert period_of("bogus", today=day).key == "quarter"


def test_a_sales_engineer_gets_403_and_no_link(alice: User, known: dict[str, Project]) -> None:
    client = signed_in(alice)

    assert client.get(reverse("dashboard")).status_code == 403
    assert client.get(reverse("dashboard_export", args=["csv"])).status_code == 403
    assertNotContains(client.get(reverse("project_list")), reverse("dashboard"))


def test_managers_and_administrators_get_the_link(maria: User, adam: User) -> None:
    for user in (maria, adam):
        assertContains(
            signed_in(user).get(reverse("project_list")), f'href="{reverse("dashboard")}"'
        )


def test_another_organisations_manager_sees_only_theirs(
    other_org: object, known: dict[str, Project]
) -> None:
    from .factories import make_user

    olivia = make_user(known["x1"].organization, "olivia", "manager")
    client = signed_in(olivia)
    response = client.get(reverse("dashboard"), {"period": "all"})
    export = client.get(reverse("dashboard_export", args=["csv"]), {"period": "all"})

    assert _table(response.content, "by-owner") == {"Charlie": "2"}
    assertNotContains(response, "Ospedale")
    assert "Segreto Charlie" in export.content.decode()
    assert "Ospedale" not in export.content.decode()
    assert "Banca" not in export.content.decode()


def test_an_owner_of_another_organisation_is_no_filter(
    maria: User, charlie: User, known: dict[str, Project]
) -> None:
    a_year_ago = timezone.now() - dt.timedelta(days=400)
    Project.objects.filter(pk=known["p5"].pk).update(updated_at=a_year_ago)
    response = signed_in(maria).get(reverse("dashboard"), {"period": "all", "owner": charlie.pk})

    # Refused as a choice: the whole organisation's figures, none of charlie's; the
    # period asked for stays (one project of the five was changed before this quarter).
    assert _table(response.content, "by-owner") == {"Alice": "3", "Bob": "2"}
    assertNotContains(response, "Segreto Charlie")


def test_a_change_to_a_project_refreshes_its_figures(
    maria: User, known: dict[str, Project]
) -> None:
    client = signed_in(maria)
    client.get(reverse("dashboard"), {"period": "all"})
    project = known["p2"]
    Project.objects.filter(pk=project.pk).update(revision=project.revision + 1)
    project.sites.update(mobile_apps=700)

    response = client.get(reverse("dashboard"), {"period": "all"})

    assert _totals(response.content)["mcs-devices"] == "1,600"
    assert ProjectSummary.objects.get(project=project).revision == project.revision + 1


def test_a_newer_sizing_table_sizes_again(maria: User, known: dict[str, Project]) -> None:
    from .factories import newer_sizing_table

    client = signed_in(maria)
    client.get(reverse("dashboard"), {"period": "all"})
    version = newer_sizing_table(min_bandwidth_mbps=600)

    client.get(reverse("dashboard"), {"period": "all"})

    assert set(ProjectSummary.objects.values_list("table_version", flat=True)) == {version.version}


def test_a_committed_change_refreshes_the_summary(
    django_capture_on_commit_callbacks: object, alice: User, known: dict[str, Project]
) -> None:
    project = Project.objects.get(pk=known["p2"].pk)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert project.bump_revision(project.revision, by=alice)

    assert ProjectSummary.objects.get(project=project).revision == project.revision


def test_a_chart_is_an_image_titled_and_described_with_a_bar_per_row() -> None:
    from dashboard.charts import Bar, bar_chart

    with translation.override("it"):
        svg = str(bar_chart("x", "Titolo", "Descrizione", [Bar("Uno", 1234.5), Bar("Due", 0)]))

    root = parse_html(svg).find("svg")
    assert root.attrs["role"] == "img"
    assert root.attrs["aria-labelledby"] == "x-title"
    assert root.attrs["aria-describedby"] == "x-desc"
    assert root.find("title").text == "Titolo"
    assert root.find("desc").text == "Descrizione"
    assert len(root.find_all("rect")) == 2
    texts = [text.text for text in root.find_all("text")]
    assert texts == ["Uno", "1.234,5", "Due", "0"]
    assert "<script" not in svg
