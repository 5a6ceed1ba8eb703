"""A first record of every customer, project and site that exists before the history
does: the first change after it then shows its old values (configurator.history shows
these records as the state the history began with, not as a creation)."""

from django.db import migrations

BASELINE_REASON = "baseline"  # configurator.models.BASELINE_REASON


def _fields(model, instance):
    return {
        f.attname: getattr(instance, f.attname)
        for f in model._meta.fields
        if not f.name.startswith("history_") and f.name != "project_revision"
    }


def record_baseline(apps, schema_editor):
    projects = {}
    for name in ("Customer", "Project", "Site"):
        model = apps.get_model("configurator", name)
        history = apps.get_model("configurator", f"Historical{name}")
        recorded = set(history.objects.values_list("id", flat=True))
        rows = []
        for instance in model.objects.exclude(pk__in=recorded).iterator():
            extra = {}
            if name == "Site":
                project = projects[instance.project_id]
                when, extra["project_revision"] = project.created_at, project.revision
            else:
                when = instance.created_at
            rows.append(
                history(
                    history_date=when,
                    history_type="+",
                    history_change_reason=BASELINE_REASON,
                    **_fields(history, instance),
                    **extra,
                )
            )
            if len(rows) >= 1000:
                history.objects.bulk_create(rows)
                rows = []
        history.objects.bulk_create(rows)
        if name == "Project":
            projects.update(model.objects.in_bulk())


class Migration(migrations.Migration):
    dependencies = [("configurator", "0007_history")]

    operations = [migrations.RunPython(record_baseline, migrations.RunPython.noop)]
