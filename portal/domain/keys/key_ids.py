"""Ids of keys kept as files in a key ring directory (document signing keys, data keys)."""

from __future__ import annotations

import re
from pathlib import Path

from portal.domain import clock

KEY_ID = re.compile(r"^[a-z0-9]{1,8}$")


def next_key_id(directory: Path, letter: str, extension: str) -> str:
    """`<letter><yymm>`, with a letter added if a file `<id>.<extension>` already has that id."""
    base = f"{letter}{clock.today():%y%m}"
    for suffix in ["", *"abcdefghijklmnopqrstuvwxyz"]:
        if not (directory / f"{base}{suffix}.{extension}").exists():
            return base + suffix
    raise ValueError("too many keys made this month")
