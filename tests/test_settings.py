"""A bad environment value stops start-up with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLEAN = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}


def _start(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**CLEAN, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://root@localhost/db"),
        ("REDIS_URL", "http://127.0.0.1:6379/0"),
        ("DEBUG", "maybe"),
        ("AXES_FAILURE_LIMIT", "many"),
        ("CELERY_VISIBILITY_TIMEOUT", "10"),
        ("S3_ENDPOINT_URL", "minio:9000"),
        ("EMAIL_URL", "carrier-pigeon://coop"),
    ],
)
def test_it_refuses_to_start_with_a_bad_value(name: str, value: str) -> None:
    env = {name: value}
    if name == "S3_ENDPOINT_URL":
        env["S3_BUCKET"] = "proposals"
    result = _start(**env)
    assert result.returncode != 0
    assert name in result.stderr


def test_it_starts_on_the_embedded_default_with_nothing_set() -> None:
    result = _start()
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(("value", "expected"), [(None, "False"), ("true", "True"), ("0", "False")])
def test_it_keeps_debug_off_unless_asked(value: str | None, expected: str) -> None:
    env = {**CLEAN, **({"DEBUG": value} if value is not None else {})}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.strip().splitlines()[-1] == expected, result.stderr


def test_it_runs_tasks_in_process_only_without_a_broker() -> None:
    from django.conf import settings

    from config.celery import app

    assert app.conf.task_always_eager is (not settings.REDIS_URL)
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit


def test_the_ping_task_runs_in_process_only_on_the_embedded_default() -> None:
    from config.celery import app, ping

    if os.environ.get("REDIS_URL"):
        # With a broker the task goes to a worker process (test_production_shape runs one).
        assert app.conf.task_always_eager is False
        assert app.conf.broker_url.startswith("redis://")
    else:
        assert ping.delay().get(timeout=5) == "pong"
