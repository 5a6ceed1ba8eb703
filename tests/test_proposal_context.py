"""The R1–R5 comparison of the proposal (and Q1, where TVox runs), marked against what this
customer asked for: each mark comes from the sizing result's conflicts and warnings."""

from __future__ import annotations

import pytest
from django.utils import translation

from configurator.models import Project, Site
from reports.context import proposal_context
from reports.snapshot import build_snapshot

pytestmark = pytest.mark.usefixtures("sizing_table")


def marks(project: Project, **requirements: bool) -> dict[str, dict[str, str]]:
    """{rule: {option: mark}} of the comparison table, for `requirements`."""
    for name, value in requirements.items():
        setattr(project, name, value)
    project.save()
    snapshot = build_snapshot(project, "en", None)
    with translation.override("en"):
        rows = proposal_context(snapshot)["comparison"]
    options = ("pure_cloud", "mcs", "hybrid")
    return {
        row["rule"]: {
            option: cell["mark"] for option, cell in zip(options, row["cells"], strict=True)
        }
        for row in rows
    }


def needs(project: Project) -> dict[str, str]:
    with translation.override("en"):
        rows = proposal_context(build_snapshot(project, "en", None))["comparison"]
    return {row["rule"]: str(row["need"]) for row in rows}


@pytest.fixture
def on_mpls(project: Project) -> Project:
    Site.objects.create(
        project=project, name="Milano", connectivity="mpls", sip_phones=30, mobile_apps=200
    )
    return project


def test_the_rows_are_q1_then_r1_to_r5(on_mpls: Project) -> None:
    assert list(marks(on_mpls)) == ["Q1", "R1", "R2", "R3", "R4", "R5"]


def test_sip_phones_behind_the_internet_conflict_with_mcs_on_r2(on_mpls: Project) -> None:
    Site.objects.create(project=on_mpls, name="Lodi", connectivity="internet", sip_phones=4)
    table = marks(on_mpls)
    assert table["R2"] == {"pure_cloud": "ok", "mcs": "blocker", "hybrid": "ok"}
    assert needs(on_mpls)["R2"] == "4 SIP phones at internet-only sites"


def test_no_single_point_of_failure_conflicts_with_mcs_on_r3(on_mpls: Project) -> None:
    table = marks(on_mpls, redundancy=True)
    assert table["R3"]["mcs"] == "blocker"
    assert table["R3"]["pure_cloud"] != "blocker"
    assert table["R3"]["hybrid"] != "blocker"


def test_dhcp_provisioning_conflicts_with_the_cloud_options_on_r5(on_mpls: Project) -> None:
    table = marks(on_mpls, dhcp_provisioning=True)
    assert table["R5"]["pure_cloud"] == "blocker"
    assert table["R5"]["hybrid"] == "blocker"
    assert table["R5"]["mcs"] != "blocker"
    assert needs(on_mpls)["R5"] == "DHCP provisioning required"


def test_keeping_tvox_private_conflicts_with_the_cloud_options_on_q1(on_mpls: Project) -> None:
    table = marks(on_mpls, keep_tvox_private=True)
    assert table["Q1"] == {"pure_cloud": "blocker", "mcs": "ok", "hybrid": "blocker"}
    assert needs(on_mpls)["Q1"] == "In the private infrastructure"


def test_a_full_cloud_wish_conflicts_with_mcs_on_q1(on_mpls: Project) -> None:
    table = marks(on_mpls, full_cloud=True)
    assert table["Q1"]["mcs"] == "blocker"
    assert table["Q1"]["pure_cloud"] == "ok"


def test_mcs_carries_its_warnings_even_when_it_fits(on_mpls: Project) -> None:
    table = marks(on_mpls)
    # Not redundant (R3, R13) is a warning on every MCS result (S6), not a conflict.
    assert table["R3"]["mcs"] == "warning"
    # Pure Cloud exposes TVox on the internet (R4): a warning, a conflict only if asked.
    assert table["R4"]["pure_cloud"] == "warning"
    assert marks(on_mpls, no_public_pbx_exposure=True)["R4"]["pure_cloud"] == "blocker"
