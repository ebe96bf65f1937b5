"""Locks keyed by the file itself, naming who holds them: the library's, and a digest's send.

Real second processes hold the locks (scripts run with ``sys.executable``), and two
real ``newsdigest send`` runs race through two spellings of one library against a
real SMTP server on loopback.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import filelock
import orjson
import pytest
from helpers.send_servers import (
    ROOT,
    Handler,
    cli_argv,
    make_library,
    run_cli,
    sender_env,
    smtp_server,
    write_recipients,
)
from helpers.waiting import wait_for as _wait_for

from composer.errors import LibraryLockedError, SendLockedError
from composer.repository import Holder
from store import open_library
from store.locations import real_path
from store.lock import LibraryLock, SendLock

DIGEST_ID = "month-2023-01"
SEND = Holder("command", command="newsdigest send")

HOLD = r"""
import sys
from pathlib import Path
from composer.repository import Holder
from store import open_library
from store.lock import SendLock
what, path, role = sys.argv[1:4]
holder = Holder(role, command="newsdigest send" if role == "command" else "")
if what == "library":
    held = open_library(path, holder=holder)
else:
    held = SendLock(Path(path), "month-2023-01", holder)
    held.acquire()
print("holding", flush=True)
sys.stdin.read()
held.close() if what == "library" else held.release()
print("released", flush=True)
"""


def hold(what: str, path: Path, role: str = "command") -> subprocess.Popen[str]:
    """A real second process holding the library (or a send lock in ``path``) until told."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, what, str(path), role],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    first = proc.stdout.readline().strip()
    assert first == "holding", proc.stderr.read() if proc.stderr else first
    return proc


def let_go(proc: subprocess.Popen[str]) -> None:
    out, err = proc.communicate(input="", timeout=30)
    assert "released" in out, err


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


def symlink_or_skip(link: Path, target: Path) -> None:
    try:
        link.symlink_to(target)
    except (OSError, NotImplementedError) as exc:  # Windows without the symlink privilege
        pytest.skip(f"this system refuses symbolic links: {exc}")


def spelled_by_symlink(library: Path) -> Path:
    alias = library.parent / "alias"
    alias.mkdir()
    symlink_or_skip(alias / "lib.json", library)
    return alias / "lib.json"


def spelled_with_dotdot(library: Path) -> Path:
    (library.parent / "sub").mkdir(exist_ok=True)
    return Path(f"{library.parent / 'sub'}{os.sep}..{os.sep}{library.name}")


SPELLINGS: dict[str, Callable[[Path], Path]] = {
    "symlink": spelled_by_symlink,
    "dotdot": spelled_with_dotdot,
}


# -- who holds the library ------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize(
    ("role", "expected", "advice"),
    [
        ("window", "this library is open in the Newsdigest window (process ", "close it first"),
        (
            "command",
            "this library is in use by a command-line `newsdigest send` (process ",
            "wait for it to finish or stop it",
        ),
    ],
)
def test_the_refusal_names_the_window_or_the_command_line_send(
    tmp_path: Path, role: str, expected: str, advice: str
) -> None:
    path = tmp_path / "library.json"
    holder = hold("library", path, role)
    try:
        with pytest.raises(LibraryLockedError) as refused:
            open_library(path)
        message = str(refused.value)
        assert f"{expected}{holder.pid}, since " in message
        assert advice in message and str(path.resolve()) in message
        assert holder.poll() is None
    finally:
        let_go(holder)
    open_library(path).close()  # free again once the other process closed it
    assert not (tmp_path / "library.json.lock.holder").exists()  # it took its name away


