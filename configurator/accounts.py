"""The password reset, rate limited so that nobody can flood a mailbox or the mail server.

Two rules, counted by django-ratelimit in the shared cache (Redis on the production shape):

- per client address (`PASSWORD_RESET_ADDRESS_LIMIT` requests an hour, every POST counts,
  whatever address it names): over it, the answer is 429 "too many requests, try again
  later". That tells the client only how many requests it has made itself; it is the same
  for an address that has an account and one that has none, so it reveals nothing about
  accounts. The client address is the one django-axes locks sign-ins out by
  (`client_ip`: `AXES_IPWARE_PROXY_COUNT` behind the proxy), IPv6 counted by its /64.
- per account (`PASSWORD_RESET_ACCOUNT_LIMIT` mails an hour, counted per e-mail address
  as the form matches it, case-insensitively): over it, no mail is sent and the answer
  is the usual "if an account has this address, a link is on its way" page. A different
  answer would tell a stranger that the account exists (and that someone is after it);
  the address is counted whether or not an account has it, so both paths do the same.

Both windows are fixed hours (django-ratelimit's); a counter ends with its window. A
stranger can use up an account's mails for an hour by naming it three times: that delays
its owner's reset (an administrator can still set a password), the price of a limit that
no answer betrays.

django-ratelimit's `get_usage` rather than its decorator: the account rule needs the
e-mail address as the form cleaned it, and its answer must be the ordinary one, not 403.

With the cache down (Redis stopped or hung on the production shape) nothing can be
counted, so nothing is sent: the request is treated as limited (fail closed), with the
answer that limit gives, and a warning is logged. Sending unlimited mail while the
counters are away is what the limits are there to prevent.

The mail itself is sent by a task (configurator/tasks.py), queued with the address as
typed whether or not an account has it: the request does the same work either way, so
its answer time does not tell whether an account exists. Not through
`transaction.on_commit`: the request writes no row for the task to wait for.
"""

from __future__ import annotations

import ipaddress
import logging
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django_ratelimit.core import get_usage
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from .tasks import send_password_reset

logger = logging.getLogger(__name__)

HOUR = 3600
# The Retry-After of a request refused because the counters could not be read.
CACHE_DOWN_RETRY_AFTER = 60


def client_ip(request: HttpRequest) -> str:
    """The client's address, for django-axes (`AXES_CLIENT_IP_CALLABLE`) and the reset's
    limit alike. Behind `AXES_IPWARE_PROXY_COUNT` proxies, each of which appends the
    address it was reached from to X-Forwarded-For, the client is the entry that many
    places from the right; what the client wrote to the left of it is not believed.
    Without proxies the header is ignored: anybody can send it.

    (django-axes reads this setting only through django-ipware, which is not installed,
    and ipware counts the proxies differently: the address of the first proxy is not in
    the header nginx sends, so its "1" would refuse every request of the compose file.)"""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies: int = settings.AXES_IPWARE_PROXY_COUNT or 0
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if proxies and len(forwarded) >= proxies:
        try:
            return str(ipaddress.ip_address(forwarded[-proxies]))
        except ValueError:
            pass
    return remote


def client_address(request: HttpRequest) -> str:
    """`client_ip`, an IPv6 client by its /64 network: one subscriber gets a whole /64 to
    choose addresses from. An IPv4-mapped address (`::ffff:203.0.113.7`, as a dual-stack
    socket reports an IPv4 client) is that IPv4 client: its own bucket, not one /64 shared
    by every IPv4 client."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address or "unknown"
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped:
        parsed = parsed.ipv4_mapped
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def account_key(email: str) -> str:
    """The e-mail address as the reset form compares it (Unicode-normalised, any case)."""
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def _usage(request: HttpRequest, rule: str, value: str, limit: int) -> dict[str, Any]:
    try:
        usage: dict[str, Any] | None = get_usage(
            request,
            group=f"password_reset:{rule}",
            key=lambda group, request: value,
            rate=(limit, HOUR),
            increment=True,
        )
    except (RedisError, OSError) as exc:  # Django's Redis cache raises the client's errors
        # The value (an address or an e-mail address) stays out of the log.
        logger.warning(
            "password reset: rate-limit counters unavailable (%s rule), request refused: %s",
            rule,
            type(exc).__name__,
        )
        return {"should_limit": True, "time_left": CACHE_DOWN_RETRY_AFTER}
    return usage or {"should_limit": False, "time_left": 0}


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        usage = _usage(
            request, "address", client_address(request), settings.PASSWORD_RESET_ADDRESS_LIMIT
        )
        if usage["should_limit"]:
            response = render(request, "registration/password_reset_limited.html", status=429)
            response["Retry-After"] = str(max(int(usage["time_left"]), 1))
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        email = form.cleaned_data["email"]
        limit = settings.PASSWORD_RESET_ACCOUNT_LIMIT
        if not _usage(self.request, "account", account_key(email), limit)["should_limit"]:
            _queue_reset_mail(self.request, email)
        # The same answer whether a mail is on its way, limited, or nobody has the address.
        return HttpResponseRedirect(self.get_success_url())


def _queue_reset_mail(request: HttpRequest, email: str) -> None:
    """Queue the mail for `email`, known or not: the task looks the accounts up. With the
    broker refusing, no mail; the answer stays the usual one (the owner can ask again)."""
    arguments = (email, translation.get_language(), request.get_host(), request.is_secure())
    try:
        send_password_reset.apply_async(arguments)
    except (BrokerError, RedisError, OSError) as exc:
        logger.warning("password reset: the mail task could not be queued: %s", type(exc).__name__)


password_reset = RateLimitedPasswordResetView.as_view()
