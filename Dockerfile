# syntax=docker/dockerfile:1
# The TVox configurator, production image: gunicorn serving Django, static files by
# WhiteNoise (collected at build time), WeasyPrint's system libraries and fonts for the PDFs.
# The same image runs the Celery worker and the one-shot migration (see docker-compose.yml).
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON=/usr/local/bin/python3.13 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    PATH=/opt/venv/bin:$PATH

# WeasyPrint needs Pango (with HarfBuzz and fontconfig) and fonts; shared-mime-info lets it
# recognise the images it embeds. HarfBuzz's subsetter makes the embedded fonts, and so the
# PDF bytes, the same on every machine (without it WeasyPrint falls back to another subsetter
# and the SHA-256 of a proposal differs). pg_dump/pg_restore (15, Debian bookworm's) for
# scripts/backup and scripts/restore.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        libharfbuzz0b \
        libharfbuzz-subset0 \
        postgresql-client-15 \
        libfontconfig1 \
        fonts-dejavu-core \
        fonts-liberation \
        shared-mime-info \
    && rm -rf /var/lib/apt/lists/*

# uv from PyPI, the version the lock file was made with.
RUN pip install "uv==0.13.9"

WORKDIR /app

# Dependencies first (cached while only the code changes), exactly as locked, no dev tools.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .
RUN uv sync --frozen --no-dev

# Static files with hashed names (WhiteNoise's manifest storage). The key and database
# are throw-away: collectstatic touches neither.
RUN SECRET_KEY=collectstatic-only-not-a-secret \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    DEBUG=0 STATIC_MANIFEST=1 \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/collectstatic.sqlite3

# An unprivileged user; it owns only the local media folder (used when S3_* is not set)
# and its home (gunicorn's control socket lives in ~/.gunicorn).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /home/app --create-home \
        --shell /usr/sbin/nologin app \
    && mkdir -p /app/media \
    && chown app:app /app/media
USER app

EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=8).status == 200 else 1)"]

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
