"""The SMTP password: in the system keychain, else from the environment or asked once per run.

The password is never a setting and is never written to disk by Newsdigest. It is
looked up, in this order:

1. the password already given in this run (kept in memory only);
2. the environment variable ``NEWSDIGEST_SMTP_PASSWORD`` (unattended runs: a
   scheduler, a CI job);
3. the system keychain through ``keyring``: service ``"Newsdigest SMTP"``, user
   name ``"user@host:port"``;
4. the ``prompt`` callback (a terminal prompt, a dialog), whose answer is kept in
   memory for the rest of the run.

Where no keychain exists (``keyring``'s *fail* or *null* backend, or a backend
that raises), :meth:`PasswordStore.save` keeps the password in memory only and
says so; nothing falls back to a file.

The key of the unsubscribe tokens (:mod:`composer.email.unsubscribe`) is kept beside
it by :class:`UnsubscribeKeyStore`, with the same fallbacks: the environment
variable ``NEWSDIGEST_UNSUBSCRIBE_KEY`` (64 hexadecimal digits) first, then the
keychain (service ``"Newsdigest unsubscribe"``, user name ``"token-key"``),
where it is generated once (32 random bytes from :func:`secrets.token_bytes`)
the first time a send needs it. Without a keychain the key is never generated
behind the user's back (links made with a key nobody kept could never be
checked): the send stops and says to set the environment variable.

The password of a PostgreSQL library's role is libpq's business first (the url,
``PGPASSWORD``, ``~/.pgpass``); only when none of them gives one does the store ask
:class:`DatabasePasswordStore`, the keychain (service ``"Newsdigest database"``, user
name ``"role@host:port/database"``). It is never a setting either.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from composer.errors import NewsdigestError
from composer.smtp_settings import SmtpSettings

log = logging.getLogger(__name__)

SERVICE = "Newsdigest SMTP"
ENV_VAR = "NEWSDIGEST_SMTP_PASSWORD"

#: Asks for the password of ``user@host:port`` (the argument); None when the user declines.
Prompt = Callable[[str], "str | None"]


def default_backend() -> Any:
    """The keyring backend ``keyring`` chose for this system (or names in its environment)."""
    import keyring

    return keyring.get_keyring()


def backend_usable(backend: Any) -> bool:
    """False for keyring's stand-ins that store nothing (*fail*, *null*) and for missing ones."""
    if backend is None:
        return False
    try:
        from keyring.backends import fail, null

        if isinstance(backend, fail.Keyring | null.Keyring):
            return False
        priority = float(backend.priority)
    except Exception as exc:  # a third-party backend whose priority check itself fails
        log.info("keychain backend %r is not usable: %s", backend, exc)
        return False
    return priority > 0


