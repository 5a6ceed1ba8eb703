from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The customer's journey: links to an approved offer, the page they open without an
    account, and their acceptance or refusal."""

    name = "portal"
    verbose_name = _("Customer links")

    def ready(self) -> None:
        # The mails and the receipt's tasks register with Celery, the notices connect.
        from . import mail, notifications, tasks  # noqa: F401
