"""The customer links on the project's timeline: each link sent, re-issued and revoked, and
every request through it with its address, browser and whether it counted; in a fixed
number of queries however many events there are."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from configurator.history import project_timeline
from configurator.models import User
from portal import links
from portal.models import EventKind, LinkEvent, NotCounted

from .factories import approved_project_with_proposal


def _events(link: links.CustomerLink, count: int) -> None:
    LinkEvent.objects.bulk_create(
        LinkEvent(
            link=link,
            kind=EventKind.VIEW if n % 2 else EventKind.DOWNLOAD,
            ip=f"203.0.113.{n % 250}",
            user_agent=f"Mozilla/5.0 test {n}",
            counted=n % 3 == 0,
            not_counted="" if n % 3 == 0 else NotCounted.SCANNER,
        )
        for n in range(count)
    )


def _summaries(project: links.Project) -> list[str]:
    return [entry.summary for entry in project_timeline(project)]


def test_sending_reissuing_revoking_and_each_request_are_on_the_timeline(
    media_storage: object, sizing_table: None, alice: User, maria: User
) -> None:
    proposal = approved_project_with_proposal(alice, maria)
    issued = links.create_link(
        proposal, alice, recipient_name="Giulia", recipient_email="g@c.example", language="it"
    )
    _events(issued.link, 1)
    links.reissue(links.find_link_by_pk(issued.link.pk), alice)  # type: ignore[arg-type]
    entries = project_timeline(proposal.project)
    summaries = [entry.summary for entry in entries]
    recipient = "Giulia <g@c.example>"
    assert f"Link to proposal version 1 sent to {recipient}" in summaries
    assert f"Link to proposal version 1 re-issued to {recipient}" in summaries
    assert f"Link to {recipient} revoked" in summaries
    assert "Sent to the customer" in summaries
    request = next(e for e in entries if e.summary.endswith(f"through the link to {recipient}"))
    shown = {change.label: change.new for change in request.items[0].changes}
    assert shown["Address"] == "203.0.113.0"
    assert shown["Browser"] == "Mozilla/5.0 test 0"
    assert shown["Counted"] == "Yes"


def test_the_timeline_reads_as_many_queries_for_one_event_as_for_many(
    media_storage: object, sizing_table: None, alice: User, maria: User
) -> None:
    proposal = approved_project_with_proposal(alice, maria)
    link = links.create_link(
        proposal, alice, recipient_name="Giulia", recipient_email="g@c.example", language="it"
    ).link
    _events(link, 1)
    with CaptureQueriesContext(connection) as few:
        assert len(_summaries(proposal.project)) >= 3
    _events(link, 60)
    with CaptureQueriesContext(connection) as many:
        assert len(_summaries(proposal.project)) >= 62
    assert len(many) == len(few)
