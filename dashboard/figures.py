"""The dashboard's figures for one user and one set of filters, in a fixed number of
queries whatever the number of projects: counts and sums are aggregates over the projects'
stored summaries (dashboard.summaries), the review queue one query with the time of each
project's latest submission as a subquery.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from configurator.models import Project, ProjectQuerySet, ProjectStatus, User
from review.models import Action, Transition
from sizing.labels import architecture_label
from sizing.models import SizingTableVersion
from sizing.results import ARCHITECTURES

from .summaries import refresh_stale

# The longest review queue the page lists (the count says how many more wait).
QUEUE_LIMIT = 100
NOT_SIZED = "not_sized"
NOTHING_FITS = "none"


@dataclass(frozen=True)
class Period:
    key: str
    start: dt.date | None  # inclusive
    end: dt.date | None  # inclusive

    def filter(self, projects: ProjectQuerySet) -> ProjectQuerySet:
        """The projects last changed in the period (the day of their latest revision)."""
        tz = timezone.get_current_timezone()
        if self.start:
            projects = projects.filter(
                updated_at__gte=dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
            )
        if self.end:
            after = self.end + dt.timedelta(days=1)
            projects = projects.filter(
                updated_at__lt=dt.datetime.combine(after, dt.time.min, tzinfo=tz)
            )
        return projects


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_of(
    key: str, start: dt.date | None = None, end: dt.date | None = None, today: dt.date | None = None
) -> Period:
    """The days a period key names (this quarter by default); "dates" takes `start`-`end`."""
    today = today or timezone.localdate()
    this_quarter = _quarter_start(today)
    if key == "all":
        return Period("all", None, None)
    if key == "year":
        return Period("year", dt.date(today.year, 1, 1), today)
    if key == "previous_quarter":
        last_day = this_quarter - dt.timedelta(days=1)
        return Period("previous_quarter", _quarter_start(last_day), last_day)
    if key == "dates" and (start or end):
        return Period("dates", start, end)
    return Period("quarter", this_quarter, today)


@dataclass(frozen=True)
class Tally:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class QueueEntry:
    project: Project
    submitted_at: dt.datetime
    age: dt.timedelta

    @property
    def age_text(self) -> str:
        days, hours = self.age.days, self.age.seconds // 3600
        if days:
            return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
        return _("%(hours)s h") % {"hours": hours}

    @property
    def age_iso(self) -> str:
        """The age as an ISO 8601 duration, for <time datetime>."""
        days, hours = self.age.days, self.age.seconds // 3600
        return f"P{days}DT{hours}H"


@dataclass(frozen=True)
class Totals:
    projects: int = 0
    sized: int = 0
    users: int = 0
    mcs_devices: int = 0
    mcs_instances: int = 0
    bandwidth_mbps: Decimal = Decimal(0)


@dataclass(frozen=True)
class Dashboard:
    period: Period
    owner: User | None
    by_status: list[Tally] = field(default_factory=list)
    by_architecture: list[Tally] = field(default_factory=list)
    by_owner: list[Tally] = field(default_factory=list)
    # Each owner's name and what their projects of the period add up to.
    sized_by_owner: list[tuple[str, Totals]] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    queue: list[QueueEntry] = field(default_factory=list)
    queue_count: int = 0


def architecture_name(key: str) -> str:
    """The recommendation's name as the pages write it: an architecture, or why none."""
    if key in ARCHITECTURES:
        return architecture_label(key)
    if key == NOTHING_FITS:
        return _("No architecture fits")
    return _("Not sized")


def latest_submission() -> Subquery:
    return Subquery(
        Transition.objects.filter(project=OuterRef("pk"), action=Action.SUBMIT)
        .order_by("-at", "-pk")
        .values("at")[:1]
    )


def review_queue(projects: ProjectQuerySet, now: dt.datetime) -> tuple[list[QueueEntry], int]:
    """The projects in review, the longest waiting first, with the time since their latest
    submission (a project with none waits since its latest change)."""
    waiting = (
        projects.filter(status=ProjectStatus.IN_REVIEW)
        .annotate(submitted_at=Coalesce(latest_submission(), F("updated_at")))
        .select_related("customer", "owner")
        .order_by("submitted_at", "pk")
    )
    # Always counted apart, so that the queries are the same however long the queue.
    rows, count = list(waiting[:QUEUE_LIMIT]), waiting.order_by().count()
    entries = []
    for project in rows:
        submitted: dt.datetime = project.submitted_at  # type: ignore[attr-defined]
        entries.append(QueueEntry(project, submitted, max(now - submitted, dt.timedelta())))
    return entries, count


def _sums() -> dict[str, Any]:
    """The aggregates of `Totals`, in its order."""
    return {
        "n_projects": Count("pk"),
        "n_sized": Count("pk", filter=Q(summary__sized=True)),
        "n_users": Sum("summary__users"),
        "n_devices": Sum("summary__mcs_devices"),
        "n_instances": Sum("summary__mcs_instances"),
        "n_bandwidth": Sum("summary__bandwidth_mbps"),
    }


def _totals(values: Iterable[Any]) -> Totals:
    projects, sized, users, devices, instances, bandwidth = values
    return Totals(
        projects=projects,
        sized=sized,
        users=users or 0,
        mcs_devices=devices or 0,
        mcs_instances=instances or 0,
        bandwidth_mbps=Decimal(bandwidth or 0),
    )


def build(
    user: User, period: Period, owner: User | None, now: dt.datetime | None = None
) -> Dashboard:
    """The figures of `user`'s organisation's projects changed in `period` (of `owner`
    only, if given), and the review queue (of `owner`, whatever the period: a project
    submitted last quarter is waiting still)."""
    now = now or timezone.now()
    mine = Project.objects.visible_to(user)
    if owner is not None:
        mine = mine.filter(owner=owner)
    version = SizingTableVersion.objects.in_effect()
    # The figures read the stored summaries: size first what changed since they were made.
    refresh_stale(mine, version)
    projects = period.filter(mine).order_by()

    statuses = dict(projects.values_list("status").annotate(n=Count("pk")))
    by_status = [
        Tally(key, str(label), statuses.get(key, 0)) for key, label in ProjectStatus.choices
    ]

    architectures: dict[str, int] = {}
    for sized, key, n in projects.values_list("summary__sized", "summary__architecture").annotate(
        n=Count("pk")
    ):
        name = (key or NOTHING_FITS) if sized else NOT_SIZED
        architectures[name] = architectures.get(name, 0) + n
    by_architecture = [
        Tally(key, architecture_name(key), architectures.get(key, 0))
        for key in (*ARCHITECTURES, NOTHING_FITS, NOT_SIZED)
    ]

    owners = sorted(
        (
            (f"{first} {last}".strip() or username, pk, _totals(sums))
            for pk, first, last, username, *sums in projects.values_list(
                "owner_id", "owner__first_name", "owner__last_name", "owner__username"
            ).annotate(**_sums())
        ),
        key=lambda row: (-row[2].projects, row[0].casefold()),
    )
    by_owner = [Tally(str(pk), label, totals.projects) for label, pk, totals in owners]
    sized_by_owner = [(label, totals) for label, _pk, totals in owners]

    totals = _totals(projects.aggregate(**_sums()).values())
    queue, queue_count = review_queue(mine, now)
    return Dashboard(
        period=period,
        owner=owner,
        by_status=by_status,
        by_architecture=by_architecture,
        by_owner=by_owner,
        sized_by_owner=sized_by_owner,
        totals=totals,
        queue=queue,
        queue_count=queue_count,
    )
