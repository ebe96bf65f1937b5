"""The ``newsdigest unsubscribe`` commands: check a token, make a reader's link, show the key.

* ``unsubscribe verify TOKEN EMAIL``: exit 0 when ``TOKEN`` is the unsubscribe
  token of ``EMAIL`` under the key, 1 when not (what an organisation's web form
  does, for a test or a script).
* ``unsubscribe link EMAIL``: the token of ``EMAIL`` and, when the theme's
  unsubscribe url has placeholders, that reader's url.
* ``unsubscribe key [--show] [--new [--replace]]``: where the key is kept;
  ``--show`` prints it (64 hexadecimal digits) for the web form's
  configuration, after a warning on standard error; ``--new`` makes one (kept
  in the keychain, or printed for ``NEWSDIGEST_UNSUBSCRIBE_KEY`` where there is
  no keychain).

The token is ``base64url(HMAC-SHA256(key, lower(email)))[:22]``, see
:mod:`composer.email.unsubscribe`.
"""

from __future__ import annotations

import argparse
import sys

from composer.email.unsubscribe import fill, is_personal, make_token, verify_token
from composer.errors import NewsdigestError
from composer.repository import Library
from composer.secrets import KEY_ENV_VAR, UnsubscribeKeyStore
from composer.theme.model import theme_from_settings

WARNING = (
    "warning: this key lets anyone make valid unsubscribe links for every reader. Put it only "
    "in the configuration of your unsubscribe web form (as a secret), never in a page, a "
    "document or a chat."
)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``unsubscribe`` (``verify``, ``link``, ``key``) to the ``newsdigest`` command."""
    p = subparsers.add_parser(
        "unsubscribe",
        help="per-reader unsubscribe links: check a token, make a link, show the key",
        description="The unsubscribe url of the theme may carry {email} and {token}; the token "
        "is base64url(HMAC-SHA256(key, lower(email)))[:22], with the key kept in the system "
        f"keychain (or in {KEY_ENV_VAR}).",
    )
    commands = p.add_subparsers(dest="unsubscribe_command", metavar="COMMAND", required=True)
    v = commands.add_parser(
        "verify",
        help="exit 0 when TOKEN is the unsubscribe token of EMAIL, 1 when not",
        description="Check a token as the organisation's web form would: exit status 0 when "
        "it is valid, 1 when not.",
    )
    v.add_argument("token", metavar="TOKEN")
    v.add_argument("email", metavar="EMAIL")
    v.set_defaults(run=cmd_verify)
    link = commands.add_parser(
        "link",
        help="the token of EMAIL, and the reader's unsubscribe url",
        description="Print the token of EMAIL and, when the theme's unsubscribe url has "
        "{email} or {token}, that reader's url.",
    )
    link.add_argument("email", metavar="EMAIL")
    link.set_defaults(handler=cmd_link, library_read_only=True)
    k = commands.add_parser(
        "key",
        help="where the unsubscribe key is kept; --show prints it for the web form",
        description="Say where the key of the unsubscribe tokens is kept. --show prints it "
        "(hexadecimal) for the configuration of the organisation's web form.",
    )
    k.add_argument(
        "--show",
        action="store_true",
        help="print the key (made and kept in the keychain if there is none yet)",
    )
    k.add_argument("--new", action="store_true", help="make a new key")
    k.add_argument(
        "--replace",
        action="store_true",
        help="with --new: replace the key in the keychain (links already sent stop working)",
    )
    k.set_defaults(run=cmd_key)


def _key(store: UnsubscribeKeyStore) -> bytes:
    key = store.get()
    if key is None:
        raise NewsdigestError(
            "there is no unsubscribe key yet (none in the keychain, and "
            f"{KEY_ENV_VAR} is not set): it is made by the first send whose unsubscribe url "
            "has {token}, or by `newsdigest unsubscribe key --show`"
        )
    return key


def cmd_verify(args: argparse.Namespace, store: UnsubscribeKeyStore | None = None) -> int:
    store = store if store is not None else UnsubscribeKeyStore()
    key = _key(store)
    if verify_token(key, args.token, args.email):
        print(f"valid: the unsubscribe token of {args.email.strip()}")
        return 0
    print(f"not valid: {args.token.strip()!r} is not the unsubscribe token of {args.email.strip()}")
    return 1


def cmd_link(
    args: argparse.Namespace, library: Library, store: UnsubscribeKeyStore | None = None
) -> int:
    store = store if store is not None else UnsubscribeKeyStore()
    key = _key(store)
    email = args.email.strip()
    print(f"token: {make_token(key, email)}")
    url = theme_from_settings(library.settings()).unsubscribe_url
    if url and is_personal(url):
        print(f"url: {fill(url, email, key)}")
    else:
        print(
            "the theme's unsubscribe url has no {email} or {token}: every reader gets the same "
            "one (`newsdigest settings theme --unsubscribe-url 'https://…?u={email}&t={token}'`)"
        )
    return 0


def cmd_key(args: argparse.Namespace, store: UnsubscribeKeyStore | None = None) -> int:
    store = store if store is not None else UnsubscribeKeyStore()
    if args.replace and not args.new:
        raise NewsdigestError("--replace goes with --new")
    if args.new:
        return _new_key(args, store)
    if not args.show:
        print(f"unsubscribe key: {store.status()}")
        return 0
    key = store.get_or_create()
    print(WARNING, file=sys.stderr, flush=True)
    if store.source == "generated":
        print(
            f"A new key was made and kept in the system keychain ({store.keychain_name()}).",
            file=sys.stderr,
        )
    print(key.hex())
    return 0


def _new_key(args: argparse.Namespace, store: UnsubscribeKeyStore) -> int:
    if store.environ.get(KEY_ENV_VAR) or not store.keychain_available:
        key = store.generate(32)
        print(WARNING, file=sys.stderr, flush=True)
        where = (
            f"the key in use comes from {KEY_ENV_VAR}"
            if store.environ.get(KEY_ENV_VAR)
            else "there is no usable keychain on this system"
        )
        print(
            f"This key was not stored ({where}): set {KEY_ENV_VAR} to it for every send, and "
            "give the same key to the web form. Newsdigest does not write it to disk.",
            file=sys.stderr,
        )
        print(key.hex())
        return 0
    if store.get() is not None and not args.replace:
        raise NewsdigestError(
            "the keychain already holds an unsubscribe key; a new one makes every unsubscribe "
            "link already sent fail the check. Add --replace if that is what you mean"
        )
    key = store.replace()
    print(WARNING, file=sys.stderr, flush=True)
    print(f"A new key is in the system keychain ({store.keychain_name()}).", file=sys.stderr)
    print(key.hex())
    return 0
