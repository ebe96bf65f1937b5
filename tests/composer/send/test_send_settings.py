"""SMTP settings (declared once, checked, saved in the library) and the password's keeping."""

from __future__ import annotations

import argparse
from pathlib import Path

import keyring.backend
import keyring.errors
import pytest
from helpers.send_servers import MemoryKeyring, make_library, run_cli
from keyring.backends import fail, null

from composer.cli.send import register
from composer.errors import ValidationError
from composer.secrets import ENV_VAR, SERVICE, PasswordStore
from composer.smtp_settings import (
    FIELDS,
    SmtpSettings,
    is_loopback,
    merge_smtp,
    missing_for_sending,
    parse_from,
    smtp_from_settings,
    with_changes,
)


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the keychain is locked")


SETTINGS = SmtpSettings(host="smtp.example.org", port=2525, user="ann")


# -- settings --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("mail.localhost", True),
        ("smtp.example.org", False),
        ("10.0.0.1", False),
        ("localhost.example.org", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_security_none_is_refused_unless_the_server_is_this_machine() -> None:
    with pytest.raises(ValidationError, match="only allowed for a server on this machine"):
        with_changes(SmtpSettings(), {"host": "smtp.example.org", "security": "none"})
    settings = with_changes(SmtpSettings(), {"host": "127.0.0.1", "security": "none"})
    assert settings.effective_port == 25 and settings.security == "none"


def test_each_setting_is_checked_with_a_clear_message(tmp_path: Path) -> None:
    base = SmtpSettings()
    cases = {
        "security": ("ssl", "is not one of starttls, tls, none"),
        "port": ("70000", "between 0 and 65535"),
        "host": ("smtp example org", "not a host name"),
        "sender_address": ("newsroom", "not a valid address"),
        "reply_to": ("press@", "not a valid address"),
        "ca_file": (str(tmp_path / "missing.pem"), "is not a file"),
        "throttle": ("fast", "must be a number"),
        "sender_name": ("Newsroom\r\nBcc: victim@example.org", "line break"),
        "user": ("ann\x00", r"control character U\+0000"),
    }
    for field, (value, message) in cases.items():
        with pytest.raises(ValidationError, match=message):
            with_changes(base, {field: value})


def test_settings_round_trip_through_the_library_settings(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("not checked until used", encoding="utf-8")
    changes = {
        "host": "smtp.example.org",
        "port": "587",
        "security": "STARTTLS",
        "user": "ann",
        "reply_to": "Press office <Press@Example.ORG>",
        "ca_file": str(ca),
        "throttle": "30",
        **parse_from("Newsroom <newsroom@Example.org>"),
    }
    stored = merge_smtp({"theme": {"organisation": "kept"}}, changes)
    assert set(stored) == {"smtp"}
    settings = smtp_from_settings(stored)
    assert settings.security == "starttls" and settings.port == 587
    assert settings.sender_name == "Newsroom" and settings.sender_address == "newsroom@example.org"
    assert settings.reply_to == "Press office <Press@example.org>"
    assert settings.ca_file == str(ca.resolve()) and settings.throttle == 30.0
    assert settings.server_label == "smtp.example.org:587 (STARTTLS)"
    assert settings.keyring_username == "ann@smtp.example.org:587"
    # the stored form has no password in it, ever
    assert "password" not in str(stored).lower()


def test_fields_are_declared_once_and_drive_the_command_line() -> None:
    names = [f.name for f in FIELDS]
    assert names[:4] == ["host", "port", "security", "user"]
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["settings", "smtp", *[x for spec in FIELDS for x in (spec.flag, "v")]]
    )
    for spec in FIELDS:
        assert getattr(args, f"smtp_{spec.name}") == "v"
    send_flags = {spec.send_flag for spec in FIELDS if spec.send_flag}
    assert {"--smtp-host", "--smtp-port", "--security", "--smtp-user", "--from"} <= send_flags


# -- the password ----------------------------------------------------------------------------------
def test_without_a_keychain_the_password_comes_from_the_environment() -> None:
    for backend in (fail.Keyring(), null.Keyring()):
        store = PasswordStore(backend=backend, environ={ENV_VAR: "from-env"})
        assert not store.keychain_available
        assert store.get(SETTINGS) == "from-env" and store.source == "environment"


def test_without_a_keychain_the_prompt_is_asked_once_per_run() -> None:
    asked: list[str] = []

    def prompt(username: str) -> str:
        asked.append(username)
        return "typed"

    store = PasswordStore(backend=fail.Keyring(), prompt=prompt, environ={})
    assert store.get(SETTINGS) == "typed"
    assert store.get(SETTINGS) == "typed"
    assert asked == ["ann@smtp.example.org:2525"]
    assert store.save(SETTINGS, "typed") is False  # nothing to store it in: memory only
    assert "no keychain" in store.status(SETTINGS)


def test_declining_the_prompt_gives_no_password() -> None:
    store = PasswordStore(backend=fail.Keyring(), prompt=lambda username: None, environ={})
    assert store.get(SETTINGS) is None


def test_the_keychain_keeps_the_password_under_the_service_and_user_at_host() -> None:
    backend = MemoryKeyring()
    store = PasswordStore(backend=backend, environ={})
    assert store.keychain_available
    assert store.save(SETTINGS, "in-keychain") is True
    assert backend.store == {(SERVICE, "ann@smtp.example.org:2525"): "in-keychain"}
    fresh = PasswordStore(backend=backend, environ={})
    assert fresh.get(SETTINGS) == "in-keychain" and fresh.source == "keychain"
    assert "in the system keychain" in fresh.status(SETTINGS)
    # an explicit environment variable wins (unattended runs name their password)
    assert PasswordStore(backend=backend, environ={ENV_VAR: "env"}).get(SETTINGS) == "env"
    assert fresh.forget(SETTINGS) is True and backend.store == {}
    assert fresh.forget(SETTINGS) is False


def test_a_keychain_that_fails_falls_back_to_the_prompt() -> None:
    store = PasswordStore(backend=LockedKeyring(), prompt=lambda username: "typed", environ={})
    assert store.get(SETTINGS) == "typed" and store.source == "prompt"


# -- the command -----------------------------------------------------------------------------------
@pytest.mark.slow
def test_settings_smtp_saves_and_shows(tmp_path: Path) -> None:
    library = make_library(tmp_path / "library.json")
    saved = run_cli(
        library,
        "settings",
        "smtp",
        "--host",
        "smtp.example.org",
        "--port",
        "2525",
        "--user",
        "ann",
        "--from",
        "Newsroom <newsroom@example.org>",
        "--reply-to",
        "press@example.org",
    )
    assert saved.returncode == 0, saved.stderr
    assert "Saved the SMTP settings" in saved.stdout
    shown = run_cli(library, "settings", "smtp", "--show")
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert "smtp.example.org" in out and "2525" in out and "STARTTLS" in out
    assert "newsroom@example.org" in out and "press@example.org" in out
    assert "no keychain on this system" in out  # the fail backend: never a file instead

    refused = run_cli(library, "settings", "smtp", "--security", "none")
    assert refused.returncode == 1
    assert "only allowed for a server on this machine" in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.mark.slow
def test_settings_smtp_password_is_never_written_without_a_keychain(tmp_path: Path) -> None:
    library = make_library(tmp_path / "library.json", {"host": "smtp.example.org", "user": "ann"})
    secret = "Never-On-Disk-42"
    result = run_cli(library, "settings", "smtp", "--password", input=secret + "\n")
    assert result.returncode == 1
    assert "no usable keychain" in result.stderr and ENV_VAR in result.stderr
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert secret.encode() not in path.read_bytes(), path


def test_what_a_send_cannot_do_without() -> None:
    assert missing_for_sending(SmtpSettings()) == ["host", "sender_address"]
    assert missing_for_sending(SmtpSettings(), "News <news@example.org>") == ["host"]
    ready = SmtpSettings(host="smtp.example.org", sender_address="news@example.org")
    assert missing_for_sending(ready) == []
