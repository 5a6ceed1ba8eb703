"""Celery application: tasks are autodiscovered from the Django apps.

Settings live in config/settings.py under the CELERY_ namespace (acks late, reject on
worker lost, prefetch 1, a Redis visibility timeout longer than the hard time limit,
bounded waits on a Redis that is down).

Every worker also sweeps the proposal outbox (`reports.services.publish_waiting`, and the
acceptance receipts' `portal.notifications.publish_waiting_receipts`): when
its consumer connects to the broker, which is at start and again after every lost
connection (so right after Redis comes back), and every PROPOSAL_OUTBOX_SECONDS.
"""

import logging
import os
from typing import Any

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping")
def ping() -> str:
    """Answer "pong": used by the health check of a real worker and by its tests."""
    return "pong"


def sweep_outbox() -> None:
    """Send the proposals, and the acceptance receipts, whose task the broker refused. In
    the worker's main process: its database connection is closed afterwards, so no pool
    child forked later shares it."""
    from django.db import connections

    from portal.notifications import publish_waiting_receipts
    from reports.services import publish_waiting

    try:
        sent = publish_waiting()
        receipts = publish_waiting_receipts()
    except Exception:  # the sweep must never stop the consumer; the next one tries again
        logger.exception("proposal outbox: sweep failed")
    else:
        if sent:
            logger.info("proposal outbox: sent %d waiting proposal(s)", sent)
        if receipts:
            logger.info("receipt outbox: sent %d waiting receipt(s)", receipts)
    finally:
        connections.close_all()


class ProposalOutbox(bootsteps.StartStopStep):
    """A consumer step: started each time the consumer (re)connects to the broker."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.timer: Any = None

    def start(self, parent: Any) -> None:
        from django.conf import settings

        sweep_outbox()
        self.timer = parent.timer.call_repeatedly(settings.PROPOSAL_OUTBOX_SECONDS, sweep_outbox)

    def stop(self, parent: Any) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


app.steps["consumer"].add(ProposalOutbox)
