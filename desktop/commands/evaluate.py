"""`consult-scribe eval notes --dataset aci-bench-test1`."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser("eval", help="evaluate note quality")
    parser.set_defaults(handler=lambda a: 2)