class PasswordStore:
    """Finds, saves and forgets the SMTP password; one per run (the memory is the run's)."""

    def __init__(
        self,
        *,
        backend: Any = None,
        prompt: Prompt | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._backend = backend
        self._backend_loaded = backend is not None
        self.prompt = prompt
        self.environ = os.environ if environ is None else environ
        self._memory: dict[str, str] = {}
        #: Where the last password came from: "memory", "environment", "keychain", "prompt".
        self.source = ""

    @property
    def backend(self) -> Any:
        if not self._backend_loaded:
            self._backend_loaded = True
            try:
                self._backend = default_backend()
            except Exception as exc:  # keyring's own set-up failing (broken config, D-Bus)
                log.info("no keychain: %s", exc)
                self._backend = None
        return self._backend

    @property
    def keychain_available(self) -> bool:
        return backend_usable(self.backend)

    def keychain_name(self) -> str:
        backend = self.backend
        if not backend_usable(backend):
            return "none"
        return str(getattr(backend, "name", type(backend).__name__))

    def _keychain_get(self, username: str) -> str | None:
        if not self.keychain_available:
            return None
        try:
            value = self.backend.get_password(SERVICE, username)
        except Exception as exc:  # locked keychain, D-Bus error, user cancelled the unlock
            log.warning("the keychain could not be read: %s", exc)
            return None
        return value if isinstance(value, str) and value else None

    def get(self, settings: SmtpSettings) -> str | None:
        """The password for ``settings.user`` at the server, or None when none can be had."""
        username = settings.keyring_username
        if username in self._memory:
            self.source = "memory"
            return self._memory[username]
        from_env = self.environ.get(ENV_VAR)
        if from_env:
            self.source = "environment"
            self._memory[username] = from_env
            return from_env
        stored = self._keychain_get(username)
        if stored is not None:
            self.source = "keychain"
            self._memory[username] = stored
            return stored
        if self.prompt is not None:
            answer = self.prompt(username)
            if answer:
                self.source = "prompt"
                self._memory[username] = answer
                return answer
        return None

    def remember(self, settings: SmtpSettings, password: str) -> None:
        """Keep ``password`` for this run only (in memory)."""
        self._memory[settings.keyring_username] = password

    def save(self, settings: SmtpSettings, password: str) -> bool:
        """Store ``password`` in the keychain; True when it is stored there.

        Without a keychain (or when it refuses), the password is kept in memory
        for this run only and False is returned: nothing is written to disk.
        """
        self.remember(settings, password)
        if not self.keychain_available:
            return False
        try:
            self.backend.set_password(SERVICE, settings.keyring_username, password)
        except Exception as exc:  # locked or read-only keychain
            log.warning("the keychain refused the password: %s", exc)
            return False
        return True

    def forget(self, settings: SmtpSettings) -> bool:
        """Remove the password from memory and the keychain; True when the keychain had one."""
        username = settings.keyring_username
        self._memory.pop(username, None)
        if not self.keychain_available:
            return False
        try:
            self.backend.delete_password(SERVICE, username)
        except Exception as exc:  # PasswordDeleteError: there was none
            log.info("no password to remove from the keychain: %s", exc)
            return False
        return True

    def status(self, settings: SmtpSettings) -> str:
        """Where the password would come from, in words, for ``settings smtp --show``."""
        if not settings.user:
            return "no login (no user name set)"
        if self.environ.get(ENV_VAR):
            return f"from the environment variable {ENV_VAR}"
        if not self.keychain_available:
            return (
                f"no keychain on this system: asked for once per run, or set {ENV_VAR} "
                "(never written to disk)"
            )
        if self._keychain_get(settings.keyring_username) is not None:
            return f"in the system keychain ({self.keychain_name()})"
        return (
            "not in the keychain yet: store it with `newsdigest settings smtp --password`, "
            "or it is asked for at each run"
        )


# -- the unsubscribe key ---------------------------------------------------------------------------
KEY_SERVICE = "Newsdigest unsubscribe"
KEY_USERNAME = "token-key"
KEY_ENV_VAR = "NEWSDIGEST_UNSUBSCRIBE_KEY"
KEY_BYTES = 32


class UnsubscribeKeyError(NewsdigestError):
    """The unsubscribe key cannot be had (no keychain, a malformed environment variable)."""


def parse_key(text: str, where: str) -> bytes:
    """The 32 bytes of a key written as 64 hexadecimal digits; a clear error naming ``where``."""
    value = text.strip()
    try:
        key = bytes.fromhex(value)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise UnsubscribeKeyError(
            f"{where} must be the unsubscribe key as {2 * KEY_BYTES} hexadecimal digits "
            f"(it has {len(value)} characters)"
        )
    return key


def _no_keychain_hint() -> str:
    return (
        f"set {KEY_ENV_VAR} to {2 * KEY_BYTES} hexadecimal digits (`newsdigest unsubscribe key "
        "--new` makes some) in the environment of every send; Newsdigest does not write the "
        "key to disk"
    )


class UnsubscribeKeyStore:
    """Finds, makes and keeps the key of the unsubscribe tokens; one per run."""

    def __init__(
        self,
        *,
        backend: Any = None,
        environ: Mapping[str, str] | None = None,
        generate: Callable[[int], bytes] = secrets.token_bytes,
    ) -> None:
        self._passwords = PasswordStore(backend=backend, environ=environ)
        self.environ = self._passwords.environ
        self.generate = generate
        self._key: bytes | None = None
        #: Where the key came from: "environment", "keychain", "generated" (and stored).
        self.source = ""

    @property
    def keychain_available(self) -> bool:
        return self._passwords.keychain_available

    def keychain_name(self) -> str:
        return self._passwords.keychain_name()

    @property
    def _backend(self) -> Any:
        return self._passwords.backend

    def _from_keychain(self) -> bytes | None:
        if not self.keychain_available:
            return None
        try:
            value = self._backend.get_password(KEY_SERVICE, KEY_USERNAME)
        except Exception as exc:  # locked keychain, D-Bus error
            raise UnsubscribeKeyError(
                f"the keychain could not be read for the unsubscribe key: {exc}"
            ) from None
        if not isinstance(value, str) or not value:
            return None
        return parse_key(value, f"the keychain entry {KEY_SERVICE!r}")

    def get(self) -> bytes | None:
        """The key from the environment or the keychain, or None when there is none yet."""
        if self._key is not None:
            return self._key
        from_env = self.environ.get(KEY_ENV_VAR)
        if from_env:
            self._key, self.source = parse_key(from_env, KEY_ENV_VAR), "environment"
            return self._key
        stored = self._from_keychain()
        if stored is not None:
            self._key, self.source = stored, "keychain"
        return self._key

    def _store(self, key: bytes) -> None:
        try:
            self._backend.set_password(KEY_SERVICE, KEY_USERNAME, key.hex())
        except Exception as exc:  # locked or read-only keychain
            raise UnsubscribeKeyError(
                f"the keychain refused the unsubscribe key ({exc}); {_no_keychain_hint()}"
            ) from None

    def get_or_create(self) -> bytes:
        """The key; generated once and stored in the keychain when there is none yet."""
        key = self.get()
        if key is not None:
            return key
        if not self.keychain_available:
            raise UnsubscribeKeyError(
                "the unsubscribe url has {token}, whose key is kept in the system keychain, and "
                f"this system has no usable keychain: {_no_keychain_hint()}"
            )
        key = self.generate(KEY_BYTES)
        self._store(key)
        self._key, self.source = key, "generated"
        return key

    def replace(self) -> bytes:
        """A new key in the keychain, in place of the old one (every link sent stops working)."""
        if not self.keychain_available:
            raise UnsubscribeKeyError(
                f"there is no usable keychain to keep a new key: {_no_keychain_hint()}"
            )
        key = self.generate(KEY_BYTES)
        self._store(key)
        self._key, self.source = key, "generated"
        return key

    def status(self) -> str:
        """Where the key comes from, in words (never the key)."""
        if self.environ.get(KEY_ENV_VAR):
            return f"from the environment variable {KEY_ENV_VAR}"
        if not self.keychain_available:
            return f"no keychain on this system: {_no_keychain_hint()}"
        try:
            stored = self._from_keychain()
        except UnsubscribeKeyError as exc:
            return str(exc)
        if stored is not None:
            return f"in the system keychain ({self.keychain_name()})"
        return "none yet: it is made and kept in the keychain the first time a send needs it"


# -- the password of a PostgreSQL library ----------------------------------------------------------
DATABASE_SERVICE = "Newsdigest database"


class DatabasePasswordStore:
    """A PostgreSQL role's password in the keychain, asked for when libpq's sources gave none.

    ``account`` is ``"role@host:port/database"`` (:mod:`store.postgres.connect` makes it).
    Without a usable keychain nothing is found and nothing is saved; nothing is ever
    written to disk.
    """

    def __init__(self, *, backend: Any = None) -> None:
        self._passwords = PasswordStore(backend=backend, environ={})

    @property
    def keychain_available(self) -> bool:
        return self._passwords.keychain_available

    def get(self, account: str) -> str | None:
        if not self.keychain_available:
            return None
        try:
            value = self._passwords.backend.get_password(DATABASE_SERVICE, account)
        except Exception as exc:  # locked keychain, D-Bus error, user cancelled the unlock
            log.warning("the keychain could not be read: %s", exc)
            return None
        return value if isinstance(value, str) and value else None

    def save(self, account: str, password: str) -> bool:
        """Store ``password`` for ``account``; True when the keychain took it."""
        if not self.keychain_available:
            return False
        try:
            self._passwords.backend.set_password(DATABASE_SERVICE, account, password)
        except Exception as exc:  # locked or read-only keychain
            log.warning("the keychain refused the database password: %s", exc)
            return False
        return True

    def forget(self, account: str) -> bool:
        """Remove the password of ``account``; True when the keychain had one."""
        if not self.keychain_available:
            return False
        try:
            self._passwords.backend.delete_password(DATABASE_SERVICE, account)
        except Exception as exc:  # PasswordDeleteError: there was none
            log.info("no database password to remove from the keychain: %s", exc)
            return False
        return True
