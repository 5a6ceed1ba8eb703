"""/healthz: is each part the application depends on answering?

200 with every check "ok"; 503 naming the part that is down. The broker is checked only
when one is configured (the embedded default runs tasks in-process).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker() -> None:
    from config.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        # A PING proves the Redis server answers, not only that a socket opened.
        conn.default_channel.client.ping()


def check_storage() -> None:
    name = default_storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    try:
        with default_storage.open(name) as handle:
            if handle.read() != b"ok":
                raise OSError("storage returned other bytes than it was given")
    finally:
        default_storage.delete(name)


def _run(check: Callable[[], None]) -> str:
    try:
        check()
    except Exception as exc:  # any failure is the answer, not a crash of the probe
        # The probe is public: the details (host names, paths) go to the log only.
        logger.exception("healthz: %s check failed", check.__name__)
        return f"error: {type(exc).__name__}"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _run(check_database), "storage": _run(check_storage)}
    if settings.REDIS_URL:
        checks["broker"] = _run(check_broker)
    healthy = all(result == "ok" for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )
