"""Rotating SECRET_KEY: the new key signs, the old one (SECRET_KEY_FALLBACKS) still verifies,
so nobody is signed out and no reset link in flight breaks; removing the fallback later
ends what the old key signed."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.test import Client
from django.urls import reverse

from configurator.models import User

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "config" / "settings.py"
OLD_KEY = "old-key-" + "o" * 50
NEW_KEY = "new-key-" + "n" * 50


def _settings_from(monkeypatch: pytest.MonkeyPatch, **environment: str) -> dict[str, Any]:
    """config/settings.py evaluated afresh with `environment` set."""
    for name in ("SECRET_KEY", "SECRET_KEY_FALLBACKS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_it_reads_the_old_keys_from_secret_key_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    values = _settings_from(
        monkeypatch, SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=f"{OLD_KEY},older-{OLD_KEY}"
    )
    assert values["SECRET_KEY"] == NEW_KEY
    assert values["SECRET_KEY_FALLBACKS"] == [OLD_KEY, f"older-{OLD_KEY}"]


def test_it_has_no_fallback_unless_one_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _settings_from(monkeypatch, SECRET_KEY=NEW_KEY)["SECRET_KEY_FALLBACKS"] == []


def _rotate(settings: Any, monkeypatch: pytest.MonkeyPatch, **environment: str) -> None:
    """Apply the key settings that config/settings.py makes of `environment`."""
    values = _settings_from(monkeypatch, **environment)
    settings.SECRET_KEY = values["SECRET_KEY"]
    settings.SECRET_KEY_FALLBACKS = values["SECRET_KEY_FALLBACKS"]


def _signed_in_under_the_old_key(settings: Any, client: Client, alice: User) -> None:
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    client.force_login(alice)
    assert client.get(reverse("project_list")).status_code == 200


def test_it_keeps_a_session_signed_with_the_old_key_after_rotation(
    settings: Any, monkeypatch: pytest.MonkeyPatch, client: Client, alice: User
) -> None:
    _signed_in_under_the_old_key(settings, client, alice)
    _rotate(settings, monkeypatch, SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=OLD_KEY)

    response = client.get(reverse("project_list"))
    assert response.status_code == 200
    assert response.wsgi_request.user == alice
    # Django re-signs the session with the new key on that request: once the fallback is
    # removed, the session still holds.
    _rotate(settings, monkeypatch, SECRET_KEY=NEW_KEY)
    assert client.get(reverse("project_list")).wsgi_request.user == alice


def test_it_signs_out_a_session_of_the_old_key_once_it_is_no_fallback(
    settings: Any, monkeypatch: pytest.MonkeyPatch, client: Client, alice: User
) -> None:
    _signed_in_under_the_old_key(settings, client, alice)
    _rotate(settings, monkeypatch, SECRET_KEY=NEW_KEY)

    response = client.get(reverse("project_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_accepts_a_password_reset_link_of_the_old_key_during_rotation(
    settings: Any, monkeypatch: pytest.MonkeyPatch, alice: User
) -> None:
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD_KEY, []
    token = PasswordResetTokenGenerator().make_token(alice)

    _rotate(settings, monkeypatch, SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=OLD_KEY)
    assert PasswordResetTokenGenerator().check_token(alice, token)
    _rotate(settings, monkeypatch, SECRET_KEY=NEW_KEY)
    assert not PasswordResetTokenGenerator().check_token(alice, token)
