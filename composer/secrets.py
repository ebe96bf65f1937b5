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
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

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
