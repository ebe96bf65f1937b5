"""One window per library: a second start brings the running window to the front.

The window listens on a local server (:class:`QLocalServer`: a Unix domain socket, a
named pipe on Windows) whose name :func:`server_name` derives from the library's
location. A second start on the same library calls :func:`hand_over` before it makes
an application: it connects, sends one request — the files and links to import, made
absolute on its side (:func:`sources_from_arguments`) — and waits for the window's
answer. The window (:class:`InstanceServer`) answers, then emits :attr:`received`; its
owner connects it to :meth:`WindowFront.present`, which raises the window and previews
the import as for dropped files, once no dialog is in the way.

A window that crashed leaves its Unix socket file behind. The server first makes
sure nobody answers on the name; when listening then fails because the name is
taken ("address in use"), the stale name is removed (:meth:`QLocalServer.removeServer`)
and listening tried once more.

The request is one line of UTF-8 JSON, ``{"newsdigest": 1, "sources": [...]}``; the
answer is the line ``raised``. Sockets are the user's own (``UserAccessOption``, and
``$XDG_RUNTIME_DIR`` when there is one); names hash the user and the location, so
two users or two libraries never meet.
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtNetwork import QAbstractSocket, QLocalServer, QLocalSocket

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger("newsdigest.gui")

PROTOCOL = 1
ANSWER = b"raised\n"
#: How long a second start waits: to connect, then for the window's answer.
CONNECT_TIMEOUT_MS = 1000
ANSWER_TIMEOUT_MS = 5000
MAX_REQUEST_BYTES = 1 << 20
#: Unix socket paths are limited to 104 bytes (macOS) or 108 (Linux).
_MAX_SOCKET_PATH = 100
_URL = re.compile(r"^https?://", re.IGNORECASE)


def server_name(
    location: str,
    *,
    platform: str = sys.platform,
    user: str | None = None,
    runtime_dir: str | None = None,
) -> str:
    """The local server name of the window on the library at ``location`` (a resolved path).

    A short hash of the user and the location, lower-cased on Windows and macOS where
    paths ignore case. On Linux and the BSDs it is a socket path in ``runtime_dir``
    (default ``$XDG_RUNTIME_DIR``, the user's private folder) when that is short
    enough, else a plain name that Qt places in the temporary folder.
    """
    folded = location.lower() if platform.startswith(("win32", "darwin")) else location
    who = user if user is not None else _user_key()
    digest = hashlib.sha256(f"{who}\0{folded}".encode("utf-8", "surrogatepass")).hexdigest()
    name = f"newsdigest-{digest[:24]}"
    if platform.startswith(("win32", "darwin")):
        return name
    folder = runtime_dir if runtime_dir is not None else os.environ.get("XDG_RUNTIME_DIR", "")
    if folder and len(folder) + len(name) < _MAX_SOCKET_PATH:
        path = Path(folder)
        if path.is_absolute() and path.is_dir():
            return str(path / name)
    return name


def _user_key() -> str:
    getuid = getattr(os, "getuid", None)
    if getuid is not None:
        return str(getuid())
    return os.environ.get("USERNAME", "")


def sources_from_arguments(arguments: Sequence[str], cwd: Path) -> tuple[str, ...]:
    """Command-line files and links as the window needs them: paths made absolute."""
    return tuple(
        argument if _URL.match(argument) else str(Path(cwd, argument).absolute())
        for argument in arguments
    )


@dataclass(frozen=True)
class Handover:
    """What a second start hands the running window: the sources to import (maybe none)."""

    sources: tuple[str, ...] = ()

    def encode(self) -> bytes:
        request = {"newsdigest": PROTOCOL, "sources": list(self.sources)}
        return json.dumps(request, ensure_ascii=True).encode("ascii") + b"\n"

    @classmethod
    def decode(cls, line: bytes) -> Handover | None:
        """The request in ``line``, or None when it is not one."""
        try:
            request = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(request, dict) or request.get("newsdigest") != PROTOCOL:
            return None
        sources = request.get("sources", [])
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            return None
        return cls(tuple(sources))


class Delivery(enum.Enum):
    """How :func:`hand_over` went."""

    NO_WINDOW = "no window listens on the name"
    DELIVERED = "the window took the request"
    UNANSWERED = "something listens but did not answer"


def hand_over(
    name: str, handover: Handover, *, answer_timeout_ms: int = ANSWER_TIMEOUT_MS
) -> Delivery:
    """Give ``handover`` to the window listening on ``name``; blocking, no event loop needed.

    Qt's blocking waits keep Python's GIL, so this is for a process with nothing else to
    run meanwhile, as a second start; a test's server cannot answer its own thread.
    """
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return Delivery.NO_WINDOW
    _allow_foreground()
    try:
        socket.write(handover.encode())
        if not socket.waitForBytesWritten(answer_timeout_ms):
            return Delivery.UNANSWERED
        answer = b""
        while not answer.endswith(b"\n") and len(answer) < len(ANSWER):
            if not socket.bytesAvailable() and not socket.waitForReadyRead(answer_timeout_ms):
                break
            answer += bytes(socket.readLine(len(ANSWER) + 1).data())
        return Delivery.DELIVERED if answer == ANSWER else Delivery.UNANSWERED
    finally:
        socket.abort()


def window_answers(name: str) -> bool:
    """Whether a live server listens on ``name`` (a stale socket file refuses)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    listening = bool(socket.waitForConnected(CONNECT_TIMEOUT_MS))
    socket.abort()
    return listening


def _allow_foreground() -> None:
    """On Windows, let the running window come to the front: only the foreground process may."""
    if sys.platform == "win32":
        import ctypes

        asfw_any = -1
        ctypes.windll.user32.AllowSetForegroundWindow(asfw_any)  # type: ignore[attr-defined]


class InstanceServer(QObject):
    """The running window's end: answers second starts and emits what they hand over."""

    received = Signal(object)  # Handover

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> bool:
        """Listen on the name, recovering it from a crashed window; False (logged) if impossible.

        A live server on the name is left alone (with ``UserAccessOption`` Qt would
        replace its socket file). When listening fails because the name is taken and
        nobody answers on it, the name is stale: removed, and listening tried again.
        """
        if window_answers(self.name):
            log.warning("another window already listens on %s", self.name)
            return False
        if self._server.listen(self.name):
            return True
        if self._server.serverError() == QAbstractSocket.SocketError.AddressInUseError:
            log.info("removing the stale single-window server %s", self.name)
            QLocalServer.removeServer(self.name)
            if self._server.listen(self.name):
                return True
        log.warning("no single-window server on %s: %s", self.name, self._server.errorString())
        return False

    @property
    def listening(self) -> bool:
        return bool(self._server.isListening())

    def full_name(self) -> str:
        """The socket path (Unix) or pipe name (Windows) listened on."""
        return str(self._server.fullServerName())

    def close(self) -> None:
        """Stop listening; on Unix the socket file is removed."""
        self._server.close()
        for socket in list(self._buffers):
            self._drop(socket)

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        line, newline, _rest = data.partition(b"\n")
        if not newline:
            if len(data) > MAX_REQUEST_BYTES:
                log.warning("a second start sent a request over %d bytes", MAX_REQUEST_BYTES)
                self._drop(socket)
            else:
                self._buffers[socket] = data
            return
        handover = Handover.decode(line)
        if handover is None:
            log.warning("a second start sent a request that is not one: %r", line[:200])
            self._drop(socket)
            return
        socket.write(ANSWER)
        socket.flush()
        socket.disconnectFromServer()
        self._buffers.pop(socket, None)
        self.received.emit(handover)

    def _drop(self, socket: QLocalSocket) -> None:
        if self._buffers.pop(socket, None) is not None:
            socket.abort()
        socket.deleteLater()


class WindowFront(QObject):
    """What a second start asks of the window: to come to the front, and to import its sources.

    Sources are previewed the way dropped files are (:meth:`MainWindow.import_sources`),
    all at once, as soon as nothing is in the way: a dialog (the first-run setup, a
    question, a send), an import being read or previewed. Until then they wait, named
    in the status bar.
    """

    RETRY_MS = 500

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.pending: list[str] = []
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.timeout.connect(self._import_when_free)

    def present(self, handover: Handover) -> None:
        """Raise and activate the window (a minimised one gets back the state it had), then import.

        ``showNormal`` is not used: it would turn a maximised window into a normal one.
        """
        handed = ", ".join(handover.sources) or "nothing to import"
        log.info("a second start brought the window to the front, with %s", handed)
        window = self.window
        if window.isMinimized():
            window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
        window.show()
        window.raise_()
        window.activateWindow()
        if handover.sources:
            self.import_sources(handover.sources)

    def import_sources(self, sources: Sequence[str], *, delay_ms: int = 0) -> None:
        """Preview the import of ``sources`` after ``delay_ms``, once nothing is in the way."""
        for source in sources:
            if source not in self.pending:
                self.pending.append(source)
        if delay_ms:
            self._retry.start(delay_ms)
        else:
            self._import_when_free()

    def _in_the_way(self) -> QObject | None:
        from PySide6.QtWidgets import QApplication, QProgressDialog

        dialog = QApplication.activeModalWidget()
        if dialog is not None:
            return dialog
        if self.window.import_preview is not None:
            return self.window.import_preview
        progress = self.window.findChildren(QProgressDialog)
        return progress[0] if progress else None

    def _import_when_free(self) -> None:
        if not self.pending:
            return
        if self._in_the_way() is not None:
            if not self._retry.isActive():
                waiting = ", ".join(self.pending)
                log.info("to import once the open dialog is closed: %s", waiting)
                self.window.statusBar().showMessage(
                    f"To import once the open dialog is closed: {waiting}", 10_000
                )
                self._retry.start(self.RETRY_MS)
            return
        sources, self.pending = self.pending, []
        log.info("previewing the import of %s", ", ".join(sources))
        self.window.import_sources(sources, preview=True)
