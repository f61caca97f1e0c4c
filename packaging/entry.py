"""Entry point of the frozen app: the same ``consult-scribe`` command as the pip install."""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from desktop.cli import main

    sys.exit(main())
