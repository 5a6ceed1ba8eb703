"""Celery application: tasks are autodiscovered from the Django apps.

Settings live in config/settings.py under the CELERY_ namespace (acks late, reject on
worker lost, prefetch 1, a Redis visibility timeout longer than the hard time limit).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping")
def ping() -> str:
    """Answer "pong": used by the health check of a real worker and by its tests."""
    return "pong"
