"""Downloading an import source (a feed, a web page, an export) over http or https only.

Only http(s) is ever opened, redirects included (urllib's default redirect handler
would follow ``ftp:``); the whole download has a time limit and a size cap, read in
chunks so a huge or endless body never fills memory. Every failure is a
:class:`SourceError` naming the URL.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.message
import http.client
import time
import urllib.error
import urllib.request
from typing import IO, Any
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from composer.errors import SourceError, ValidationError
from composer.library.importers.base import MAX_SOURCE_BYTES, too_large_message
from composer.urls import WEB_SCHEMES, check_web_url

#: Seconds a download may take, in all.
DEFAULT_TIMEOUT = 15.0
_CHUNK = 64 * 1024
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "text/html;q=0.8, application/xhtml+xml;q=0.8, application/json;q=0.8, text/csv;q=0.8, "
    "text/plain;q=0.7, */*;q=0.5"
)


def user_agent() -> str:
    """``Newsdigest/VERSION``, the User-Agent of every download."""
    from composer.version import version

    return f"Newsdigest/{version()}"


def __getattr__(name: str) -> str:
    if name == "USER_AGENT":  # looked up on first use: the version costs start-up time
        return user_agent()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclasses.dataclass(frozen=True)
class Download:
    """What a URL gave: its bytes, the address they finally came from, their content type."""

    url: str
    final_url: str
    data: bytes
    content_type: str


class _RefusedRedirect(Exception):
    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


class _WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects only to http and https addresses (urllib's own also follows ftp)."""

    def http_error_302(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: email.message.Message,
    ) -> Any:
        target = headers.get("Location") or headers.get("URI")
        if target:
            newurl = urljoin(req.full_url, target.strip())
            if urlsplit(newurl).scheme.lower() not in WEB_SCHEMES:
                fp.close()
                raise _RefusedRedirect(newurl)
        return super().http_error_302(req, fp, code, msg, headers)  # type: ignore[arg-type]

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener() -> urllib.request.OpenerDirector:
    """An opener with http(s) handlers only: no ftp, file or data handlers at all."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        _WebOnlyRedirects(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def ascii_url(url: str) -> str:
    """``url`` as it goes on the wire: the host in IDNA, the rest percent-encoded UTF-8.

    People copy addresses from the browser's address bar as they read them
    (``https://exemple.fr/actualités``); http needs them in ASCII.
    """
    try:
        url.encode("ascii")
        return url
    except UnicodeEncodeError:
        pass
    parts = urlsplit(url)
    host = parts.hostname or ""
    with contextlib.suppress(UnicodeError):  # else left as it is: "host not found" follows
        host = host.encode("idna").decode("ascii")
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    if parts.username:
        netloc = f"{quote(parts.username)}@{netloc}"
    safe = "/%:@!$&'()*+,;=-._~"
    return urlunsplit(
        (
            parts.scheme,
            netloc,
            quote(parts.path, safe=safe),
            quote(parts.query, safe=safe + "?"),
            quote(parts.fragment, safe=safe + "?"),
        )
    )


def _limit_wait(response: Any, seconds: float) -> None:
    """Let one read of ``response`` wait at most ``seconds`` (the socket's own timeout)."""
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.settimeout(max(0.05, seconds))


def fetch_url(
    url: str, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int = MAX_SOURCE_BYTES
) -> Download:
    """Download ``url`` (http or https only) within ``timeout`` seconds and ``max_bytes``."""
    try:
        url = check_web_url(url)
    except ValidationError as error:
        raise SourceError(url, f"cannot be downloaded: {error.reason}") from None
    request = urllib.request.Request(  # noqa: S310 - the scheme was checked to be http(s)
        ascii_url(url), headers={"User-Agent": user_agent(), "Accept": _ACCEPT}
    )
    deadline = time.monotonic() + timeout
    try:
        with _opener().open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.strip().isdigit() and int(length) > max_bytes:
                raise SourceError(url, too_large_message(int(length), max_bytes, download=True))
            chunks: list[bytes] = []
            size = 0
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SourceError(url, f"timed out after {timeout:g} seconds")
                _limit_wait(response, left)
                # read1: what has arrived, so a server that drips a byte a second is
                # stopped at the deadline too, not when a whole chunk has come
                chunk = response.read1(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > max_bytes:
                    raise SourceError(url, too_large_message(size, max_bytes, download=True))
                chunks.append(chunk)
            return Download(
                url=url,
                final_url=response.geturl(),
                data=b"".join(chunks),
                content_type=response.headers.get("Content-Type", ""),
            )
    except SourceError:
        raise
    except _RefusedRedirect as refused:
        raise SourceError(
            url,
            f"redirects to '{refused.target[:100]}', which is not an http(s) address; "
            "the redirect was not followed",
        ) from None
    except urllib.error.HTTPError as error:
        error.close()
        if 300 <= error.code < 400:  # urllib gives up on a redirect loop with a 30x
            raise SourceError(
                url, "cannot be downloaded: the server keeps redirecting (a redirect loop)"
            ) from None
        raise SourceError(
            url, f"cannot be downloaded: the server answered {error.code} {error.reason}"
        ) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise SourceError(url, f"timed out after {timeout:g} seconds") from None
        raise SourceError(url, f"cannot be downloaded: {error.reason}") from None
    except TimeoutError:
        raise SourceError(url, f"timed out after {timeout:g} seconds") from None
    except (http.client.HTTPException, OSError, ValueError) as error:
        reason = str(error) or type(error).__name__
        raise SourceError(url, f"cannot be downloaded: {reason}") from None
