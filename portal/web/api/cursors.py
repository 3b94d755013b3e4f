"""Opaque page cursors: a client passes back what `next` gave it and never builds one itself.

A cursor is signed with the portal's secret key (itsdangerous), so what it holds is never parsed unless the
portal wrote it: a made-up, edited or oversized cursor is a 400, never a 500, and no client can page from an
id it chose. Its content (the last row's id) is not secret; the signature is what matters.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

MAX_LENGTH = 200  # far above any cursor made here: longer ones are not read at all
_LARGEST_ID = 2**63 - 1


class BadCursor(ValueError):
    pass


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="api-page-cursor")


def make(last_id: int) -> str:
    return _serializer().dumps({"before": last_id})


def read(cursor: str | None) -> int | None:
    """The id a page continues below, or None for the first page; BadCursor for anything else."""
    if not cursor:
        return None
    if len(cursor) > MAX_LENGTH:
        raise BadCursor
    try:
        value = _serializer().loads(cursor)["before"]
    except (BadData, KeyError, TypeError) as error:
        raise BadCursor from error
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= _LARGEST_ID:
        raise BadCursor
    return value
