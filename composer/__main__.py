"""``python -m composer`` does what the ``newsdigest`` command does."""

import sys

from composer.cli.main import main

sys.exit(main())
