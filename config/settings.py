"""One settings module, read from the environment.

With nothing set, the application runs on the embedded default: SQLite, Celery tasks run
in-process, files in ./media. Setting DATABASE_URL, REDIS_URL and the S3 variables gives the
production shape. A value that cannot be parsed stops start-up with the variable's name.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _read(name: str, cast: Any, default: Any) -> Any:
    """Read one variable; a value of the wrong shape fails loudly, naming the variable."""
    if cast is bool and name in os.environ:
        raw = os.environ[name].strip().lower()
        if raw not in _TRUE | _FALSE:
            raise ImproperlyConfigured(
                f"Environment variable {name} must be true or false; got {os.environ[name]!r}"
            )
        return raw in _TRUE
    try:
        return env(name, cast=cast, default=default)
    except (ValueError, TypeError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(
            f"Environment variable {name} has an invalid value: {exc}"
        ) from exc


def _url(name: str, default: str, schemes: tuple[str, ...]) -> str:
    value: str = _read(name, str, default)
    scheme = value.split("://", 1)[0] if "://" in value else ""
    if value and scheme not in schemes:
        raise ImproperlyConfigured(
            f"Environment variable {name} must be a URL starting with one of "
            f"{', '.join(s + '://' for s in schemes)}; got {value!r}"
        )
    return value


DEBUG: bool = _read("DEBUG", bool, False)
# The embedded default needs no set-up; its key is marked insecure so that
# `check --deploy` refuses it for production.
SECRET_KEY: str = _read(
    "SECRET_KEY", str, "django-insecure-embedded-default-only-never-use-in-production"
)
# Rotation: the old keys (comma-separated) still verify sessions and reset links signed
# with them, so a new SECRET_KEY signs nobody out; remove them once those have expired.
SECRET_KEY_FALLBACKS: list[str] = _read("SECRET_KEY_FALLBACKS", list, [])

ALLOWED_HOSTS: list[str] = _read("ALLOWED_HOSTS", list, ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS: list[str] = _read("CSRF_TRUSTED_ORIGINS", list, [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_ratelimit",
    "simple_history",
    "configurator",
    "sizing",
    "reports",
    "review",
    "dashboard",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise (static files stay cacheable), above everything that answers.
    "config.middleware.NoStoreMiddleware",
    # The customer pages' headers on every answer under /offer/, Django's own included.
    "portal.middleware.OfferHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: the history's entries name the signed-in user.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "config.middleware.HtmxAwareLoginRedirectMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = _url(
    "DATABASE_URL",
    f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
    ("sqlite", "postgres", "postgresql", "pgsql"),
)
try:
    DATABASES = {"default": env.db_url_config(DATABASE_URL)}
except Exception as exc:  # environ raises several types for a malformed URL
    raise ImproperlyConfigured(f"Environment variable DATABASE_URL is invalid: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = _read("DATABASE_CONN_MAX_AGE", int, 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    # Tests get a database file, not the in-memory default: the live server of the browser
    # tests answers concurrent htmx requests on several threads, and threads sharing one
    # in-memory SQLite connection fail ("bad parameter or other API misuse").
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"tvox-test-{os.getpid()}.sqlite3")
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users, sign-in, brute-force protection -------------------------------------------
AUTH_USER_MODEL = "configurator.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "project_list"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT: int = _read("AXES_FAILURE_LIMIT", int, 5)
AXES_COOLOFF_TIME: int = _read("AXES_COOLOFF_HOURS", int, 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind the compose file's proxy every request comes from the proxy's address: count the
# proxies so that the lockout is per client address, not per username alone.
AXES_IPWARE_PROXY_COUNT: int = _read("AXES_IPWARE_PROXY_COUNT", int, 0)
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")


def _positive(name: str, default: int) -> int:
    value: int = _read(name, int, default)
    if value < 1:
        raise ImproperlyConfigured(f"Environment variable {name} must be 1 or more; got {value}")
    return value


# Password reset (configurator/accounts.py): mails per account and requests per client
# address (the address axes uses), each per hour, counted in the default cache.
PASSWORD_RESET_ACCOUNT_LIMIT = _positive("PASSWORD_RESET_ACCOUNT_LIMIT", 3)
PASSWORD_RESET_ADDRESS_LIMIT = _positive("PASSWORD_RESET_ADDRESS_LIMIT", 10)
# One reading of the client's address for the lockout and the reset's limit: the
# AXES_IPWARE_PROXY_COUNT-th entry from the right of X-Forwarded-For (django-axes itself
# would need django-ipware for that, and ipware counts the compose file's proxy as 0).
AXES_CLIENT_IP_CALLABLE = "configurator.accounts.client_ip"
# Customer links (portal/links.py): how long a link lasts by default and at most, in days,
# and how many requests with an unknown token one address may send (django-ratelimit's
# "count/period", for example 20/h) before it is answered 429.
CUSTOMER_LINK_DAYS = _positive("CUSTOMER_LINK_DAYS", 30)
CUSTOMER_LINK_MAX_DAYS = _positive("CUSTOMER_LINK_MAX_DAYS", 90)
if CUSTOMER_LINK_DAYS > CUSTOMER_LINK_MAX_DAYS:
    raise ImproperlyConfigured("CUSTOMER_LINK_DAYS must not exceed CUSTOMER_LINK_MAX_DAYS")
# At most this many views and downloads of one link are recorded in any 24 hours: a
# script fetching a link in a loop does not grow the timeline without end.
CUSTOMER_LINK_EVENTS_PER_DAY = _positive("CUSTOMER_LINK_EVENTS_PER_DAY", 500)
CUSTOMER_LINK_MISS_LIMIT: str = _read("CUSTOMER_LINK_MISS_LIMIT", str, "20/h")
if not re.fullmatch(r"[1-9][0-9]*/[1-9]?[0-9]*[smhd]", CUSTOMER_LINK_MISS_LIMIT):
    raise ImproperlyConfigured(
        "Environment variable CUSTOMER_LINK_MISS_LIMIT must be count/period, for example "
        f"20/h or 50/10m; got {CUSTOMER_LINK_MISS_LIMIT!r}"
    )
RATELIMIT_USE_CACHE = "default"
RATELIMIT_CACHE_PREFIX = "rl:"

# --- E-mail: console by default, SMTP when EMAIL_URL is set ---------------------------
EMAIL_URL = _url("EMAIL_URL", "", ("smtp", "smtps", "submission"))
if EMAIL_URL:
    _email = env.email_url_config(EMAIL_URL)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email["EMAIL_HOST"],
                "port": _email["EMAIL_PORT"],
                "username": _email["EMAIL_HOST_USER"],
                "password": _email["EMAIL_HOST_PASSWORD"],
                "use_tls": bool(_email.get("EMAIL_USE_TLS")),
                "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL: str = _read("DEFAULT_FROM_EMAIL", str, "configurator@localhost")
# The address the application's e-mails link to (a review's project page): mail has no
# request to take the host from. Scheme and host, no trailing slash needed.
SITE_URL: str = _url("SITE_URL", "http://localhost:8000", ("http", "https")).rstrip("/")

# --- Languages ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("it", _("Italian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
TIME_ZONE: str = _read("TIME_ZONE", str, "Europe/Rome")
USE_TZ = True

# --- Static files and storage ---------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(_read("STATIC_ROOT", str, str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT: Path = Path(_read("MEDIA_ROOT", str, str(BASE_DIR / "media")))

S3_BUCKET: str = _read("S3_BUCKET", str, "")
if S3_BUCKET:
    default_storage: dict[str, Any] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": _url("S3_ENDPOINT_URL", "", ("http", "https")) or None,
            "access_key": _read("S3_ACCESS_KEY_ID", str, "") or None,
            "secret_key": _read("S3_SECRET_ACCESS_KEY", str, "") or None,
            "region_name": _read("S3_REGION", str, "us-east-1"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": True,
        },
    }
else:
    # Generated files have deterministic names (a proposal's PDF, a content-addressed
    # logo): writing one again replaces it instead of leaving a renamed copy.
    default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"allow_overwrite": True},
    }
STORAGES = {
    "default": default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and _read("STATIC_MANIFEST", bool, True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Celery ---------------------------------------------------------------------------
REDIS_URL = _url("REDIS_URL", "", ("redis", "rediss"))
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
# Eager only in the embedded default: the production shape always has real workers.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# One queue per deployment sharing a Redis (and per test run): workers consume only theirs.
CELERY_TASK_DEFAULT_QUEUE: str = _read("CELERY_TASK_DEFAULT_QUEUE", str, "celery")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD: int = _read("CELERY_WORKER_MAX_TASKS_PER_CHILD", int, 50)
CELERY_TASK_SOFT_TIME_LIMIT: int = _read("CELERY_TASK_SOFT_TIME_LIMIT", int, 240)
CELERY_TASK_TIME_LIMIT: int = _read("CELERY_TASK_TIME_LIMIT", int, 300)
# Longer than the longest task (the hard time limit), so an unacknowledged task is
# redelivered only after its worker is really gone, never while it still runs.
CELERY_VISIBILITY_TIMEOUT: int = _read("CELERY_VISIBILITY_TIMEOUT", int, 900)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        "Environment variable CELERY_VISIBILITY_TIMEOUT must be longer than "
        "CELERY_TASK_TIME_LIMIT, or running tasks are delivered twice."
    )
# Bounded waits on Redis, so that a request that publishes answers within seconds when
# the broker is down (kombu waits for ever by default; Celery retries a publish three
# times): connect within 2 s, a command within 5 s, two more publish attempts.
_REDIS_SOCKETS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    **_REDIS_SOCKETS,
    # A dead worker's unacknowledged task is looked for every tenth of the visibility
    # timeout (kombu scans every 10 x 10 s by default, whatever the timeout).
    "unacked_restore_interval": max(1, min(60, CELERY_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # The result backend retries 20 times, one second apart, by default.
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5},
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
# A proposal whose rendering failed for a transient cause is retried after this many
# seconds, doubled each time (at most a minute, and always well inside the visibility
# timeout: a retry waits unacknowledged in its worker until then).
PROPOSAL_RETRY_BACKOFF: float = _read("PROPOSAL_RETRY_BACKOFF", float, 2.0)
# Every worker sends the proposals that could not be queued (the broker was down) when it
# connects to the broker and then every so many seconds (reports.services.publish_waiting).
PROPOSAL_OUTBOX_SECONDS: int = _read("PROPOSAL_OUTBOX_SECONDS", int, 30)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]

# --- Cache (the password reset's rate limits) -----------------------------------------
# Every web process must see the same counters. With REDIS_URL: Django's Redis cache, its
# keys under their own prefix beside the broker's (never clear() it: that empties the whole
# Redis database, broker queues included). On the embedded default, one process (the
# development server, whose threads share this cache; it locks around each increment).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "tvox-cache",
            "OPTIONS": {"socket_connect_timeout": 5, "socket_timeout": 5},
        }
    }
    # django-ratelimit lists django-redis, not Django's own Redis cache, as supported; the
    # latter is as good for it: add() is SET NX and incr() is INCR, both atomic in Redis.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # "not a shared cache": the embedded default is one process. Several processes (gunicorn
    # with workers) need REDIS_URL, whose cache they share.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# --- Security -------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE: bool = _read("SECURE_COOKIES", bool, False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT: bool = _read("SECURE_SSL_REDIRECT", bool, False)
# Trust X-Forwarded-Proto only behind a proxy that sets it; otherwise a client could claim
# HTTPS by sending the header itself.
if _read("BEHIND_PROXY", bool, False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS: int = _read("SECURE_HSTS_SECONDS", int, 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD: bool = _read("SECURE_HSTS_PRELOAD", bool, False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# JSON for API clients under /api/, Django's page elsewhere.
CSRF_FAILURE_VIEW = "sizing.views.csrf_failure"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": _read("LOG_LEVEL", str, "INFO")},
    # WeasyPrint reports each layout step at INFO; only its problems are worth printing.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
    },
}
