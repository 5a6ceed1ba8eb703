"""Who is told of a review transition by e-mail, and when.

- submitted, and recalled (withdrawn) from review: the organisation's managers, except the
  one who acted; when no other manager can be mailed, its administrators (who may approve
  then);
- approved, and sent back: the project's owner, with the reviewer's comment;
- changed after review (`Action.REOPEN`): nobody; the project page shows it.

Never a user of another organisation; never an inactive account or one without an address.
Each recipient gets a task of their own (`review.tasks.send_review_mail`). The recipients
are looked up and their tasks queued only once the transition's transaction has committed:
a transition rolled back mails nobody, the transaction holds no extra query, and the worker
always finds the row. A broker that refuses the task does not undo or break the
transition (it has committed by then): the refusal is logged and that mail is lost.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from configurator.models import Role, User

from .models import Action, Transition
from .tasks import send_review_mail

logger = logging.getLogger(__name__)

TO_REVIEWERS = (Action.SUBMIT, Action.RECALL)
TO_OWNER = (Action.APPROVE, Action.SEND_BACK)


def recipients(transition: Transition) -> list[User]:
    """The users to mail about `transition` (none for an action nobody is told of)."""
    project = transition.project
    reachable = (
        User.objects.filter(organization_id=project.organization_id, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )
    if transition.actor_id is not None:  # nobody is told of what they did themselves
        reachable = reachable.exclude(pk=transition.actor_id)
    if transition.action in TO_REVIEWERS:
        managers = list(reachable.filter(role=Role.MANAGER))
        return managers or list(reachable.filter(role=Role.ADMINISTRATOR))
    if transition.action in TO_OWNER:
        return list(reachable.filter(pk=project.owner_id))
    return []


def queue_review_mails(transition: Transition) -> None:
    """Queue one mail per recipient; run after the commit, so that nothing here can touch
    the transition, and each recipient's task is tried even if another's was refused."""
    for recipient in recipients(transition):
        try:
            send_review_mail.delay(transition.pk, recipient.pk)
        except (BrokerError, RedisError, OSError) as exc:
            logger.warning(
                "review mail: the task for user %s (transition %s) could not be queued, "
                "the mail is lost: %s",
                recipient.pk,
                transition.pk,
                type(exc).__name__,
            )


def notify_review(
    sender: type[Transition], instance: Transition, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if not created or raw or instance.action not in (*TO_REVIEWERS, *TO_OWNER):
        return
    # No query in the transition's transaction: the recipients are looked up once it has
    # committed. robust: on the embedded default the tasks run there, in the request; an
    # error is logged and the committed transition's answer stays.
    transaction.on_commit(
        partial(queue_review_mails, instance), using=kwargs.get("using"), robust=True
    )


post_save.connect(notify_review, sender=Transition, dispatch_uid="review.notify_review")
