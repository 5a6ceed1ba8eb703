from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = _("Review")

    def ready(self) -> None:
        # Connect the receivers: a reviewed project's change recorded, each transition mailed.
        from . import notifications, receivers  # noqa: F401
