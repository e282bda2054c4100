"""``python -m microgpt``: the same as the ``microgpt`` command."""

import sys

from .cli import main

sys.exit(main())
