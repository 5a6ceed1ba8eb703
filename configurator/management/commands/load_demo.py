"""Create demo data: one partner organisation, a user per role, customers and projects, and
Telenia's platform operator (the only demo account that changes the shared sizing tables
and prerequisites; see configurator.admin_access).

Safe to run again: rows are looked up by their natural keys and only created when missing;
the demo users' passwords are reset to the printed ones.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from configurator.admin_access import SHARED_RULES_PERMISSION
from configurator.brand import DEFAULT_ACCENT, DEFAULT_PRIMARY
from configurator.models import (
    Customer,
    Organization,
    Project,
    ProjectStatus,
    Role,
    Site,
    User,
)
from review.models import Action, Transition

ORGANIZATION = "Demo Partner S.r.l."
BRAND = {
    "legal_name": "Demo Partner S.r.l.",
    "address": "Via Torino 61, 20123 Milano (MI)",
    "vat_number": "IT01234567897",
    "phone": "+39 02 1234 5678",
    "email": "offerte@demo-partner.example",
    "website": "https://demo-partner.example",
    "primary_color": DEFAULT_PRIMARY,
    "accent_color": DEFAULT_ACCENT,
    "legal_footer": "Demo Partner S.r.l. · Via Torino 61, 20123 Milano · P.IVA 01234567897 · "
    "Capitale sociale € 50.000 i.v. · REA MI-1234567",
}
PLATFORM = "Telenia S.p.A."
OPERATOR = ("telenia", "Olga", "Operatrice", Role.ADMINISTRATOR, "demo-operator-2026")
# Demo accounts for a local machine; their passwords are printed, so they are no secret.
USERS = [
    ("sales", "Sara", "Bianchi", Role.SALES_ENGINEER, "demo-sales-2026"),
    ("sales2", "Luca", "Ferri", Role.SALES_ENGINEER, "demo-sales-2026"),
    ("manager", "Marco", "Rossi", Role.MANAGER, "demo-manager-2026"),
    ("admin", "Alessia", "Verdi", Role.ADMINISTRATOR, "demo-admin-2026"),
]
CUSTOMERS = [
    # company, VAT (valid Italian check digit), country, language, contact, e-mail
    ("Ospedale San Luca S.p.A.", "01234567897", "IT", "it", "Giulia Neri", "g.neri@example.it"),
    ("Logistica Adriatica S.r.l.", "12345678903", "IT", "it", "Paolo Conti", "p.conti@example.it"),
    ("Alpine Insurance AG", "CHE123456789", "CH", "en", "Anna Keller", "a.keller@example.ch"),
]
PROJECTS = [
    # customer index, title, owner username, status, notes. The first is created first, so
    # it is the oldest and listed last: a requirements conflict, with what to change (R3).
    (
        1,
        "Private switchboard without a single point of failure",
        "sales2",
        ProjectStatus.DRAFT,
        "Conflict example: TVox must stay in the customer's data centre and have no single "
        "point of failure, which MCS cannot give (R3); the results say what to give up.",
    ),
    (
        0,
        "Contact centre for 3 hospitals",
        "sales",
        ProjectStatus.DRAFT,
        "Three sites (Milano, Bergamo, Lodi) over MPLS; 400 agents; smart working for admin staff.",
    ),
    (
        0,
        "Emergency line redundancy",
        "sales",
        ProjectStatus.IN_REVIEW,
        "Customer requires no single point of failure for the switchboard: a Master + Slave "
        "pair in the cloud, with the PURE_CLOUD licence on both (R3).",
    ),
    (
        1,
        "Warehouses and drivers' app",
        "sales2",
        ProjectStatus.SENT,
        "12 warehouses, 1,200 drivers with the mobile app, headquarters on VPN.",
    ),
    (
        2,
        "Cloud migration Zurich and Lugano",
        "sales",
        ProjectStatus.APPROVED,
        "Two offices, wants full cloud, reuses Yealink phones.",
    ),
]

# Per project (same order as PROJECTS): project-level sizing inputs and sites as
# (name, address, connectivity, users, SIP phones, apps, web clients, widgets,
#  Webclient in Smart Working, TVoxTeam Smartworking).
SIZING = [
    (
        {"tvox_systems": 1, "keep_tvox_private": True, "redundancy": True},
        [("Pescara - Centralino", "Via Tiburtina 80, Pescara", "lan", 40, 40, 0, 20, 0, 0, 0)],
    ),
    (
        {
            "tvox_systems": 1,
            "no_public_pbx_exposure": True,
            "keep_tvox_private": True,
            "hypervisor": "vmware",
            "public_domain": "mcs.ospedalesanluca.example",
        },
        [
            (
                "Milano - Sede centrale",
                "Via Manzoni 12, Milano",
                "mpls",
                420,
                380,
                60,
                180,
                2,
                40,
                10,
            ),
            ("Bergamo - Presidio", "Via Garibaldi 4, Bergamo", "mpls", 150, 140, 20, 60, 0, 10, 0),
            ("Lodi - Ambulatori", "Corso Roma 88, Lodi", "vpn", 60, 55, 5, 25, 1, 5, 0),
        ],
    ),
    (
        {"tvox_systems": 1, "redundancy": True},
        [("Milano - Centrale operativa", "Via Manzoni 12, Milano", "lan", 80, 80, 0, 80, 0, 0, 0)],
    ),
    (
        {"tvox_systems": 1, "concurrency": "0.6", "hypervisor": "xen"},
        [
            ("Ancona - HQ", "Via del Porto 1, Ancona", "vpn", 120, 100, 40, 60, 1, 15, 15),
            *[(f"Magazzino {n:02d}", "", "vpn", 25, 8, 100, 4, 0, 0, 0) for n in range(1, 12)],
        ],
    ),
    (
        {"tvox_systems": 1, "full_cloud": True, "reuse_local_lines_and_phones": True},
        [
            ("Zürich", "Bahnhofstrasse 10, Zürich", "vpn", 90, 85, 20, 40, 0, 0, 0),
            ("Lugano", "Via Nassa 5, Lugano", "internet", 35, 30, 10, 15, 0, 0, 0),
        ],
    ),
]


class Command(BaseCommand):
    help = "Create (or refresh) the demo organisation, users, customers and projects."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        # The brand only on creation: an administrator's later edits survive a re-run.
        organization, _ = Organization.objects.get_or_create(name=ORGANIZATION, defaults=BRAND)
        users = {username: self._user(organization, *rest, username) for username, *rest in USERS}
        customers = [self._customer(organization, users["sales"], *row) for row in CUSTOMERS]
        offers: list[str] = []
        for (index, title, owner, status, notes), (fields, sites) in zip(
            PROJECTS, SIZING, strict=True
        ):
            # A project sent is created approved, then sent as an engineer sends one: its
            # proposal rendered here and a link to the customer's contact (portal.links).
            sent = status == ProjectStatus.SENT
            project, created = Project.objects.get_or_create(
                organization=organization,
                customer=customers[index],
                title=title,
                defaults={
                    "owner": users[owner],
                    "status": ProjectStatus.APPROVED if sent else status,
                    "description": notes,
                    **fields,
                },
            )
            if created:
                self._sites(project, sites)
                self._review_record(project, users)
                if sent:
                    offers.append(self._send(project))
        self._operator()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready for “{organization}”."))
        self.stdout.write("Sign in at http://127.0.0.1:8000/ with:")
        for username, _first, _last, role, password in USERS:
            self.stdout.write(f"  {role.label:<15} {username:<8} / {password}")
        username, *_names, password = OPERATOR
        self.stdout.write(f"  {'Telenia operator':<15} {username:<8} / {password}  (/admin/ only)")
        for offer in offers:
            # Shown once, as to the engineer who sends one: only its hash is stored.
            self.stdout.write(f"The customer's link of the offer sent (no account): {offer}")

    def _send(self, project: Project) -> str:
        """Render the project's proposal (in-process) and send it to the customer's contact:
        the project becomes sent, as from its page; the link's URL."""
        from portal import links
        from portal.mail import offer_url
        from reports.services import render_and_store
        from reports.snapshot import create_proposal

        customer = project.customer
        proposal = create_proposal(project, customer.preferred_language, project.owner)
        rendered = render_and_store(proposal.pk)
        issued = links.create_link(
            rendered,
            project.owner,
            recipient_name=customer.contact_name,
            recipient_email=customer.contact_email,
            language=customer.preferred_language,
        )
        return offer_url(issued.token)

    def _operator(self) -> User:
        """Telenia's own organisation and its operator, holding the permission that stands
        for the shared rules: partners' administrators only read those."""
        platform, _ = Organization.objects.get_or_create(name=PLATFORM)
        username, *rest = OPERATOR
        operator = self._user(platform, *rest, username)
        app_label, codename = SHARED_RULES_PERMISSION.split(".")
        operator.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
        return operator

    def _review_record(self, project: Project, users: dict[str, User]) -> None:
        """The transitions that brought a demo project to its status, a few days ago, so
        the dashboard's review queue shows an age and the project page its record."""
        if project.status == ProjectStatus.DRAFT:
            return
        now = timezone.now()
        steps = [
            (Action.SUBMIT, ProjectStatus.DRAFT, ProjectStatus.IN_REVIEW, project.owner, ""),
        ]
        if project.status != ProjectStatus.IN_REVIEW:
            comment = "Sizing checked against the customer's inventory."
            steps.append(
                (
                    Action.APPROVE,
                    ProjectStatus.IN_REVIEW,
                    ProjectStatus.APPROVED,
                    users["manager"],
                    comment,
                )
            )
        days_ago = len(steps) * 2 + (3 if project.status == ProjectStatus.SENT else 0)
        for number, (action, before, after, actor, comment) in enumerate(steps):
            Transition.objects.create(
                project=project,
                action=action,
                from_status=before,
                to_status=after,
                revision=project.revision,
                actor=actor,
                comment=comment,
                at=now - timedelta(days=days_ago - 2 * number, hours=3),
            )

    def _sites(self, project: Project, sites: list[tuple[Any, ...]]) -> None:
        # With their history's records: the project's timeline starts with its sites.
        bulk_create_with_history(
            [
                Site(
                    project=project,
                    position=position,
                    name=name,
                    address=address,
                    connectivity=connectivity,
                    **dict(zip(Site.COUNT_FIELDS, counts, strict=True)),
                )
                for position, (name, address, connectivity, *counts) in enumerate(sites)
            ],
            Site,
            custom_historical_attrs={"project_revision": project.revision},
        )

    def _user(
        self,
        organization: Organization,
        first: str,
        last: str,
        role: str,
        password: str,
        username: str,
    ) -> User:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "organization": organization,
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo-partner.example",
                "role": role,
                "is_staff": role == Role.ADMINISTRATOR,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        return user

    def _customer(
        self,
        organization: Organization,
        creator: User,
        name: str,
        vat: str,
        country: str,
        language: str,
        contact: str,
        email: str,
    ) -> Customer:
        customer, _ = Customer.objects.get_or_create(
            organization=organization,
            company_name=name,
            defaults={
                "vat_number": vat,
                "country": country,
                "preferred_language": language,
                "contact_name": contact,
                "contact_email": email,
                "created_by": creator,
            },
        )
        return customer
