"""Freeze a project into the snapshot a proposal is rendered from.

The snapshot is plain JSON: everything the PDF prints comes from it (customer, answers,
sites, the sizing result in the proposal's language with its table version, the brand,
the prerequisites annex), so the same snapshot always gives the same text, whatever
happens later to the project, the brand, the prerequisites or the tables.

A proposal's snapshot also records whether it was made from an approved revision
(`approval_record`): any other proposal's PDF is marked "Draft – not approved" on every
page, so an unapproved offer cannot pass for a final one.
"""

from __future__ import annotations

import json
from typing import Any, Final

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from configurator.models import APPROVED_STATUSES, REQUIREMENT_FIELDS, Project
from configurator.project_sizing import size_project
from review.models import approval_of
from sizing.models import SizingTableVersion
from sizing.schema import json_number
from sizing.tables import SizingTable

from .models import Prerequisite, Proposal

SCHEMA_VERSION: Final = 1


class CannotPropose(Exception):
    """The project cannot be put into a proposal yet; the message says why (translated)."""


def _json_safe(data: Any) -> Any:
    """Decimals become JSON numbers, as in the sizing contract."""
    if isinstance(data, dict):
        return {key: _json_safe(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [_json_safe(value) for value in data]
    if hasattr(data, "as_tuple"):  # Decimal
        return json_number(data)
    return data


def table_snapshot(version: SizingTableVersion) -> dict[str, Any]:
    return frozen_table_snapshot(version.as_table())


def frozen_table_snapshot(table: SizingTable) -> dict[str, Any]:
    """A table as a snapshot keeps it (also for a snapshot sized again, reports.compare)."""
    return {
        "version": table.version,
        "effective_date": table.effective_date.isoformat(),
        "source": table.source,
        "tiers": [
            {
                "max_users": tier.max_users,
                "vcpu": tier.vcpu,
                "ram_gb": tier.ram_gb,
                "disk_gb": tier.disk_gb,
                "disk_type": tier.disk_type,
                "nic_gbit": tier.nic_gbit,
                "min_bandwidth_mbps": tier.min_bandwidth_mbps,
            }
            for tier in table.tiers
        ],
        "max_tvox_per_instance": table.max_tvox_per_instance,
        "kb_per_second_per_connection": table.kb_per_second_per_connection,
        "bytes_per_kb": table.bytes_per_kb,
        "mbps_per_connection": json_number(table.mbps_per_connection),
        "supported_hypervisors": list(table.supported_hypervisors),
        "default_concurrency": json_number(table.default_concurrency),
        "tier_devices": list(table.tier_devices),
        "os_name": table.os_name,
        "os_end_of_life": table.os_end_of_life.isoformat() if table.os_end_of_life else None,
    }


def build_snapshot(project: Project, language: str, author: Any | None) -> dict[str, Any]:
    """Everything the PDF of `project` in `language` needs, read now."""
    from django.utils.translation import gettext as _

    sites = list(project.sites.all())
    sizing = size_project(project, sites, language)
    if sizing is None:
        raise CannotPropose(_("Add at least one site before generating a proposal."))
    if sizing.table is None:
        raise CannotPropose(sizing.errors[0])
    if sizing.result is None:
        raise CannotPropose(
            _("The project's data cannot be sized: %(errors)s")
            % {"errors": "; ".join(sizing.errors)}
        )
    version = sizing.table
    customer = project.customer
    organization = project.organization
    owner = project.owner
    return {
        "schema": SCHEMA_VERSION,
        "language": language,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "organization": organization.brand_snapshot(),
        "customer": {
            "company_name": customer.company_name,
            "vat_number": customer.vat_number,
            "contact_name": customer.contact_name,
            "contact_email": customer.contact_email,
            "contact_phone": customer.contact_phone,
            "country": customer.country,
        },
        "project": {
            "id": project.pk,
            "title": project.title,
            "revision": project.revision,
            "tvox_systems": project.tvox_systems,
            "concurrency": json_number(project.concurrency),
            "hypervisor": project.hypervisor,
            "public_domain": project.public_domain,
            "requirements": {name: getattr(project, name) for name in REQUIREMENT_FIELDS},
            # Only when set: a snapshot from before the field compares equal without it.
            **(
                {"offer_valid_until": project.offer_valid_until.isoformat()}
                if project.offer_valid_until
                else {}
            ),
        },
        "prepared_by": {
            "name": (author or owner).get_full_name() or (author or owner).username,
            "email": (author or owner).email,
        },
        "sites": [
            {
                "name": site.name,
                "address": site.address,
                "connectivity": site.connectivity,
                **{name: getattr(site, name) for name in site.COUNT_FIELDS},
            }
            for site in sites
        ],
        "sizing_input": _json_safe(sizing.input),
        "table": table_snapshot(version),
        "result": sizing.result,
        "prerequisites": [row.as_snapshot() for row in Prerequisite.objects.all()],
    }


# The parts of a snapshot a reviewer approves: a proposal is approved only when these are
# the approved submission's (the sizing table by its version; the result follows from the
# inputs and the table). The brand and who prepared it are the organisation's presentation.
REVIEWED_PARTS: Final = ("customer", "project", "sites", "prerequisites")


def _as_stored(value: Any) -> Any:
    """`value` as a JSON field gives it back, to compare with a stored snapshot."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def approval_record(project: Project, snapshot: dict[str, Any]) -> dict[str, Any]:
    """Whether `snapshot` of `project`, as read now, is an approved offer, and by whom and
    when. Any change to an approved project sends it back to draft
    (`Project._claim_revision`), so an approved status means its current revision is the
    one approved: the latest `approve` transition of that revision names who approved it.
    What the reviewer saw is the submission of that revision: when the snapshot differs
    from it in a reviewed part or in the sizing table's version (a newer table took
    effect since), nobody approved these figures, and the offer is a draft. Without that
    record (an approval nobody recorded) it is a draft too: the mark stays rather than an
    approval line that names nobody."""
    if project.status not in APPROVED_STATUSES:  # approved, or sent since (still that revision)
        return {"approved": False}
    found = approval_of(project)
    if found is None:
        return {"approved": False}
    approval, submission = found
    if submission is not None and submission.snapshot is not None:
        seen = submission.snapshot
        now = _as_stored({part: snapshot.get(part) for part in REVIEWED_PARTS})
        if any(seen.get(part) != now[part] for part in REVIEWED_PARTS) or (
            seen.get("table", {}).get("version") != snapshot["table"]["version"]
        ):
            return {
                "approved": False,
                "approved_table_version": seen.get("table", {}).get("version"),
            }
    actor = approval.actor
    return {
        "approved": True,
        "revision": project.revision,
        "by": (actor.get_full_name() or actor.username) if actor else "",
        "at": timezone.localtime(approval.at).isoformat(timespec="seconds"),
    }


def create_proposal(project: Project, language: str, author: Any | None) -> Proposal:
    """A new proposal version of `project`, queued for rendering. The version number is
    taken under a row lock on the project, so two clicks give two distinct versions; the
    approval is read under the same lock, so a review transition or a change (each an
    UPDATE of that row) comes wholly before or after it."""
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        snapshot = build_snapshot(locked, language, author)
        snapshot["approval"] = approval_record(locked, snapshot)
        last = locked.proposals.order_by("-version").values_list("version", flat=True).first()
        return Proposal.objects.create(
            project=locked,
            version=(last or 0) + 1,
            language=language,
            snapshot=snapshot,
            project_revision=locked.revision,
            table_version=snapshot["table"]["version"],
            created_by=author,
        )
