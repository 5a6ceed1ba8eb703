from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from configurator.models import Language


class GenerateProposalForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the proposal"),
        choices=Language.choices,
        widget=forms.RadioSelect,
        help_text=_("The customer's preferred language is chosen for you."),
    )


class CompareForm(forms.Form):
    """The two versions to compare: proposal ids of the project, or "draft" (its current
    state). Rendered for the choice only: the view resolves the values itself, so an id of
    another project is a 404, not a form error."""

    a = forms.ChoiceField(label=_("Compare"))
    b = forms.ChoiceField(label=_("with"))
    only = forms.BooleanField(label=_("Only the differences"), required=False)

    def __init__(self, *args: Any, versions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["a"].choices = versions  # type: ignore[attr-defined]
        self.fields["b"].choices = versions  # type: ignore[attr-defined]
