"""The customer's pages, under /offer/ (portal/public.py): no account, the token in the
path. Every pattern takes any string as the token, so a mistyped one reaches the same
view, and the same 404, as a guessed one."""

from django.urls import path, re_path

from . import public

urlpatterns = [
    path("<str:token>/", public.offer, name="offer"),
    path("<str:token>/seen/<str:beacon>.css", public.offer_seen, name="offer_seen"),
    path("<str:token>/pdf/", public.offer_download, name="offer_download"),
    path("<str:token>/accept/", public.offer_accept, name="offer_accept"),
    path("<str:token>/decline/", public.offer_decline, name="offer_decline"),
    path("<str:token>/receipt/", public.offer_receipt, name="offer_receipt"),
    # Anything else ending in a slash (and /offer/ itself): the miss's 404, last. A path
    # without its slash still gets CommonMiddleware's redirect to the slashed one.
    re_path(r"^(?P<rest>(?:.*/)?)$", public.offer_unknown, name="offer_unknown"),
]
