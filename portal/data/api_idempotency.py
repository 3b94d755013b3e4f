"""Rows of `api_idempotency_keys`: the first answer to each API write sent with a key. The caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from portal.data.db import db
from portal.data.inserts import insert_or_get
from portal.data.models import ApiIdempotencyKey

IN_PROGRESS = 0  # the status of a key claimed by a request that has not answered yet (never committed so)


def claim(token_id: int, key: str, request_digest: str) -> tuple[ApiIdempotencyKey, bool]:
    """The key's row, and True if this call claimed it. A request holding the same key in another transaction
    makes this wait until that one ends (the unique key), then finds its committed answer."""
    return insert_or_get(ApiIdempotencyKey, {"token_id": token_id, "key": key},
                         request_digest=request_digest, status=IN_PROGRESS, body="")


def purge_older_than(moment: datetime) -> int:
    return db.session.execute(delete(ApiIdempotencyKey).where(ApiIdempotencyKey.created_at < moment)).rowcount
