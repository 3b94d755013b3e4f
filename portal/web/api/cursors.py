"""Opaque page cursors: a client passes back what `next` gave it and never builds one itself."""

from __future__ import annotations

import base64
import binascii
import json


class BadCursor(ValueError):
    pass


def make(last_id: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"before": last_id}).encode()).decode().rstrip("=")


def read(cursor: str | None) -> int | None:
    """The id a page continues below, or None for the first page; BadCursor for anything else."""
    if not cursor:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["before"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise BadCursor from error
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise BadCursor
    return value