def test_a_holder_that_names_nobody_gets_the_neutral_refusal(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    with open_library(path), pytest.raises(LibraryLockedError) as refused:
        open_library(path)
    assert "in use by another Newsdigest window or command" in str(refused.value)
    assert "process" not in str(refused.value)


def test_a_second_taker_in_the_same_process_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    first = LibraryLock(path, SEND)
    first.acquire()
    try:
        with pytest.raises(LibraryLockedError, match=f"`newsdigest send` \\(process {os.getpid()}"):
            LibraryLock(path, Holder("window")).acquire()
        folder = tmp_path / "library.sendlogs"
        with (
            SendLock(folder, DIGEST_ID, SEND),
            pytest.raises(SendLockedError, match="being sent by a command-line"),
        ):
            SendLock(folder, DIGEST_ID, Holder("window")).acquire()
    finally:
        first.release()
    second = LibraryLock(path, Holder("window"))
    second.acquire()  # released: free again
    second.release()


# -- every spelling of one file is one lock -------------------------------------------------
@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_two_spellings_of_the_library_are_one_lock(tmp_path: Path, spelling: str) -> None:
    path = tmp_path / "library.json"
    open_library(path).close()
    other = SPELLINGS[spelling](path)
    assert real_path(other) == real_path(path)
    with open_library(other, holder=SEND), pytest.raises(LibraryLockedError) as refused:
        open_library(path)
    assert f"`newsdigest send` (process {os.getpid()}" in str(refused.value)
    with open_library(path), pytest.raises(LibraryLockedError):
        open_library(other)


def _ignores_case(folder: Path) -> bool:
    probe = folder / "CaseProbe"
    probe.write_text("")
    try:
        return (folder / "cASEpROBE").exists()
    finally:
        probe.unlink()


def test_case_is_folded_where_the_file_system_ignores_it(tmp_path: Path) -> None:
    folder = tmp_path / "Libraries"
    folder.mkdir()
    (folder / "library.json").write_text("")
    upper = tmp_path / "LIBRARIES" / "Library.JSON"
    if not _ignores_case(tmp_path):
        # case matters here: two spellings are two files, and neither is bent into the other
        assert real_path(upper) == tmp_path.resolve() / "LIBRARIES" / "Library.JSON"
        assert real_path(folder / "library.json") == folder.resolve() / "library.json"
        return
    assert real_path(upper) == real_path(folder / "library.json")
    assert real_path(tmp_path / "LIBRARIES" / "new.json").parent == real_path(folder)
    assert real_path(upper) == real_path(tmp_path) / "Libraries" / "library.json"  # as on disk
    assert real_path(folder / "New.json").name == "New.json"  # a new file keeps the typed name
    with open_library(folder / "library.json"), pytest.raises(LibraryLockedError):
        open_library(upper)


# -- one sender per digest ------------------------------------------------------------------
def test_a_second_sender_of_a_digest_is_refused_naming_the_first(tmp_path: Path) -> None:
    folder = tmp_path / "library.sendlogs"
    with SendLock(folder, DIGEST_ID, SEND):
        with pytest.raises(SendLockedError) as refused:
            SendLock(folder, DIGEST_ID, Holder("window")).acquire()
        message = str(refused.value)
        assert message.startswith(
            f"the digest {DIGEST_ID} is being sent by a command-line `newsdigest send` "
            f"(process {os.getpid()}, since "
        )
        assert message.endswith("; wait for it to finish")
        with SendLock(folder, "month-2023-02", Holder("window")):
            pass  # another digest is not held up
    with SendLock(folder, DIGEST_ID, Holder("window")):
        pass  # released at the end of the send


def test_a_send_lock_is_named_like_the_digest_send_log(tmp_path: Path) -> None:
    folder = tmp_path / "library.sendlogs"
    lock = SendLock(folder, "weird/../id: ü", SEND)
    assert lock.path == folder / "weird_.._id___.send.lock"
    assert SendLock(folder, "", SEND).path == folder / "_.send.lock"


@pytest.mark.slow
def test_a_send_held_by_another_process_is_refused_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "library.sendlogs"
    holder = hold("send", folder, "window")
    try:
        with pytest.raises(SendLockedError) as refused:
            SendLock(folder, DIGEST_ID, SEND).acquire()
        assert f"being sent by the Newsdigest window (process {holder.pid}" in str(refused.value)
    finally:
        let_go(holder)
    with SendLock(folder, DIGEST_ID, SEND):
        pass


# -- stale sidecars and modes ---------------------------------------------------------------
@pytest.mark.slow
def test_a_killed_holder_neither_blocks_nor_misleads(tmp_path: Path) -> None:
    path = tmp_path / "library.json"
    sidecar = tmp_path / "library.json.lock.holder"
    holder = hold("library", path)
    holder.kill()  # SIGKILL, TerminateProcess: its sidecar stays behind
    holder.communicate(timeout=30)
    dead = Holder.from_dict(orjson.loads(sidecar.read_bytes()))
    assert dead is not None and dead.pid == holder.pid
    with open_library(path, holder=Holder("window")), pytest.raises(LibraryLockedError) as refused:
        open_library(path)  # the next opener got in, and named itself, not the dead one
    assert f"the Newsdigest window (process {os.getpid()}" in str(refused.value)
    assert str(holder.pid) not in str(refused.value)
    assert not sidecar.exists()

    # a lock held by one that names nobody (an older version), beside a dead holder's sidecar
    sidecar.write_bytes(orjson.dumps(dead.to_dict()))
    with open_library(path):
        assert not sidecar.exists()  # the opener without a name cleared the stale one
    sidecar.write_bytes(orjson.dumps(dead.to_dict()))
    raw = filelock.FileLock(tmp_path / "library.json.lock", timeout=0, thread_local=False)
    with raw, pytest.raises(LibraryLockedError) as refused:
        open_library(path)
    if os.name != "nt":  # Windows cannot tell a dead process cheaply: it trusts the sidecar
        assert "another Newsdigest window or command" in str(refused.value)
        assert str(holder.pid) not in str(refused.value)


def test_release_leaves_a_sidecar_that_is_not_ours(tmp_path: Path) -> None:
    lock = LibraryLock(tmp_path / "library.json", SEND)
    lock.acquire()
    other = Holder("window", pid=os.getpid() + 1).to_dict()
    lock.sidecar.write_bytes(orjson.dumps(other))
    lock.release()
    assert orjson.loads(lock.sidecar.read_bytes()) == other


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes; Windows keeps files in the profile")
def test_lock_files_and_sidecars_are_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)
    try:
        library = LibraryLock(tmp_path / "library.json", SEND)
        library.acquire()
        folder = tmp_path / "library.sendlogs"
        send = SendLock(folder, DIGEST_ID, SEND)
        with send:
            for path in (library.path, library.sidecar, send.path, send.sidecar):
                assert private(path), f"{path.name} is {oct(path.stat().st_mode)}"
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        library.release()
        (tmp_path / "library.json.lock").chmod(0o644)  # as an older version left it
        again = LibraryLock(tmp_path / "library.json", SEND)
        again.acquire()
        assert private(again.path)
        again.release()
    finally:
        os.umask(old_umask)


