"""``python -m symgrad``: the command line (see :mod:`symgrad.cli`)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
