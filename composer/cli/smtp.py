"""``newsdigest settings smtp``: save or show the SMTP server, sender and password.

``settings smtp [--host H] [--port P] [--security S] [--user U] [--from
ADDRESS] [--reply-to ADDRESS] [--ca-file F] ... [--password]
[--forget-password] [--show]`` saves the SMTP settings in the library
(``--password`` asks for the password and keeps it in the system keychain, never
on disk) or shows them, with a warning when the port and the security do not go
together (465 is TLS from the first byte, 587 STARTTLS). :func:`smtp_changes`
reads the same fields for ``send``'s this-run-only overrides.
"""

from __future__ import annotations

import argparse
from typing import Any

from composer.cli.options import ShowAction
from composer.errors import NewsdigestError
from composer.repository import Library
from composer.secrets import ENV_VAR, PasswordStore
from composer.smtp_settings import (
    FIELDS,
    SmtpSettings,
    describe,
    merge_smtp,
    parse_from,
    security_warnings,
    smtp_from_settings,
)


def register(subparsers: argparse._SubParsersAction) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    """Add ``settings`` with its ``smtp`` section; returns the sections for the others."""
    p = subparsers.add_parser("settings", help="show or change settings (smtp, theme)")
    sections: argparse._SubParsersAction = p.add_subparsers(  # type: ignore[type-arg]
        dest="settings_section", metavar="SECTION", required=True
    )
    s = sections.add_parser(
        "smtp",
        help="the SMTP server and sender used by `newsdigest send`",
        description="Save the SMTP settings in the library, or show them. The password is "
        "kept in the system keychain, never in the library.",
    )
    for spec in FIELDS:
        s.add_argument(
            spec.flag,
            dest=f"smtp_{spec.name}",
            metavar=spec.name.upper().replace("_", "-"),
            help=spec.help + (" ('' to clear)" if spec.kind is str else ""),
        )
    s.add_argument(
        "--password",
        action="store_true",
        help="ask for the password and keep it in the system keychain (read from standard "
        "input when it is not a terminal)",
    )
    s.add_argument(
        "--forget-password", action="store_true", help="remove the password from the keychain"
    )
    s.add_argument("--show", action=ShowAction, help="show the settings (changes nothing)")
    s.set_defaults(handler=cmd_settings_smtp)
    return sections


def smtp_changes(args: argparse.Namespace, *, send: bool) -> dict[str, Any]:
    """The SMTP settings given on the command line, as field -> value."""
    changes: dict[str, Any] = {}
    for spec in FIELDS:
        if send and not spec.send_flag:
            continue
        value = getattr(args, f"smtp_{spec.name}", None)
        if value is None:
            continue
        if spec.name == "sender_address" and value.strip():
            changes.update(parse_from(value, f"{spec.send_flag if send else spec.flag}"))
        else:
            changes[spec.name] = value
    return changes


def _print_security_warnings(smtp: SmtpSettings, prefix: str = "") -> None:
    """Say when the port and the security do not go together (465 with starttls...)."""
    for text in security_warnings(smtp):
        print(f"{prefix}warning: {text}")


# -- settings smtp ---------------------------------------------------------------------------------
def _read_password_from_stdin() -> str:
    from composer.cli.library import read_password

    return read_password("SMTP password: ")


def cmd_settings_smtp(args: argparse.Namespace, library: Library) -> int:
    changes = smtp_changes(args, send=False)
    if args.show and (changes or args.password or args.forget_password):
        raise NewsdigestError("--show only shows: run the changes first, then --show")
    stored = library.settings()
    if changes:
        library.update_settings(merge_smtp(stored, changes))
        stored = library.settings()
        print(f"Saved the SMTP settings in {library.location}.")
    smtp = smtp_from_settings(stored)
    if changes:
        _print_security_warnings(smtp)
    passwords = PasswordStore()
    if args.password or args.forget_password:
        if not smtp.user:
            raise NewsdigestError("set the user name first (--user NAME): the password is theirs")
        if not smtp.host:
            raise NewsdigestError("set the server first (--host NAME)")
    if args.forget_password:
        removed = passwords.forget(smtp)
        print(
            f"Removed the password of {smtp.keyring_username} from the keychain."
            if removed
            else f"The keychain holds no password for {smtp.keyring_username}."
        )
    if args.password:
        password = _read_password_from_stdin()
        if not password:
            raise NewsdigestError("the password is empty; nothing was stored")
        if passwords.save(smtp, password):
            print(f"Stored the password of {smtp.keyring_username} in the system keychain.")
        else:
            raise NewsdigestError(
                "there is no usable keychain on this system, so the password was not stored "
                f"(Newsdigest never writes it to disk): set {ENV_VAR} for unattended runs, or "
                "type it when `newsdigest send` asks"
            )
    if args.show or not (changes or args.password or args.forget_password):
        _show(smtp, passwords, library)
    return 0


def _show(smtp: SmtpSettings, passwords: PasswordStore, library: Library) -> None:
    print(f"SMTP settings of {library.location}:")
    rows = describe(smtp)
    rows.append(("Password", passwords.status(smtp)))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    _print_security_warnings(smtp)
