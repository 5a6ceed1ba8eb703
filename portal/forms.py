"""The customer's forms on the offer page: accept (who signs, agreeing to the offer shown)
and decline (an optional reason). They only validate; portal.links records the decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from configurator.validators import multi_line_text, single_line_text

from .models import NAME_MAX_LENGTH, REASON_MAX_LENGTH

SHA256_HEX_LENGTH = 64


class _ShownOffer(forms.Form):
    """The SHA-256 of the PDF the page showed: the decision is about that very file."""

    shown_sha256 = forms.CharField(
        max_length=SHA256_HEX_LENGTH, widget=forms.HiddenInput, required=False
    )


class AcceptForm(_ShownOffer):
    full_name = forms.CharField(
        label=_("Full name"), max_length=NAME_MAX_LENGTH, validators=[single_line_text]
    )
    role = forms.CharField(
        label=_("Role"), max_length=NAME_MAX_LENGTH, validators=[single_line_text]
    )
    company = forms.CharField(
        label=_("Company"), max_length=NAME_MAX_LENGTH, validators=[single_line_text]
    )
    agree = forms.BooleanField(
        label=_("I accept this offer, as in the PDF above, on behalf of the company named."),
        error_messages={"required": _("Tick the box to accept the offer.")},
    )


class DeclineForm(_ShownOffer):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        validators=[multi_line_text],
        widget=forms.Textarea(attrs={"rows": 4}),
    )
