"""Forms only validate and return typed values; views assign and save."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import MaxLengthValidator
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from sizing.schema import is_domain_name

from .branding import MAX_BYTES, MAX_SIDE, validate_logo
from .models import (
    REQUIREMENT_FIELDS,
    Customer,
    Organization,
    Project,
    ProjectQuerySet,
    ProjectStatus,
    Site,
    User,
)
from .validators import single_line_text

_VAT_SEPARATORS = re.compile(r"[\s.\-/]")


def italian_vat_is_valid(digits: str) -> bool:
    """Check an Italian partita IVA: 11 digits whose last is the Luhn-style check digit."""
    if not re.fullmatch(r"\d{11}", digits):
        return False
    total = 0
    for index, char in enumerate(digits[:10]):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            value -= 9 if value > 9 else 0
        total += value
    return (10 - total % 10) % 10 == int(digits[10])


def normalize_vat(raw: str, country: str) -> str:
    """Strip separators (and the IT prefix of an Italian number); raise ValidationError
    when the number cannot be valid."""
    value = _VAT_SEPARATORS.sub("", raw).upper()
    if not value:
        return ""
    if country == "IT":
        value = value.removeprefix("IT")
        if not italian_vat_is_valid(value):
            raise forms.ValidationError(
                _("An Italian VAT number has 11 digits with a valid check digit.")
            )
    elif not re.fullmatch(r"[0-9A-Z]{2,14}", value):
        raise forms.ValidationError(
            _("A VAT number has 2 to 14 letters and digits (separators are ignored).")
        )
    return value


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the username's length checked on the server. Django sets
    only the widget's maxlength, so a longer name was authenticated and django-axes wrote
    it into a 255-character column: a database error on PostgreSQL instead of a refusal."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = self.fields["username"].max_length
        self.fields["username"].validators.append(MaxLengthValidator(limit))


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = [
            "company_name",
            "vat_number",
            "country",
            "preferred_language",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        help_texts = {
            "vat_number": _("Italian numbers are checked with their check digit."),
            "preferred_language": _(
                "The language chosen for you when you generate a proposal (you can pick another)."
            ),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        raw_vat = cleaned.get("vat_number", "")
        if "vat_number" in cleaned:
            try:
                cleaned["vat_number"] = normalize_vat(raw_vat, cleaned.get("country", ""))
            except forms.ValidationError as error:
                self.add_error("vat_number", error)
                return cleaned
        vat = cleaned.get("vat_number")
        if vat:
            clash = Customer.objects.filter(
                organization_id=self.instance.organization_id, vat_number=vat
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("vat_number", _("A customer with this VAT number already exists."))
        return cleaned


# The largest value of an integer column (ids, revisions) on every database Django supports.
MAX_INTEGER = 2_147_483_647


def id_or_none(raw: str | None) -> int | None:
    """An object's id from a query string (`?customer=3`), or None when it is not one:
    letters, "²" (a digit to str.isdigit, not to int), too many digits."""
    try:
        return forms.IntegerField(min_value=1, max_value=MAX_INTEGER).clean(raw)
    except forms.ValidationError:
        return None


class RevisionField(forms.IntegerField):
    """The project revision a form was read at, posted back hidden. A missing, empty or
    malformed one is 0, a revision no project has: the save it guards is refused as a
    conflict (the page with the saved values and the fresh revision), never made unchecked,
    and the form does not show an error on a field nobody can see."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, min_value=1, max_value=MAX_INTEGER, **kwargs)

    def clean(self, value: Any) -> int:
        try:
            return super().clean(value) or 0
        except forms.ValidationError:
            return 0


class ProjectForm(forms.ModelForm):
    """Create or edit a project. `revision` carries the revision the form was read at,
    so a save over somebody else's newer save is refused instead of overwriting it (a new
    project has none: creating it overwrites nothing)."""

    revision = RevisionField()

    class Meta:
        model = Project
        fields = ["customer", "title", "status", "description", "offer_valid_until"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "offer_valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customer_field = self.fields["customer"]
        assert isinstance(customer_field, forms.ModelChoiceField)  # nosec B101 # narrows for mypy
        customer_field.queryset = Customer.objects.visible_to(user)
        # The status changes by the review's transitions only (review/workflow.py): a new
        # project is a draft, and a save keeps the status (Project._claim_revision), so the
        # form offers nothing else.
        status_field = self.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)  # nosec B101 # narrows for mypy
        keep = self.instance.status if self.instance.pk else ProjectStatus.DRAFT
        status_field.choices = [
            (value, label) for value, label in ProjectStatus.choices if value == keep
        ]
        if self.instance.pk:
            self.fields["revision"].initial = self.instance.revision


