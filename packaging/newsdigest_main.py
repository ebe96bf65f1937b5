"""The standalone app's entry point (PyInstaller): what the ``newsdigest`` command does."""

import sys

from composer.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
