"""When no architecture fits, the result says what to change to make one fit: for each
architecture the requirements that stand against it (`excluded_by`), and the smallest set of
requirements to give up, by rule (sizing/recommend.py). And the demo's project in review is
a realistic case that fits, the conflict example another project, not the first one listed."""

from __future__ import annotations

import io
import itertools
from dataclasses import replace
from html import escape

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from configurator.models import Project, ProjectStatus, User
from sizing.engine import size
from sizing.inputs import CONNECTIVITIES, REQUIREMENT_NAMES, Requirements, Site, SizingInput
from sizing.schema import result_to_dict
from sizing.seed import SEED_TABLE

from .factories import make_site, parse_html

PRIVATE_AND_REDUNDANT = SizingInput(
    sites=(Site("Milano", "lan", sip_phones=80, web_clients=80),),
    requirements=Requirements(keep_tvox_private=True, redundancy=True),
)


def what_to_change(inp: SizingInput) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    recommendation = size(inp, SEED_TABLE).recommendation
    assert recommendation.architecture is None
    (notice,) = [r for r in recommendation.reasons if r.code == "what_to_change"]
    return notice.en, notice.it, notice.rules, notice.causes


def test_it_names_each_smallest_set_to_give_up_and_what_then_fits() -> None:
    en, it, rules, causes = what_to_change(PRIVATE_AND_REDUNDANT)
    assert en == (
        "To make one architecture fit: give up the requirement 'keeping TVox in the private "
        "infrastructure' (Q1), and TVox Pure Cloud or hybrid cloud fits; or give up the "
        "requirement 'no single point of failure' (R3, R13), and TVox + MCS fits."
    )
    assert it == (
        "Per rendere compatibile un'architettura: rinunciare al requisito 'mantenere TVox "
        "nell'infrastruttura privata' (Q1), e TVox Pure Cloud o il cloud ibrido è compatibile; "
        "oppure rinunciare al requisito 'nessun singolo punto di guasto' (R3, R13), e TVox + "
        "MCS è compatibile."
    )
    assert rules == ("Q1", "R3", "R13")
    assert causes == ("requirements.keep_tvox_private", "requirements.redundancy")


def test_it_comes_right_after_the_conflict_and_before_each_architecture() -> None:
    reasons = size(PRIVATE_AND_REDUNDANT, SEED_TABLE).recommendation.reasons
    assert [r.code for r in reasons] == [
        "requirements_conflict",
        "what_to_change",
        "does_not_fit",
        "does_not_fit",
        "does_not_fit",
    ]


def test_several_requirements_to_give_up_are_named_together() -> None:
    inp = SizingInput(
        sites=(Site("Lodi", "internet", sip_phones=10),),
        requirements=Requirements(keep_tvox_private=True, dhcp_provisioning=True),
    )
    en, it, rules, _causes = what_to_change(inp)
    assert en == (
        "To make one architecture fit: give up the requirements 'DHCP provisioning' (R5) and "
        "'keeping TVox in the private infrastructure' (Q1), and TVox Pure Cloud fits."
    )
    assert it.startswith("Per rendere compatibile un'architettura: rinunciare ai requisiti ")
    assert rules == ("Q1", "R5")


def test_each_option_lists_the_requirements_that_exclude_it_in_the_json() -> None:
    out = result_to_dict(size(PRIVATE_AND_REDUNDANT, SEED_TABLE), "en")
    options = out["recommendation"]["options"]
    assert {name: o["excluded_by"] for name, o in options.items()} == {
        "pure_cloud": ["keep_tvox_private"],
        "mcs": ["redundancy"],
        "hybrid": ["keep_tvox_private"],
    }
    assert out["recommendation"]["reasons"][1]["code"] == "what_to_change"


# --- Property: the suggestion is right and nothing smaller is ---------------------------------

