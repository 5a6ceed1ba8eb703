"""The dashboard's filters: a period and an owner. Invalid values fall back to none, as
the project list's do (configurator.forms.ProjectListForm)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from configurator.models import User

PERIODS = [
    ("quarter", _("This quarter")),
    ("previous_quarter", _("Previous quarter")),
    ("year", _("This year")),
    ("all", _("All time")),
    ("dates", _("Between two dates")),
]


class DashboardForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False, choices=PERIODS)
    start = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), required=False, queryset=User.objects.none(), empty_label=_("Everyone")
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)  # nosec B101 # narrows for mypy
        owner_field.queryset = User.objects.filter(organization_id=user.organization_id)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end date is before the start date."))
        return data
