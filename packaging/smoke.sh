#!/bin/sh
# Check a built standalone app (make dist): its version, a headless build of the fixture's
# January digest to HTML, and its window opened offscreen for a few seconds without errors.
#
#   packaging/smoke.sh [APP_FOLDER]        (default: dist/newsdigest)
#
# Runs on the offscreen Qt platform and in a temporary home for the library, settings and
# log, so it needs no display and leaves nothing behind. Exit status 0 when all is well.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
APP_DIR=${1:-"$ROOT/dist/newsdigest"}
SECONDS_OPEN=${SMOKE_SECONDS:-8}
case "$(uname -s)" in
    MINGW* | MSYS* | CYGWIN*) EXE="$APP_DIR/newsdigest-cli.exe" ;;
    Darwin) EXE="$APP_DIR/newsdigest"; [ -x "$EXE" ] || EXE="$APP_DIR/Contents/MacOS/newsdigest" ;;
    *) EXE="$APP_DIR/newsdigest" ;;
esac
[ -x "$EXE" ] || { echo "smoke: no executable $EXE (run make dist first)" >&2; exit 1; }

TMP=$(mktemp -d)
APP_PID=""
cleanup() {
    if [ -n "$APP_PID" ] && kill -0 "$APP_PID" 2>/dev/null; then
        kill -TERM -- "-$APP_PID" 2>/dev/null || kill -TERM "$APP_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

export QT_QPA_PLATFORM=offscreen
export NEWSDIGEST_LOG_DIR="$TMP/logs"
export NEWSDIGEST_SETTINGS="$TMP/settings.ini"
export NEWSDIGEST_LIBRARY="$TMP/default-library.json"
if [ "$(id -u)" = 0 ]; then  # Chromium refuses its sandbox as root (the app adds it too)
    export QTWEBENGINE_CHROMIUM_FLAGS="${QTWEBENGINE_CHROMIUM_FLAGS:+$QTWEBENGINE_CHROMIUM_FLAGS }--no-sandbox"
fi
LIBRARY="$TMP/library.json"
fail() { echo "smoke: FAILED: $*" >&2; exit 1; }
step() { echo "smoke: $*"; }

# 1. the version, from pyproject.toml through the bundled metadata
expected=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/pyproject.toml" | head -n 1)
got=$("$EXE" --version) || fail "--version exited with $?"
[ "$got" = "newsdigest $expected" ] || fail "--version says '$got', pyproject.toml says $expected"
step "version: $got"

# 2. the fixture's January digest, headless, to HTML
"$EXE" --library "$LIBRARY" import "$ROOT/tests/fixtures/news-listing-2023-01.txt" \
    >"$TMP/import.out" 2>&1 || { cat "$TMP/import.out" >&2; fail "import"; }
grep -q "14 new" "$TMP/import.out" || { cat "$TMP/import.out" >&2; fail "import did not add 14 items"; }
"$EXE" --library "$LIBRARY" settings theme --organisation "Smoke Test Centre" \
    --from "News <news@example.org>" --postal-address "1 Test Street, Testville" \
    --unsubscribe-url "https://example.org/leave" >"$TMP/theme.out" 2>&1 \
    || { cat "$TMP/theme.out" >&2; fail "settings theme"; }
"$EXE" --library "$LIBRARY" build --month 2023-01 --html "$TMP/january.html" \
    >"$TMP/build.out" 2>&1 || { cat "$TMP/build.out" >&2; fail "build"; }
grep -q "<title>Smoke Test Centre news digest: January 2023" "$TMP/january.html" || fail "the HTML has no title"
grep -q "Scoping Visit to Vostrana" "$TMP/january.html" || fail "the HTML lacks the first item"
grep -q 'style="' "$TMP/january.html" || fail "the HTML has no inlined CSS"
step "built the January digest: $(wc -c <"$TMP/january.html") bytes of HTML"

# 2b. sending, without a server: the settings (the keychain is looked up) and a dry-run test send
"$EXE" --library "$LIBRARY" settings smtp --host smtp.example.org --from "News <news@example.org>" \
    --user news >"$TMP/smtp.out" 2>&1 || { cat "$TMP/smtp.out" >&2; fail "settings smtp"; }
"$EXE" --library "$LIBRARY" settings smtp --show >"$TMP/smtp.out" 2>&1 ||
    { cat "$TMP/smtp.out" >&2; fail "settings smtp --show"; }
grep -q "smtp.example.org" "$TMP/smtp.out" || { cat "$TMP/smtp.out" >&2; fail "settings not shown"; }
"$EXE" --library "$LIBRARY" send --month 2023-01 --test "Ann <ann@example.org>" --dry-run \
    >"$TMP/send.out" 2>&1 || { cat "$TMP/send.out" >&2; fail "send --dry-run"; }
grep -q "dry run: nothing was sent" "$TMP/send.out" || { cat "$TMP/send.out" >&2; fail "send"; }
step "sending: settings saved and shown, a test send planned (dry run)"

# 3. the window, offscreen, for a few seconds: it must stay up and report no error. With the
# project's Python at hand (PYTHON, default .venv/bin/python), the January digest is saved in
# the library first and the window reopens it, so the preview (Qt WebEngine) must render too.
PYTHON=${PYTHON:-"$ROOT/.venv/bin/python"}
PREVIEW=""
if [ -x "$PYTHON" ] && (cd "$ROOT" && "$PYTHON" - "$LIBRARY" "$NEWSDIGEST_SETTINGS") <<'SEED'
import hashlib
import sys

from PySide6.QtCore import QSettings

from composer.digest.drafting import draft_digest
from composer.theme.model import Theme
from store import open_library

library = open_library(sys.argv[1])
try:
    digest = draft_digest(library.items(), "2023-01", Theme())
    library.save_digest(digest.to_dict())
    # the key ui.main_window.MainWindow keeps the last digest of a library under
    key = hashlib.sha1(library.location.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]
finally:
    library.close()
settings = QSettings(sys.argv[2], QSettings.Format.IniFormat)
settings.setValue(f"libraries/{key}/last_digest", digest.id)
settings.sync()
SEED
then
    PREVIEW=yes
    step "saved the January digest in the library for the window to reopen"
else
    step "no project Python at $PYTHON: the window opens without a digest (no preview check)"
fi
if command -v setsid >/dev/null 2>&1; then
    setsid "$EXE" --library "$LIBRARY" >"$TMP/gui.out" 2>&1 &
else
    "$EXE" --library "$LIBRARY" >"$TMP/gui.out" 2>&1 &
fi
APP_PID=$!
waited=0
while [ "$waited" -lt "$SECONDS_OPEN" ]; do
    sleep 1
    waited=$((waited + 1))
    if ! kill -0 "$APP_PID" 2>/dev/null; then
        wait "$APP_PID" && status=0 || status=$?
        APP_PID=""
        cat "$TMP/gui.out" >&2
        fail "the window closed by itself after ${waited}s (exit status $status)"
    fi
done
kill -TERM -- "-$APP_PID" 2>/dev/null || kill -TERM "$APP_PID"
wait "$APP_PID" 2>/dev/null || true
APP_PID=""
LOG="$TMP/logs/newsdigest.log"
[ -f "$LOG" ] || fail "no log file $LOG"
grep -q "window shown" "$LOG" || { cat "$LOG" "$TMP/gui.out" >&2; fail "the window was not shown"; }
# the app's own log: no error at all; its output: no Python traceback (Chromium's own
# messages about the missing D-Bus or GPU of a headless machine are not errors of ours)
if grep -E " ERROR |Traceback|unexpected error" "$LOG" >&2; then
    fail "errors in the log while the window was open (above)"
fi
if grep -E "^Traceback|Error calling Python" "$TMP/gui.out" >&2; then
    fail "a Python error while the window was open (above)"
fi
if grep -E "Segmentation fault|Aborted|core dumped" "$TMP/gui.out" >&2; then
    fail "the window crashed (above)"
fi
if [ -n "$PREVIEW" ]; then
    grep -q "preview shown" "$LOG" || { cat "$LOG" "$TMP/gui.out" >&2; fail "the preview did not show"; }
    step "the preview showed the January digest"
fi
step "the window stayed open ${SECONDS_OPEN}s offscreen without errors"

# 4. Linux: the desktop entry the app carries installs and points at the app
if [ -f "$APP_DIR/share/install_desktop.py" ] && command -v python3 >/dev/null 2>&1; then
    python3 "$APP_DIR/share/install_desktop.py" --data-home "$TMP/share" >/dev/null \
        || fail "share/install_desktop.py"
    entry="$TMP/share/applications/org.newsdigest.Newsdigest.desktop"
    app_exe=$(cd "$APP_DIR" && pwd)/newsdigest
    grep -q "^TryExec=$app_exe\$" "$entry" || { cat "$entry" >&2; fail "the desktop entry's TryExec"; }
    if command -v desktop-file-validate >/dev/null 2>&1; then
        desktop-file-validate "$entry" || fail "desktop-file-validate"
    fi
    step "share/install_desktop.py installs a desktop entry starting $app_exe"
fi
step "all good: $APP_DIR"
