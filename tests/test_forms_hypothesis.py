"""Hostile input to every form of the application, through the test client.

Every form a person can post (customers, projects, the questionnaire and its preview, sites
and their preview, duplicate and delete, the spreadsheet import and its confirmation,
branding, proposal generation, the project and customer searches, sign-in, password
change and reset, the language switch) gets arbitrary text (control characters, huge
strings, any script), numbers of any size, missing, extra, repeated and wrongly typed
fields. Whatever arrives: no answer is a server error; an answer that refuses changes no
row of the database; an answer that accepts stores what the person typed, for the person's
own organisation, and nothing an extra field asked for.

Each example runs in a transaction of its own (`hypothesis.extra.django.TestCase`), so the
examples see the same data and none sees another's writes. The Django admin's forms are
Django's own; tests/test_control_characters.py checks the model validation they use.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from tempfile import mkdtemp
from typing import Any
from urllib.parse import urlparse

from django import forms
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from configurator.forms import RevisionField
from configurator.inventory_io import COLUMNS, SESSION_KEY
from configurator.models import Customer, Organization, Project, Role, Site, User
from reports.models import Proposal

from .factories import PASSWORD, make_customer, make_project, make_user, png

# Text a browser can send (no lone surrogates: UTF-8 cannot carry them).
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
NASTY = [
    "",
    " ",
    "\x00",
    "\x1b[2J",
    "\u202eevil",
    "\ufeff",
    "-1",
    "0",
    "1",
    "01",
    "1e309",
    "NaN",
    "Infinity",
    "0.0001",
    "1.5",
    "9" * 40,
    "9" * 5000,
    "²",
    "١٢",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "=cmd|' /C calc'!A0",
    "#GGGGGG",
    "javascript:alert(1)",
    "http://evil.example/",
    "//evil.example",
    "mcs.example.com",
    "it",
    "en",
    "lan",
    "approved",
    "replace",
]
HUGE = st.builds(
    lambda chunk, n: chunk * n,
    st.sampled_from(["x", "é", "😀", "\u202e", "9"]),
    st.integers(1_000, 20_000),
)
TEXT = st.one_of(
    ANY_TEXT,
    st.sampled_from(NASTY),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    HUGE,
)
# A field's value: one text, or the same field repeated.
VALUE = st.one_of(TEXT, st.lists(TEXT, min_size=2, max_size=3))
# Fields a form does not have, some of them fields of the model that nobody may set.
EXTRA_NAMES = st.one_of(
    st.sampled_from(
        [
            "owner",
            "organization",
            "organization_id",
            "created_by",
            "id",
            "pk",
            "role",
            "is_staff",
            "is_superuser",
            "revision",
            "position",
            "project",
            "logo_sha256",
            "status",
            "csrfmiddlewaretoken",
        ]
    ),
    st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=12),
)
FILE_CONTENT = st.one_of(
    st.binary(max_size=300),
    st.sampled_from([png(2, 2), b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"PK\x03\x04"]),
    st.lists(ANY_TEXT, max_size=5).map(lambda cells: ",".join(cells).encode()),
)

SETTINGS = settings(
    # 25 in CI; FORMS_HYPOTHESIS_EXAMPLES=500 for a long hunt on a quiet machine.
    max_examples=int(os.environ.get("FORMS_HYPOTHESIS_EXAMPLES", "25")),
    deadline=None,
    # The examples reuse the class's data (each in its own rolled-back transaction);
    # huge strings are meant, and a page is slower to answer than Hypothesis expects.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def hostile(draw: st.DrawFn, valid: dict[str, Any]) -> dict[str, Any]:
    """The valid data with some fields dropped, replaced, repeated or given a file, and
    extra fields added. Often only a few fields are spoiled, so some inputs are accepted."""
    names = sorted(valid)
    spoiled = draw(st.sets(st.sampled_from(names), max_size=len(names))) if names else set()
    data: dict[str, Any] = {}
    for name in names:
        if name not in spoiled:
            data[name] = valid[name]
            continue
        how = draw(st.sampled_from(["drop", "replace", "replace", "file"]))
        if how == "replace":
            data[name] = draw(VALUE)
        elif how == "file":
            data[name] = SimpleUploadedFile("x.txt", draw(st.binary(max_size=20)))
    for name in draw(st.lists(EXTRA_NAMES, max_size=3)):
        data.setdefault(name, draw(VALUE))
    return data


def last(data: dict[str, Any], name: str) -> Any:
    """What a form reads for `name`: the last of repeated values; a missing field is
    empty, as a browser sends an empty text box."""
    value = data.get(name, "")
    value = value[-1] if isinstance(value, list) else value
    return "" if isinstance(value, SimpleUploadedFile) else value  # a file is not text


def number(text: str) -> int:
    """A whole number as a person types it in a number box: "7", " 7 ", "7.0", "7."."""
    return int(forms.IntegerField().clean(text))


def count(text: str) -> int:
    """A site's count as typed: an empty box is 0, the placeholder it shows."""
    return int(forms.IntegerField(required=False).clean(text) or 0)


