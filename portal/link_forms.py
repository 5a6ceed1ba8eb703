"""The organisation's forms of customer links: they validate and return typed values; the
rules (what may be sent, how long a link lasts) are portal.links'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from configurator.forms import RevisionField
from configurator.models import Language, Project
from configurator.validators import multi_line_text, single_line_text
from reports.models import Proposal

from . import links
from .models import NAME_MAX_LENGTH, REASON_MAX_LENGTH


def proposal_label(proposal: Proposal) -> str:
    """ "version 3 · Italian · 1 December 2026", as the panel's choice shows it."""
    return _("version %(version)s · %(language)s · %(date)s") % {
        "version": proposal.version,
        "language": proposal.get_language_display(),
        "date": date_format(proposal.created_at, "DATE_FORMAT"),
    }


class ProposalChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Proposal) -> str:
        return proposal_label(obj)


class LinkForm(forms.Form):
    """A new link: the proposal among those the project may send now, the recipient, the
    language of the page and the mail, and how many days it lasts."""

    proposal = ProposalChoiceField(queryset=Proposal.objects.none(), label=_("Proposal"))
    recipient_name = forms.CharField(
        label=_("Recipient's name"), max_length=NAME_MAX_LENGTH, validators=[single_line_text]
    )
    recipient_email = forms.EmailField(label=_("Recipient's e-mail"))
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    days = forms.IntegerField(label=_("Days the link lasts"), min_value=1)

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sendable = links.sendable_proposals(project)
        # The choices are exactly the sendable proposals: a superseded one, or another
        # project's, is "not one of the available choices".
        proposal_field: ProposalChoiceField = self.fields["proposal"]  # type: ignore[assignment]
        proposal_field.queryset = Proposal.objects.filter(pk__in=[p.pk for p in sendable]).defer(
            "snapshot"
        )
        if sendable and not self.is_bound:
            self.initial.setdefault("proposal", sendable[0].pk)
        days: forms.IntegerField = self.fields["days"]  # type: ignore[assignment]
        # The maximum is read now, not at import: settings may change it (tests do).
        days.max_value = links.max_days()
        days.validators.append(MaxValueValidator(links.max_days()))
        days.widget.attrs["max"] = str(links.max_days())
        if project.offer_valid_until is not None:
            days.help_text = _(
                "From 1 to %(max)d days; never past the offer's validity (%(date)s)."
            ) % {"max": links.max_days(), "date": date_format(project.offer_valid_until)}
        else:
            days.help_text = _(
                "From 1 to %(max)d days; never past the offer's validity when it is set."
            ) % {"max": links.max_days()}


def initial_for(project: Project) -> dict[str, Any]:
    return {
        "language": project.customer.preferred_language,
        "days": int(settings.CUSTOMER_LINK_DAYS),
    }


class ReopenForm(forms.Form):
    revision = RevisionField()
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        validators=[multi_line_text],
    )