class CustomerListForm(forms.Form):
    """The customer list's search. An invalid one falls back to none."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=100, validators=[single_line_text]
    )


class ProjectListForm(forms.Form):
    """The project list's search, filters and order. Invalid values fall back to none."""

    SORTS = {
        "updated": "updated_at",
        "-updated": "-updated_at",
        "title": "title",
        "-title": "-title",
        "customer": "customer__company_name",
        "-customer": "-customer__company_name",
        "status": "status",
        "-status": "-status",
        "owner": "owner__username",
        "-owner": "-owner__username",
    }

    q = forms.CharField(
        label=_("Search"), required=False, max_length=100, validators=[single_line_text]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *ProjectStatus.choices],
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), required=False, queryset=User.objects.none(), empty_label=_("Everyone")
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=[(key, key) for key in SORTS])

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.ModelChoiceField)  # nosec B101 # narrows for mypy
        owner_field.queryset = User.objects.filter(organization_id=user.organization_id)

    def order_by(self) -> str:
        sort = self.cleaned_data.get("sort") or "-updated"
        return self.SORTS[sort]

    def listed(self, projects: ProjectQuerySet) -> ProjectQuerySet:
        """`projects` searched, filtered and ordered as the list shows them (all pages):
        the list page and its exports (dashboard.exports) ask here."""
        if not self.is_valid():
            return projects.order_by("-updated_at", "-pk")
        data = self.cleaned_data
        projects = projects.search(data["q"])
        if data["status"]:
            projects = projects.filter(status=data["status"])
        if data["owner"]:
            projects = projects.filter(owner=data["owner"])
        return projects.order_by(self.order_by(), "-pk")


HYPERVISOR_CHOICES = [
    ("", _("Not chosen yet")),
    ("vmware", _("VMware ESXi / vSphere")),
    ("xen", _("Citrix XenCenter (hardware-assisted, HVM)")),
    ("virtualbox", _("Oracle VM VirtualBox")),
    ("bare_metal", _("Physical server (no virtualisation)")),
    ("hyper-v", _("Microsoft Hyper-V (not supported, R8)")),
    ("kvm", _("KVM / Proxmox (not supported, R8)")),
    ("nutanix", _("Nutanix AHV (not supported, R8)")),
]


class QuestionnaireForm(forms.ModelForm):
    """The architecture questionnaire (Q1, Q2 and the requirements behind R1-R5) and the
    project-level sizing inputs. `revision` guards against overwriting a newer save."""

    revision = RevisionField()
    hypervisor = forms.ChoiceField(
        label=_("Hypervisor for MCS"),
        choices=HYPERVISOR_CHOICES,
        required=False,
        help_text=_("Where MCS would run (R8): only VMware, Xen in HVM mode and VirtualBox."),
    )

    class Meta:
        model = Project
        fields = [
            *REQUIREMENT_FIELDS,
            "tvox_systems",
            "concurrency",
            "hypervisor",
            "public_domain",
        ]
        labels = {
            "full_cloud": _("Does the customer want to be fully in the cloud? (Q1)"),
            "keep_tvox_private": _("Must TVox stay in the customer's private infrastructure? (Q1)"),
            "reuse_local_lines_and_phones": _(
                "Keep the phone lines terminated at the company and reuse the SIP phones? (Q2)"
            ),
            "redundancy": _("Is a single point of failure unacceptable? (R3)"),
            "no_public_pbx_exposure": _("Must the PBX stay hidden from the internet? (R4)"),
            "dhcp_provisioning": _("Must the phones be provisioned by DHCP? (R5)"),
            "tvox_systems": _("TVox systems connected to MCS"),
            "concurrency": _("Share of devices connected at the same time"),
            "public_domain": _("Public domain name for MCS"),
        }
        help_texts = {
            "full_cloud": _("Nothing of TVox in the customer's data centre."),
            "keep_tvox_private": _(
                "TVox runs in the customer's infrastructure; only some services are opened "
                "to the internet."
            ),
            "reuse_local_lines_and_phones": _(
                "The customer keeps its operator's lines at its sites and the SIP phones it owns."
            ),
            "redundancy": _("Two TVox instances (Master and Slave) are required."),
            "no_public_pbx_exposure": _(
                "Security policy: the PBX must not answer from the internet."
            ),
            "dhcp_provisioning": _("Phones get their configuration from the local DHCP server."),
            "tvox_systems": _("Each TVox needs its own OpenVPN tunnel to MCS (R12, S4)."),
            "concurrency": _(
                "From 0.001 to 1. 1 means every device at once, the safe default (R11, S3)."
            ),
            "public_domain": _(
                "MCS needs a public name that resolves to it (R7), e.g. mcs.example.com."
            ),
        }

    def clean_public_domain(self) -> str:
        domain: str = self.cleaned_data["public_domain"].strip().lower().rstrip(".")
        if domain and not is_domain_name(domain):  # the sizing contract's own rule (R7)
            raise forms.ValidationError(
                _("Enter a fully qualified domain name, such as mcs.example.com.")
            )
        return domain


