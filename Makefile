# Newsdigest: `make run` opens the app, `make test` runs every check.
# Both create .venv and install the project (editable, with its test extra) on first use.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench screenshots dist install-desktop clean \
	email-checks theme-screenshots

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip "setuptools>=68" wheel
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/newsdigest $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: $(STAMP)
	$(PY) -m benchmarks

# PNGs of the composer window on the sample library, under a virtual display (Xvfb)
screenshots: $(STAMP)
	xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/newsdigest screenshots docs/screenshots

# Every theme of the email on the sample library and the listing fixture, checked with tools
# nobody here wrote: newsdigest check, SpamAssassin (local rules), axe-core in headless Chromium,
# doiuse-email over the caniemail data against the same digest compiled with MJML, the Nu
# validator. Installs what is missing (apt-get when root; npm into tools/email_checks).
# THEMES=classic,briefing checks some themes only.
email-checks: $(STAMP)
	$(PY) -m tools.email_checks --install $(if $(THEMES),--themes $(THEMES))

# PNGs of every theme at 600 and 375 px, in dark mode and with images off, rendered by the
# preview's Chromium (Qt WebEngine) under Xvfb, into docs/screenshots/themes
theme-screenshots: $(STAMP)
	QTWEBENGINE_CHROMIUM_FLAGS="--no-sandbox --log-level=3" xvfb-run -a -s "-screen 0 1600x1000x24" \
		$(PY) -m ui.theme_screenshots docs/screenshots/themes

# The standalone one-folder app in dist/newsdigest (PyInstaller, installed into .venv on first
# use; not part of the test extra). Check it with packaging/smoke.sh. See packaging/README.md.
PYINSTALLER := $(VENV)/.pyinstaller-installed
$(PYINSTALLER): $(STAMP)
	$(PY) -m pip install --quiet "pyinstaller>=6.10"
	touch $(PYINSTALLER)

dist: $(PYINSTALLER)
	$(PY) -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller \
		packaging/newsdigest.spec
	@echo "Built dist/newsdigest; check it with: packaging/smoke.sh dist/newsdigest"

# The desktop entry, AppStream metainfo and icons for the current user, under
# $XDG_DATA_HOME (~/.local/share), starting .venv's newsdigest
install-desktop: $(STAMP)
	$(PY) packaging/install_desktop.py --exec "$(abspath $(BIN))/newsdigest"

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis
