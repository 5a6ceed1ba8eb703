from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The customer's journey: links to an approved offer, the page they open without an
    account, and their acceptance or refusal."""

    name = "portal"
    verbose_name = _("Customer links")