class CountInput(forms.NumberInput):
    """A count typed by hand: none is shown as the placeholder "0", not as a value, so
    clicking into the field and typing 450 gives 450, not 4500."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"min": 0, "inputmode": "numeric", "placeholder": "0", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        return None if value in (0, "0") else super().format_value(value)


class CountField(forms.IntegerField):
    """A site's count on the form: left empty, it is 0."""

    widget = CountInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{**kwargs, "required": False})

    def clean(self, value: Any) -> int:
        number = super().clean(value)  # None when empty and not required
        return 0 if number is None else int(number)


class SiteForm(forms.ModelForm):
    """One site of the inventory. `revision` is the project's revision the form was read
    at: a change over a newer save of the project is refused, never silently merged."""

    revision = RevisionField()

    class Meta:
        model = Site
        fields = ["name", "address", "connectivity", *Site.COUNT_FIELDS]
        field_classes = dict.fromkeys(Site.COUNT_FIELDS, CountField)
        labels = {
            "smart_working_webclient": _("Webclient in Smart Working"),
            "smart_working_team": _("TVoxTeam Smartworking"),
        }
        help_texts = {
            "connectivity": _(
                "How the site reaches TVox: SIP phones need a direct link under MCS (R2)."
            ),
        }


class SiteRowForm(SiteForm):
    """One row of an imported spreadsheet: the messages of manual entry, but every count
    cell must be filled, as the template asks (an empty cell is more likely a slip than a
    zero, and the preview says which)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in Site.COUNT_FIELDS:
            self.fields[name].required = True


class OrganizationBrandingForm(forms.ModelForm):
    """The organisation's branding for its proposals. The logo is checked by its content
    (`configurator.branding`) and stored under its content address on save."""

    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/svg+xml"}),
        # Lazy to the end: `lazy % values` would translate once, at import, in English.
        help_text=lazy(
            lambda: (
                _(
                    "PNG or SVG, at most %(size)d KB and %(side)d × %(side)d pixels. An SVG may "
                    "not contain scripts or links to other files."
                )
                % {"size": MAX_BYTES // 1024, "side": MAX_SIDE}
            ),
            str,
        )(),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    # The branding revision the page was read at: a save over a newer one is refused.
    revision = RevisionField()

    class Meta:
        model = Organization
        fields = [
            "primary_color",
            "accent_color",
            "legal_name",
            "vat_number",
            "address",
            "phone",
            "email",
            "website",
            "legal_footer",
        ]
        widgets = {
            "primary_color": forms.TextInput(attrs={"type": "color"}),
            "accent_color": forms.TextInput(attrs={"type": "color"}),
            "legal_footer": forms.Textarea(attrs={"rows": 3, "maxlength": 600}),
        }
        help_texts = {
            "primary_color": _("Headings and bands of the proposal, as #RRGGBB."),
            "accent_color": _("Highlights of the proposal, as #RRGGBB."),
            "legal_name": _("As registered; the organisation's name is used when empty."),
            "legal_footer": _("Printed at the foot of every page of the proposals."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checked_logo: tuple[str, str, bytes] | None = None

    def clean_logo(self) -> UploadedFile | None:
        uploaded = self.cleaned_data.get("logo")
        if not isinstance(uploaded, UploadedFile):
            return None
        self.checked_logo = validate_logo(uploaded)
        return uploaded

    def clean_primary_color(self) -> str:
        return str(self.cleaned_data["primary_color"]).upper()

    def clean_accent_color(self) -> str:
        return str(self.cleaned_data["accent_color"]).upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.checked_logo and cleaned.get("remove_logo"):
            self.add_error(
                "remove_logo", _("Either upload a new logo or remove the logo, not both.")
            )
        return cleaned

    def save(self, commit: bool = True) -> Organization:
        organization: Organization = self.instance
        if self.checked_logo:
            organization.set_logo(*self.checked_logo)
        elif self.cleaned_data.get("remove_logo"):
            organization.clear_logo()
        return super().save(commit)  # type: ignore[no-any-return]


# --- The site inventory's spreadsheet import (configurator/inventory_views.py) ---------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("CSV (comma or semicolon separated) or XLSX, up to 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )


class ConfirmForm(forms.Form):
    MODES = [
        ("append", _("Append to the inventory")),
        ("replace", _("Replace the inventory")),
    ]
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    mode = forms.ChoiceField(
        label=_("What to do with the current sites"),
        choices=MODES,
        initial="append",
        widget=forms.RadioSelect,
    )