def _state() -> dict[str, list[dict[str, Any]]]:
    """Every row of the application's models and of the users. Not the sessions and not
    django-axes' record of failed sign-ins, which a refused sign-in writes by design."""
    models = [
        m
        for label in ("configurator", "reports", "sizing")
        for m in apps.get_app_config(label).get_models()
    ]
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


MEDIA = Path(mkdtemp(prefix="forms-hypothesis-media-"))
STATIC = Path(mkdtemp(prefix="forms-hypothesis-static-"))


def teardown_module() -> None:
    shutil.rmtree(MEDIA, ignore_errors=True)
    shutil.rmtree(STATIC, ignore_errors=True)


@override_settings(
    # Every example has a new test client, whose WhiteNoise scans the static root: an
    # empty one keeps that instant (and away from a collectstatic running beside).
    STATIC_ROOT=STATIC,
    MEDIA_ROOT=MEDIA,
    STORAGES={
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"allow_overwrite": True, "location": str(MEDIA)},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)
class HostileFormsTests(TestCase):
    org: Organization
    alice: User
    adam: User
    customer: Customer
    project: Project
    site: Site

    @classmethod
    def setUpTestData(cls) -> None:
        cls.org = Organization.objects.create(name="Partner One S.r.l.")
        other = Organization.objects.create(name="Partner Two S.r.l.")
        cls.alice = make_user(cls.org, "alice")
        cls.adam = make_user(cls.org, "adam", Role.ADMINISTRATOR)
        charlie = make_user(other, "charlie")
        cls.customer = make_customer(cls.org, cls.alice, "Ospedale San Luca S.p.A.")
        make_customer(other, charlie, "Not yours S.r.l.")
        cls.project = make_project(cls.alice, cls.customer, "Three hospitals")
        cls.site = Site.objects.create(
            project=cls.project, name="Milano", connectivity="lan", users=10, mobile_apps=5
        )

    def setUp(self) -> None:
        # The password reset's rate limit counts in the cache: fresh counters per example,
        # under a prefix of their own (clearing the cache would flush the whole Redis
        # database on the production shape, the broker's queues with it).
        limits = self.settings(RATELIMIT_CACHE_PREFIX=f"rl:{uuid.uuid4().hex}:")
        limits.enable()
        self.addCleanup(limits.disable)

    # --- the one property -----------------------------------------------------------------

    def submit(
        self,
        url: str,
        data: dict[str, Any],
        accepted: Callable[[Any], None],
        *,
        method: str = "post",
        writes: bool = True,
        user: User | None = None,
    ) -> Any:
        """Send the data; no server error; a refusal (anything but a redirect, for a form
        that writes) changes nothing; an acceptance is checked by `accepted`."""
        if user is not None:
            self.client.force_login(user)
        before = _state()
        send = self.client.post if method == "post" else self.client.get
        response = send(url, data)
        assert response.status_code < 500, response.status_code
        if writes and response.status_code == 302:
            accepted(response)
        else:
            assert _state() == before, "a refused input changed the database"
        return response

    def nothing_else_changed(self) -> None:
        assert User.objects.get(pk=self.alice.pk).role == Role.SALES_ENGINEER
        assert not User.objects.filter(is_superuser=True).exists()
        assert set(Customer.objects.values_list("organization__name", flat=True)) == {
            "Partner One S.r.l.",
            "Partner Two S.r.l.",
        }

    # --- customers ------------------------------------------------------------------------

    CUSTOMER = {
        "company_name": "Acme S.p.A.",
        "vat_number": "",
        "country": "IT",
        "preferred_language": "it",
        "contact_name": "Maria Rossi",
        "contact_email": "maria@example.com",
        "contact_phone": "+39 02 1234567",
    }

    @SETTINGS
    @given(data=hostile(CUSTOMER))
    def test_customer_create(self, data: dict[str, Any]) -> None:
        def accepted(response: Any) -> None:
            customer = Customer.objects.latest("pk")
            assert response["Location"] == customer.get_absolute_url()
            assert customer.company_name == last(data, "company_name").strip()
            assert (customer.organization, customer.created_by) == (self.org, self.alice)
            self.nothing_else_changed()

        self.submit(reverse("customer_create"), data, accepted, user=self.alice)

    @SETTINGS
    @given(data=hostile(CUSTOMER))
    def test_customer_edit(self, data: dict[str, Any]) -> None:
        def accepted(response: Any) -> None:
            customer = Customer.objects.get(pk=self.customer.pk)
            assert customer.company_name == last(data, "company_name").strip()
            assert customer.contact_name == last(data, "contact_name").strip()
            assert (customer.organization, customer.created_by) == (self.org, self.alice)
            self.nothing_else_changed()

        url = reverse("customer_edit", args=[self.customer.pk])
        self.submit(url, data, accepted, user=self.alice)

    @SETTINGS
    @given(data=hostile({"q": "Ospedale", "page": "1"}))
    @example(data={"q": "\x00"})  # PostgreSQL refuses NUL in a query's text
    def test_customer_search(self, data: dict[str, Any]) -> None:
        url = reverse("customer_list")
        self.submit(url, data, lambda r: None, method="get", writes=False, user=self.alice)

    # --- projects -------------------------------------------------------------------------

    def project_data(self) -> dict[str, Any]:
        return {
            "customer": str(self.customer.pk),
            "title": "New contact centre",
            "status": "draft",
            "description": "Two floors\nand a call centre",
            "revision": "1",
        }

    @SETTINGS
    @given(st.data())
    def test_project_create(self, draw: st.DataObject) -> None:
        data = draw.draw(hostile(self.project_data()))

        def accepted(response: Any) -> None:
            project = Project.objects.latest("pk")
            assert response["Location"] == project.get_absolute_url()
            assert project.title == last(data, "title").strip()
            assert (project.owner, project.organization, project.revision) == (
                self.alice,
                self.org,
                1,
            )
            assert project.customer == self.customer
            assert project.status != "approved"  # a sales engineer cannot approve
            self.nothing_else_changed()

        self.submit(reverse("project_create"), data, accepted, user=self.alice)

    @SETTINGS
    @given(data=hostile({"customer": "1"}))
    @example(data={"customer": "²"})  # a digit to str.isdigit, not to int()
    def test_project_create_preselection(self, data: dict[str, Any]) -> None:
        url = reverse("project_create")
        self.submit(url, data, lambda r: None, method="get", writes=False, user=self.alice)

    @SETTINGS
    @given(st.data())
    def test_project_edit(self, draw: st.DataObject) -> None:
        data = draw.draw(hostile(self.project_data()))

        def accepted(response: Any) -> None:
            project = Project.objects.get(pk=self.project.pk)
            assert (
                RevisionField().clean(last(data, "revision")) == 1
            )  # only the revision read saves
            assert project.title == last(data, "title").strip()
            assert (project.owner, project.organization, project.revision) == (
                self.alice,
                self.org,
                2,
            )
            self.nothing_else_changed()

        url = reverse("project_edit", args=[self.project.pk])
        self.submit(url, data, accepted, user=self.alice)

    @SETTINGS
    @given(
        data=hostile(
            {"q": "hospital", "status": "draft", "owner": "1", "sort": "-title", "page": "2"}
        )
    )
    def test_project_search(self, data: dict[str, Any]) -> None:
        url = reverse("project_list")
        self.submit(url, data, lambda r: None, method="get", writes=False, user=self.alice)

    ANSWERS = {
        "full_cloud": "on",
        "keep_tvox_private": "",
        "redundancy": "on",
        "tvox_systems": "3",
        "concurrency": "0.5",
        "hypervisor": "vmware",
        "public_domain": "MCS.Example.com.",
        "revision": "1",
    }

    @SETTINGS
    @given(data=hostile(ANSWERS))
    def test_questionnaire(self, data: dict[str, Any]) -> None:
        def accepted(response: Any) -> None:
            project = Project.objects.get(pk=self.project.pk)
            assert RevisionField().clean(last(data, "revision")) == 1
            assert project.revision == 2
            assert project.tvox_systems == number(last(data, "tvox_systems"))
            assert project.concurrency == forms.DecimalField().clean(last(data, "concurrency"))
            assert project.public_domain == last(data, "public_domain").strip().lower().rstrip(".")
            assert project.title == "Three hospitals"
            self.nothing_else_changed()

        url = reverse("project_questionnaire", args=[self.project.pk])
        self.submit(url, data, accepted, user=self.alice)

    @SETTINGS
    @given(data=hostile(ANSWERS))
    def test_questionnaire_preview(self, data: dict[str, Any]) -> None:
        url = reverse("project_preview", args=[self.project.pk])
        self.submit(url, data, lambda r: None, writes=False, user=self.alice)

    # --- sites ----------------------------------------------------------------------------

    def site_data(self, prefix: str) -> dict[str, Any]:
        fields = {"name": "Roma", "address": "Via del Corso 1", "connectivity": "vpn"}
        fields.update(dict.fromkeys(Site.COUNT_FIELDS, "2"))
        fields["revision"] = "1"
        return {f"{prefix}-{key}": value for key, value in fields.items()}

    def assert_site(self, site: Site, data: dict[str, Any], prefix: str) -> None:
        assert site.project_id == self.project.pk
        assert site.name == last(data, f"{prefix}-name").strip()
        for name in Site.COUNT_FIELDS:
            assert getattr(site, name) == count(last(data, f"{prefix}-{name}"))
        assert Project.objects.get(pk=self.project.pk).revision == 2

    @SETTINGS
    @given(st.data())
    def test_site_create(self, draw: st.DataObject) -> None:
        data = draw.draw(hostile(self.site_data("new")))

        def accepted(response: Any) -> None:
            self.assert_site(Site.objects.latest("pk"), data, "new")
            assert Site.objects.count() == 2

        url = reverse("site_create", args=[self.project.pk])
        self.submit(url, data, accepted, user=self.alice)

    @SETTINGS
    @given(st.data())
    def test_site_edit(self, draw: st.DataObject) -> None:
        prefix = f"site-{self.site.pk}"
        data = draw.draw(hostile(self.site_data(prefix)))

        def accepted(response: Any) -> None:
            self.assert_site(Site.objects.get(pk=self.site.pk), data, prefix)
            assert Site.objects.count() == 1

        url = reverse("site_edit", args=[self.project.pk, self.site.pk])
        self.submit(url, data, accepted, user=self.alice)

    @SETTINGS
    @given(data=hostile({"edit": "1"}))
    @example(data={"edit": "²"})
    def test_sites_page_row_to_edit(self, data: dict[str, Any]) -> None:
        url = reverse("project_sites", args=[self.project.pk])
        self.submit(url, data, lambda r: None, method="get", writes=False, user=self.alice)

    @SETTINGS
    @given(st.data())
    def test_sites_preview(self, draw: st.DataObject) -> None:
        data = draw.draw(hostile({**self.site_data("new"), "preview_site": "new"}))
        url = reverse("sites_preview", args=[self.project.pk])
        self.submit(url, data, lambda r: None, writes=False, user=self.alice)

    @SETTINGS
    @given(
        action=st.sampled_from(["site_duplicate", "site_delete"]), data=hostile({"revision": "1"})
    )
    def test_site_duplicate_and_delete(self, action: str, data: dict[str, Any]) -> None:
        def accepted(response: Any) -> None:
            assert RevisionField().clean(last(data, "revision")) == 1
            assert Site.objects.count() == (2 if action == "site_duplicate" else 0)
            assert Project.objects.get(pk=self.project.pk).revision == 2

        url = reverse(action, args=[self.project.pk, self.site.pk])
        self.submit(url, data, accepted, user=self.alice)

    # --- spreadsheet import ---------------------------------------------------------------

    @SETTINGS
    @given(
        name=st.sampled_from(["sites.csv", "sites.xlsx", "sites.txt", "sites", "x" * 300]),
        content=FILE_CONTENT,
        extra=hostile({}),
    )
    def test_sites_import_upload(self, name: str, content: bytes, extra: dict[str, Any]) -> None:
        header = ",".join(COLUMNS).encode() + b"\n"
        data = {**extra, "file": SimpleUploadedFile(name, header + content)}
        data.pop("token", None)
        url = reverse("sites_import", args=[self.project.pk])
        self.submit(url, data, lambda r: None, writes=False, user=self.alice)

    @SETTINGS
    @given(data=hostile({"token": "previewed", "mode": "append"}))
    @example(data={"token": "prévu", "mode": "append"})  # not ASCII: compare_digest refuses it
    def test_sites_import_confirm(self, data: dict[str, Any]) -> None:
        self.client.force_login(self.alice)
        row = dict(zip(COLUMNS, ["Torino", "", "vpn", 30, 10, 5, 0, 0, 0, 0], strict=True))
        session = self.client.session
        session[SESSION_KEY.format(pk=self.project.pk)] = {
            "token": "previewed",
            "revision": 1,
            "rows": [row],
        }
        session.save()

        def accepted(response: Any) -> None:
            assert last(data, "token").strip() == "previewed"
            names = list(Site.objects.order_by("position").values_list("name", flat=True))
            mode = last(data, "mode")
            assert names == (["Torino"] if mode == "replace" else ["Milano", "Torino"])

        self.submit(reverse("sites_import", args=[self.project.pk]), data, accepted)

    # --- branding -------------------------------------------------------------------------

    BRANDING = {
        "primary_color": "#112233",
        "accent_color": "#aabbcc",
        "legal_name": "Partner One S.r.l.",
        "vat_number": "01234567897",
        "address": "Via Roma 1, 20100 Milano",
        "phone": "+39 02 1234567",
        "email": "info@example.com",
        "website": "https://example.com",
        "legal_footer": "Capitale sociale € 10.000 i.v.",
        "remove_logo": "",
    }

    @SETTINGS
    @given(data=hostile(BRANDING), logo=st.one_of(st.none(), FILE_CONTENT))
    def test_branding(self, data: dict[str, Any], logo: bytes | None) -> None:
        if logo is not None:
            data["logo"] = SimpleUploadedFile("logo.png", logo)

        def accepted(response: Any) -> None:
            organization = Organization.objects.get(pk=self.org.pk)
            assert organization.name == "Partner One S.r.l."
            assert organization.legal_name == last(data, "legal_name").strip()
            assert organization.primary_color == last(data, "primary_color").upper()
            if logo is not None:
                assert organization.logo_sha256 == hashlib.sha256(logo).hexdigest()
            self.nothing_else_changed()

        self.submit(reverse("organization_branding"), data, accepted, user=self.adam)

    # --- proposals ------------------------------------------------------------------------

    @SETTINGS
    @given(data=hostile({"language": "en"}))
    def test_proposal_generation(self, data: dict[str, Any]) -> None:
        def accepted(response: Any) -> None:
            proposal = Proposal.objects.get()
            assert proposal.language == last(data, "language")
            assert proposal.project_id == self.project.pk

        url = reverse("project_proposals", args=[self.project.pk])
        # Accepted proposals are rendered in-process: few examples, they are slow.
        self.submit(url, data, accepted, user=self.alice)

    # --- accounts -------------------------------------------------------------------------

    @SETTINGS
    @given(data=hostile({"username": "alice", "password": PASSWORD, "next": "/customers/"}))
    @example(data={"username": "a" * 300, "password": "x"})  # longer than axes' column
    def test_sign_in(self, data: dict[str, Any]) -> None:
        def accepted(response: Any) -> None:
            # Signed in (which records the time of it), and never sent to another site.
            assert last(data, "password") == PASSWORD
            assert self.client.session["_auth_user_id"] == str(self.alice.pk)
            assert not urlparse(response["Location"]).netloc

        response = self.submit(reverse("login"), data, accepted)
        if response.status_code != 302:
            assert "_auth_user_id" not in self.client.session

    def test_a_username_longer_than_any_account_is_refused_before_signing_in(self) -> None:
        # Django's form sets only the widget's maxlength; authenticating the name made
        # django-axes record it in a 255-character column: a database error on PostgreSQL.
        from axes.models import AccessAttempt

        response = self.client.post(reverse("login"), {"username": "a" * 300, "password": "x"})

        assert response.status_code == 200
        assert "username" in response.context["form"].errors
        assert not AccessAttempt.objects.exists()

    @SETTINGS
    @given(
        data=hostile(
            {
                "old_password": PASSWORD,
                "new_password1": "a-new-long-passphrase-17",
                "new_password2": "a-new-long-passphrase-17",
            }
        )
    )
    def test_password_change(self, data: dict[str, Any]) -> None:
        def accepted(response: Any) -> None:
            alice = User.objects.get(pk=self.alice.pk)
            assert last(data, "old_password") == PASSWORD
            assert alice.check_password(last(data, "new_password1"))

        self.submit(reverse("password_change"), data, accepted, user=self.alice)

    @SETTINGS
    @given(data=hostile({"email": "alice@example.com"}))
    def test_password_reset(self, data: dict[str, Any]) -> None:
        from django.core import mail

        mail.outbox = []
        self.submit(reverse("password_reset"), data, lambda r: None, writes=False)
        for message in mail.outbox:  # only the account's owner gets a link
            assert message.to == ["alice@example.com"]

    @SETTINGS
    @given(
        data=hostile(
            {
                "new_password1": "a-new-long-passphrase-17",
                "new_password2": "a-new-long-passphrase-17",
            }
        )
    )
    def test_password_reset_confirm(self, data: dict[str, Any]) -> None:
        uid = urlsafe_base64_encode(force_bytes(self.alice.pk))
        token = default_token_generator.make_token(self.alice)
        link = self.client.get(reverse("password_reset_confirm", args=[uid, token]))
        assert link.status_code == 302  # to the form, the token now in the session

        def accepted(response: Any) -> None:
            alice = User.objects.get(pk=self.alice.pk)
            assert alice.check_password(last(data, "new_password1"))

        self.submit(link["Location"], data, accepted)

    @SETTINGS
    @given(data=hostile({"language": "it", "next": "/projects/"}))
    def test_language_switch(self, data: dict[str, Any]) -> None:
        response = self.submit(reverse("set_language"), data, lambda r: None, writes=False)
        if response.status_code == 302:
            assert not urlparse(response["Location"]).netloc  # never to another site
