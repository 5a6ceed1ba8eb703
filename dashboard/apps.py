from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Dashboard")

    def ready(self) -> None:
        from configurator.models import Project, project_revised

        from .summaries import _refresh_after_commit

        project_revised.connect(
            _refresh_after_commit, sender=Project, dispatch_uid="dashboard.refresh_summary"
        )