# -- two real sends through two spellings ---------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("first", "second"), [("symlink", "dotdot"), ("dotdot", "symlink")])
def test_two_concurrent_sends_through_two_spellings(
    tmp_path: Path, first: str, second: str
) -> None:
    recipients = tmp_path / "recipients.csv"
    addresses = write_recipients(recipients, 300)
    handler = Handler()
    handler.hold_at = 5  # the first run holds its locks, mid-list, until the test lets it go
    with smtp_server(handler) as (handler, port):
        smtp = {"host": "127.0.0.1", "port": port, "security": "none", "throttle": 6000}
        library = make_library(
            tmp_path / "library.json", {**smtp, "retry_delay": 0.01, "timeout": 60}
        )
        spellings = {name: SPELLINGS[name](library) for name in (first, second)}
        argv = ("send", "--month", "2023-01", "--to-file", str(recipients), "--yes")
        sender = subprocess.Popen(
            cli_argv(spellings[first], *argv),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=ROOT,
            env=sender_env(),
        )
        try:
            _wait_for(lambda: handler.holding.is_set() or sender.poll() is not None)
            assert sender.poll() is None, sender.communicate()
            refused = run_cli(spellings[second], *argv)
        finally:
            handler.release.set()
            out, err = sender.communicate(timeout=120)
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert f"a command-line `newsdigest send` (process {sender.pid}" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert sender.returncode == 0, out + err
    got = handler.by_recipient()
    assert sorted(got) == sorted(addresses)
    assert all(len(copies) == 1 for copies in got.values())


# -- a reader that must not see a half-done library ------------------------------------------
def test_check_not_in_use_probes_the_lock_without_keeping_it(tmp_path: Path) -> None:
    from store import check_not_in_use

    path = tmp_path / "library.json"
    check_not_in_use(path, "copy it later")  # missing: the open says so, nothing made
    assert list(tmp_path.iterdir()) == []
    open_library(path).close()
    check_not_in_use(path, "copy it later")
    open_library(path, holder=SEND).close()  # the probe kept nothing
    with open_library(path, holder=SEND), pytest.raises(LibraryLockedError) as refused:
        check_not_in_use(path, "copy it once that run is over")
    assert str(refused.value).startswith(
        f"{real_path(path)}: this library is in use by a command-line `newsdigest send` "
        f"(process {os.getpid()}, since "
    )
    assert str(refused.value).endswith("; copy it once that run is over")
    with open_library(path, holder=Holder("window")), pytest.raises(LibraryLockedError) as win:
        check_not_in_use(path, "copy it once that run is over")
    assert "close it first" in str(win.value)
    check_not_in_use("postgresql://nobody@127.0.0.1:1/none", "x")  # not detected yet
