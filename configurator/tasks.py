"""Celery tasks of the accounts: the password reset's e-mail.

The reset request only counts and queues this task, with the address as typed, whether
or not an account has it; the worker looks the accounts up and mails them. So the request
does the same work for a known and an unknown address and its answer time tells nothing
about accounts (configurator/accounts.py). On the embedded default the task runs in the
request (eager), as everything else there does.
"""

from __future__ import annotations

from celery import shared_task
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation


@shared_task(name="configurator.send_password_reset", ignore_result=True)
def send_password_reset(email: str, language: str, domain: str, use_https: bool) -> None:
    """Mail a reset link, in `language`, to every active account with the address `email`
    (none for an unknown one), with links to `domain`. Django's form looks the accounts up,
    makes the tokens and logs a mail that could not be sent; run twice, it sends a second
    link, which is harmless (either works once)."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    with translation.override(language):
        form.save(domain_override=domain, use_https=use_https)
