"""``python -m litdesk``: the same entry point as the installed ``litdesk`` command."""

import sys

from litdesk.cli import main

sys.exit(main())