projects = st.builds(
    lambda connectivities, phones, answers: SizingInput(
        sites=tuple(
            Site(f"S{i}", c, sip_phones=phones, web_clients=5) for i, c in enumerate(connectivities)
        ),
        requirements=Requirements(**dict(zip(REQUIREMENT_NAMES, answers, strict=True))),
    ),
    st.lists(st.sampled_from(CONNECTIVITIES), min_size=1, max_size=3),
    st.integers(min_value=0, max_value=5),
    st.tuples(*[st.booleans()] * len(REQUIREMENT_NAMES)),
)


def without(inp: SizingInput, names: tuple[str, ...]) -> SizingInput:
    return replace(inp, requirements=replace(inp.requirements, **dict.fromkeys(names, False)))


def fitting(inp: SizingInput) -> set[str]:
    return {o.architecture for o in size(inp, SEED_TABLE).recommendation.options if o.fits}


@settings(deadline=None, max_examples=150)
@given(inp=projects)
def test_giving_up_the_suggested_requirements_makes_it_fit_and_no_fewer_would(
    inp: SizingInput,
) -> None:
    result = size(inp, SEED_TABLE)
    if result.recommendation.architecture is not None:
        return
    options = {o.architecture: o for o in result.recommendation.options}
    _en, _it, _rules, causes = what_to_change(inp)
    named = [c.removeprefix("requirements.") for c in causes]
    smallest = min(len(o.excluded_by) for o in options.values() if not o.excluded_by_sites)
    for option in options.values():
        if not option.excluded_by_sites and len(option.excluded_by) == smallest:
            assert set(option.excluded_by) <= set(named)
            assert option.architecture in fitting(without(inp, option.excluded_by))
    asked = [name for name in REQUIREMENT_NAMES if getattr(inp.requirements, name)]
    for fewer in itertools.combinations(asked, smallest - 1) if smallest else ():
        assert not fitting(without(inp, fewer)), fewer


# --- The page and the demo --------------------------------------------------------------------


def test_the_project_page_says_what_to_change(
    client: Client, alice: User, project: Project
) -> None:
    project.keep_tvox_private = True
    project.redundancy = True
    project.save()
    make_site(project, "Milano", "lan", sip_phones=10)
    client.force_login(alice)
    page = parse_html(client.get(reverse("project_detail", args=[project.pk])).content)
    (advice,) = page.find_all("li", "what-to-change")
    assert advice.text.startswith("To make one architecture fit: give up the requirement ")
    assert "(R3, R13), and TVox + MCS fits." in advice.text
    with_it = client.get(
        reverse("project_detail", args=[project.pk]), headers={"accept-language": "it"}
    )
    (italian,) = parse_html(with_it.content).find_all("li", "what-to-change")
    assert italian.text.startswith("Per rendere compatibile un'architettura: rinunciare ")


def test_the_demo_project_in_review_fits_and_the_conflict_example_is_not_first(
    client: Client, db: None
) -> None:
    call_command("load_demo", stdout=io.StringIO())
    client.force_login(User.objects.get(username="manager"))
    listing = client.get(reverse("project_list")).content.decode()
    titles = [p.title for p in Project.objects.all()]
    positions = sorted(titles, key=lambda title: listing.index(escape(title)))  # as listed
    for project in Project.objects.all():
        response = client.get(reverse("project_detail", args=[project.pk]))
        architecture = response.context["sizing"].result["recommendation"]["architecture"]
        if project.status == ProjectStatus.IN_REVIEW:
            assert architecture is not None, project.title
        if architecture is None:
            assert positions.index(project.title) > 0, positions
            assert "what-to-change" in response.content.decode()
    in_review = Project.objects.get(status=ProjectStatus.IN_REVIEW)
    response = client.get(reverse("project_detail", args=[in_review.pk]))
    assert response.context["sizing"].result["recommendation"]["architecture"] == "pure_cloud"
    assert Project.objects.filter(title__startswith="Private switchboard").exists()
