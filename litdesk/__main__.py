"""``python -m litdesk``: the same entry point as the installed ``litdesk`` command."""

import multiprocessing
import sys

from litdesk.cli import main

if __name__ == "__main__":  # not in a helper process, which imports this module again
    multiprocessing.freeze_support()  # a helper process of a frozen app runs its job here
    sys.exit(main())
