"""Per-reader unsubscribe links: tokens, the key in the keychain, the headers, the commands."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from pathlib import Path

import pytest
from helpers.send_servers import MemoryKeyring, make_library, run_cli
from keyring.backends import fail, null

from composer.email.unsubscribe import (
    UnsubscribeRule,
    fill,
    is_personal,
    make_token,
    needs_key,
    verify_token,
)
from composer.errors import NewsdigestError
from composer.secrets import (
    KEY_ENV_VAR,
    KEY_SERVICE,
    KEY_USERNAME,
    UnsubscribeKeyError,
    UnsubscribeKeyStore,
)

KEY = bytes.fromhex("8f" * 16 + "1a" * 16)
HEX = KEY.hex()


# -- the token -------------------------------------------------------------------------------------
def test_the_token_is_the_documented_formula() -> None:
    for email in ("ann@example.org", "Bo.Jensen+news@Example.ORG", "zoë@bücher.example"):
        mac = hmac.new(KEY, email.lower().encode("utf-8"), hashlib.sha256).digest()
        expected = base64.urlsafe_b64encode(mac).decode("ascii")[:22]
        token = make_token(KEY, email)
        assert token == expected and len(token) == 22
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", token)


def test_tokens_verify_for_their_address_only() -> None:
    token = make_token(KEY, "ann@example.org")
    assert verify_token(KEY, token, "ann@example.org")
    assert verify_token(KEY, token, "ANN@example.org")  # the address is lower-cased
    assert verify_token(KEY, f" {token} ", "ann@example.org ")
    assert not verify_token(KEY, token, "bo@example.org")
    assert not verify_token(bytes(32), token, "ann@example.org")
    assert not verify_token(KEY, token[:-1] + ("A" if token[-1] != "A" else "B"), "ann@example.org")
    assert not verify_token(KEY, "", "ann@example.org")
    assert not verify_token(KEY, "ünïcode", "ann@example.org")


def test_placeholders_are_url_encoded_when_filled() -> None:
    url = "https://ex.org/leave?u={email}&t={token}"
    assert is_personal(url) and needs_key(url)
    assert is_personal("https://ex.org/{email}") and not needs_key("https://ex.org/{email}")
    assert not is_personal("https://ex.org/leave") and not is_personal(None)
    filled = fill(url, "bo+news@example.org", KEY)
    token = make_token(KEY, "bo+news@example.org")
    assert filled == f"https://ex.org/leave?u=bo%2Bnews@example.org&t={token}"
    assert fill("https://ex.org/u/{email}", "a&b=c@example.org", None) == (
        "https://ex.org/u/a%26b%3Dc@example.org"
    )
    with pytest.raises(ValueError, match="no key"):
        fill(url, "ann@example.org", None)


def test_the_rule_of_the_headers() -> None:
    personal = UnsubscribeRule("https://ex.org/u?e={email}&t={token}", key=KEY)
    assert personal.personal and personal.one_click and not personal.shared
    assert personal.entries("ann@example.org") == [
        f"<https://ex.org/u?e=ann@example.org&t={make_token(KEY, 'ann@example.org')}>"
    ]
    assert personal.entries("ann@example.org") != personal.entries("bo@example.org")
    # a personal mailto from the SMTP settings goes beside it, after the https url
    both = UnsubscribeRule(
        "https://ex.org/u/{email}", "mailto:leave@ex.org?subject=leave%20{email}", "n@ex.org"
    )
    assert both.entries("ann@example.org") == [
        "<https://ex.org/u/ann@example.org>",
        "<mailto:leave@ex.org?subject=leave%20ann@example.org>",
    ]
    plain_http = UnsubscribeRule("http://ex.org/u/{email}")
    assert plain_http.personal and not plain_http.one_click
    shared = UnsubscribeRule("https://ex.org/u", sender="news@ex.org")
    assert shared.shared and not shared.one_click
    assert shared.entries("ann@example.org") == [
        "<https://ex.org/u>",
        "<mailto:news@ex.org?subject=unsubscribe%20ann@example.org>",
    ]
    assert UnsubscribeRule(None, sender="news@ex.org").header("ann@example.org") is None


# -- the key ---------------------------------------------------------------------------------------
def test_the_key_is_made_once_and_kept_in_the_keychain() -> None:
    backend = MemoryKeyring()
    store = UnsubscribeKeyStore(backend=backend, environ={})
    assert store.get() is None
    assert "none yet" in store.status()
    key = store.get_or_create()
    assert len(key) == 32 and store.source == "generated"
    assert backend.store[(KEY_SERVICE, KEY_USERNAME)] == key.hex()
    again = UnsubscribeKeyStore(backend=backend, environ={})
    assert again.get_or_create() == key and again.source == "keychain"
    assert "in the system keychain" in again.status()
    assert key.hex() not in again.status()


def test_the_environment_wins_and_is_checked() -> None:
    backend = MemoryKeyring()
    store = UnsubscribeKeyStore(backend=backend, environ={KEY_ENV_VAR: HEX.upper()})
    assert store.get_or_create() == KEY and store.source == "environment"
    assert backend.store == {}  # nothing stored
    assert KEY_ENV_VAR in store.status()
    for bad in ("abc", "zz" * 32, HEX + "00"):
        with pytest.raises(UnsubscribeKeyError, match=f"{KEY_ENV_VAR} must be .* 64 hex"):
            UnsubscribeKeyStore(backend=backend, environ={KEY_ENV_VAR: bad}).get()


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()])
def test_without_a_keychain_no_key_is_made_behind_the_users_back(backend: object) -> None:
    made: list[int] = []

    def generate(size: int) -> bytes:
        made.append(size)
        return bytes(size)

    store = UnsubscribeKeyStore(backend=backend, environ={}, generate=generate)
    with pytest.raises(UnsubscribeKeyError, match=f"no usable keychain: set {KEY_ENV_VAR}"):
        store.get_or_create()
    assert made == []
    assert "does not write the key to disk" in store.status()
    assert UnsubscribeKeyStore(backend=backend, environ={KEY_ENV_VAR: HEX}).get() == KEY


def test_a_locked_keychain_is_said_clearly() -> None:
    class Locked(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise RuntimeError("the keychain is locked")

    with pytest.raises(NewsdigestError, match=r"keychain could not be read.*locked"):
        UnsubscribeKeyStore(backend=Locked(), environ={}).get_or_create()


# -- the commands ----------------------------------------------------------------------------------
def test_verify_exits_0_for_a_valid_token_and_1_for_another(tmp_path: Path) -> None:
    library = tmp_path / "none.json"  # verify needs no library
    token = make_token(KEY, "ann@example.org")
    good = run_cli(library, "unsubscribe", "verify", token, "Ann@Example.org", **{KEY_ENV_VAR: HEX})
    assert good.returncode == 0, good.stderr
    assert "valid" in good.stdout
    bad = run_cli(library, "unsubscribe", "verify", token, "bo@example.org", **{KEY_ENV_VAR: HEX})
    assert bad.returncode == 1 and "not valid" in bad.stdout
    nokey = run_cli(library, "unsubscribe", "verify", token, "ann@example.org")
    assert nokey.returncode == 1 and "no unsubscribe key yet" in nokey.stderr
    assert not library.exists()


def test_key_show_warns_then_prints_the_key(tmp_path: Path) -> None:
    library = tmp_path / "none.json"
    shown = run_cli(library, "unsubscribe", "key", "--show", **{KEY_ENV_VAR: HEX})
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == HEX
    assert shown.stderr.startswith("warning:") and "web form" in shown.stderr
    status = run_cli(library, "unsubscribe", "key", **{KEY_ENV_VAR: HEX})
    assert HEX not in status.stdout and KEY_ENV_VAR in status.stdout
    # the tests' environment has no keychain: nothing can be kept, and it says what to do
    none = run_cli(library, "unsubscribe", "key", "--show")
    assert none.returncode == 1 and KEY_ENV_VAR in none.stderr and none.stdout == ""
    new = run_cli(library, "unsubscribe", "key", "--new")
    assert new.returncode == 0 and re.fullmatch(r"[0-9a-f]{64}\n", new.stdout)
    assert "not stored" in new.stderr
    assert not any(
        new.stdout.strip() in p.read_text("utf-8", "replace") for p in tmp_path.rglob("*")
    )


def test_link_prints_the_token_and_the_readers_url(tmp_path: Path) -> None:
    url = "https://news.example.org/leave?u={email}&t={token}"
    library = make_library(tmp_path / "library.json", unsubscribe_url=url)
    result = run_cli(library, "unsubscribe", "link", "ann@example.org", **{KEY_ENV_VAR: HEX})
    assert result.returncode == 0, result.stderr
    token = make_token(KEY, "ann@example.org")
    assert f"token: {token}" in result.stdout
    assert f"url: https://news.example.org/leave?u=ann@example.org&t={token}" in result.stdout


def test_key_show_and_new_with_a_keychain(capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from composer.cli.unsubscribe import cmd_key

    backend = MemoryKeyring()

    def run(**flags: bool) -> str:
        args = argparse.Namespace(**{"show": False, "new": False, "replace": False, **flags})
        assert cmd_key(args, UnsubscribeKeyStore(backend=backend, environ={})) == 0
        return capsys.readouterr().out.strip()

    assert "none yet" in run()
    first = run(show=True)
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert backend.store[(KEY_SERVICE, KEY_USERNAME)] == first
    assert run(show=True) == first  # made once
    assert "in the system keychain" in run() and first not in run()
    with pytest.raises(NewsdigestError, match=r"already holds an unsubscribe key.*--replace"):
        cmd_key(
            argparse.Namespace(show=False, new=True, replace=False),
            UnsubscribeKeyStore(backend=backend, environ={}),
        )
    with pytest.raises(NewsdigestError, match="--replace goes with --new"):
        cmd_key(
            argparse.Namespace(show=False, new=False, replace=True),
            UnsubscribeKeyStore(backend=backend, environ={}),
        )
    second = run(new=True, replace=True)
    assert second != first and backend.store[(KEY_SERVICE, KEY_USERNAME)] == second


def test_a_locked_keychain_status_says_so() -> None:
    class Locked(MemoryKeyring):
        def get_password(self, service: str, username: str) -> str | None:
            raise RuntimeError("the keychain is locked")

    assert "could not be read" in UnsubscribeKeyStore(backend=Locked(), environ={}).status()
