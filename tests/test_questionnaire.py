"""The architecture questionnaire: answers saved with the revision guard, a results panel
recalculated from what is typed, and a message next to every bad field."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from pytest_django.asserts import assertContains

from configurator.models import Project, Site, User


def _answers(project: Project, **changes: str) -> dict[str, str]:
    data = {
        "tvox_systems": "1",
        "concurrency": "1",
        "hypervisor": "",
        "public_domain": "",
        "revision": str(project.revision),
    }
    data.update(changes)
    return data


def _with_site(project: Project, **counts: int) -> Project:
    Site.objects.create(project=project, name="Milano", connectivity="mpls", **counts)
    return project


def test_it_saves_the_answers_and_bumps_the_revision(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("project_questionnaire", args=[project.pk]),
        _answers(
            project,
            keep_tvox_private="on",
            tvox_systems="3",
            concurrency="0.5",
            hypervisor="vmware",
            public_domain="MCS.Example.com.",
        ),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.keep_tvox_private is True and project.full_cloud is False
    assert (project.tvox_systems, str(project.concurrency)) == (3, "0.500")
    assert (project.hypervisor, project.public_domain) == ("vmware", "mcs.example.com")
    assert project.revision == 2


def test_it_shows_a_message_next_to_each_bad_field_and_saves_nothing(
    client: Client, alice: User, project: Project
) -> None:
    client.force_login(alice)
    response = client.post(
        reverse("project_questionnaire", args=[project.pk]),
        _answers(
            project,
            tvox_systems="0",
            concurrency="1.5",
            hypervisor="proxmox-beta",
            public_domain="not a domain",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"tvox_systems", "concurrency", "hypervisor", "public_domain"}
    for field in errors:
        assertContains(response, f'id="id_{field}_error"')
    project.refresh_from_db()
    assert (project.tvox_systems, project.revision) == (1, 1)


def test_it_refuses_a_stale_save_and_keeps_the_typed_answers(
    client: Client, alice: User, adam: User, project: Project
) -> None:
    stale = _answers(project, full_cloud="on", tvox_systems="7")
    other = Client()
    other.force_login(adam)
    other.post(
        reverse("project_questionnaire", args=[project.pk]),
        _answers(project, keep_tvox_private="on"),
    )
    client.force_login(alice)
    response = client.post(reverse("project_questionnaire", args=[project.pk]), stale)
    assert response.status_code == 409
    assert response.context["form"]["tvox_systems"].value() == "7"
    project.refresh_from_db()
    assert (project.keep_tvox_private, project.full_cloud, project.revision) == (True, False, 2)


def test_the_preview_recalculates_from_unsaved_answers(
    client: Client, alice: User, project: Project
) -> None:
    _with_site(project, sip_phones=20, mobile_apps=10)
    client.force_login(alice)
    response = client.post(
        reverse("project_preview", args=[project.pk]),
        _answers(project, keep_tvox_private="on"),
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    # The panel's content, swapped into the panel, which stays in the page.
    assert page.lstrip().startswith('<h2 id="results-title"')
    assert 'id="results-panel"' not in page
    assertContains(response, "<strong>TVox + MCS</strong>")
    project.refresh_from_db()
    assert project.keep_tvox_private is False  # the preview wrote nothing


def test_the_preview_names_the_conflict_when_nothing_fits(
    client: Client, alice: User, project: Project
) -> None:
    _with_site(project, sip_phones=20)
    client.force_login(alice)
    response = client.post(
        reverse("project_preview", args=[project.pk]),
        _answers(project, keep_tvox_private="on", redundancy="on"),
    )
    assertContains(response, "No architecture fits these requirements")
    assertContains(response, "R3")


def test_the_preview_of_bad_answers_asks_to_correct_them(
    client: Client, alice: User, project: Project
) -> None:
    _with_site(project, mobile_apps=1)
    client.force_login(alice)
    response = client.post(
        reverse("project_preview", args=[project.pk]), _answers(project, concurrency="0")
    )
    assertContains(response, "Correct the marked fields")


def test_a_manager_sees_the_answers_read_only(
    client: Client, maria: User, project: Project
) -> None:
    client.force_login(maria)
    page = client.get(reverse("project_questionnaire", args=[project.pk]))
    assert page.status_code == 200
    assertContains(page, "<fieldset disabled>")
    response = client.post(
        reverse("project_questionnaire", args=[project.pk]), _answers(project, full_cloud="on")
    )
    assert response.status_code == 403


def test_outsiders_get_404_for_the_questionnaire_and_the_preview(
    client: Client, bob: User, charlie: User, project: Project
) -> None:
    for user in (bob, charlie):
        client.force_login(user)
        assert client.get(reverse("project_questionnaire", args=[project.pk])).status_code == 404
        assert (
            client.post(
                reverse("project_preview", args=[project.pk]), _answers(project)
            ).status_code
            == 404
        )


def test_the_questionnaire_speaks_italian(client: Client, alice: User, project: Project) -> None:
    client.force_login(alice)
    page = client.get(
        reverse("project_questionnaire", args=[project.pk]), headers={"Accept-Language": "it"}
    ).content.decode()
    assert "Questionario" in page
    assert "(Q1)" in page and "(R5)" in page
