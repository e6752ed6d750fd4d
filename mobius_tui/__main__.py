"""``python -m mobius_tui``: the command line (what scheduled runs start)."""

import sys

from mobius_tui.cli import main

sys.exit(main())
