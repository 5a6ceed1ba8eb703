"""The e-mail carrying a customer link (portal/mail.py): in the link's language, to its
recipient, with the sender, their organisation, the project, the expiry and the URL; a
mail server that fails is retried, a revoked link is not mailed."""

from __future__ import annotations

from datetime import datetime
from smtplib import SMTPRecipientsRefused, SMTPServerDisconnected
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from configurator.models import User
from portal import links
from portal.mail import offer_url, send_link_mail
from portal.models import CustomerLink

from .factories import approved_project_with_proposal

pytestmark = pytest.mark.usefixtures("sizing_table", "media_storage", "eager_tasks")

EXPIRES = datetime(2027, 1, 15, 10, 0, tzinfo=ZoneInfo("Europe/Rome"))


def issued(alice: User, maria: User, language: str) -> links.IssuedLink:
    proposal = approved_project_with_proposal(alice, maria, language)
    found = links.create_link(
        proposal,
        alice,
        recipient_name="Giulia Bianchi",
        recipient_email="giulia@cliente.example",
        language=language,
    )
    # A fixed expiry, so the date is known in either language.
    CustomerLink.objects.filter(pk=found.link.pk).update(expires_at=EXPIRES)
    return found


def test_the_mail_in_english_names_everything_the_recipient_needs(
    alice: User, maria: User, settings: Any
) -> None:
    alice.first_name, alice.last_name = "Alice", "Rossi"
    alice.save()
    link = issued(alice, maria, "en")
    send_link_mail.delay(link.link.pk, link.token)
    [message] = mail.outbox
    assert message.to == ["giulia@cliente.example"]
    assert message.reply_to == [alice.email]
    url = offer_url(link.token)
    assert url == f"{settings.SITE_URL}/offer/{link.token}/"
    for text in (message.body, message.alternatives[0][0]):
        assert "Dear Giulia Bianchi" in text
        assert "Alice Rossi of Partner One S.r.l." in text
        assert "Contact centre" in text
        assert "15 Jan 2027" in text
        assert url in text
    assert message.alternatives[0][1] == "text/html"
    assert '<html lang="en">' in message.alternatives[0][0]


def test_the_mail_is_in_the_links_language(alice: User, maria: User) -> None:
    # Django's own catalogue names the month; the project's strings are the lead's to check.
    link = issued(alice, maria, "it")
    with timezone.override("Europe/Rome"):
        send_link_mail.delay(link.link.pk, link.token)
    [message] = mail.outbox
    assert "15 gennaio 2027" in message.body
    assert "Jan " not in message.body
    assert '<html lang="it">' in message.alternatives[0][0]
    assert offer_url(link.token) in message.body


def test_a_link_revoked_before_its_mail_is_not_mailed(alice: User, maria: User) -> None:
    link = issued(alice, maria, "en")
    links.revoke(link.link, alice)
    send_link_mail.delay(link.link.pk, link.token)
    assert mail.outbox == []


def test_the_token_is_never_written_to_the_database(alice: User, maria: User) -> None:
    link = issued(alice, maria, "en")
    rows = str(list(CustomerLink.objects.values()))
    assert link.token not in rows


def test_a_dropped_connection_is_tried_again(alice: User, maria: User) -> None:
    link = issued(alice, maria, "en")
    real_send = mail.EmailMultiAlternatives.send
    calls: list[int] = []

    def flaky(self: Any, *args: Any) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise SMTPServerDisconnected("gone")
        return real_send(self, *args)

    with mock.patch.object(mail.EmailMultiAlternatives, "send", flaky):
        send_link_mail.delay(link.link.pk, link.token)
    assert len(calls) == 2
    assert len(mail.outbox) == 1


def test_a_refused_address_is_given_up(alice: User, maria: User) -> None:
    link = issued(alice, maria, "en")
    refused = SMTPRecipientsRefused({"giulia@cliente.example": (550, b"no such user")})
    with mock.patch.object(mail.EmailMultiAlternatives, "send", side_effect=refused) as send:
        send_link_mail.delay(link.link.pk, link.token)
    assert send.call_count == 1
