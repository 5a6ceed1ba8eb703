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
