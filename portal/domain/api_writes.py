"""Writes through the API answered once per `Idempotency-Key` (issue 17, docs/api.md).

A client that sends a key with a write (creating a draft, attaching a file, submitting) and gets no answer
(a timeout, a dropped connection) sends the same request again with the same key, and gets the first answer
instead of a second filing. The key is claimed in the same transaction as what the request does and its
answer is stored before that transaction commits: the effect and the stored answer exist together or not at
all. Two requests with the same key at once: the second waits on the first's claim, then replays its answer.
A key is one business token's, and is kept for a day.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from portal.data import api_idempotency
from portal.data import partners as partner_data
from portal.data.db import db, utcnow
from portal.jobs import names
from portal.jobs.queues import DEFAULT
from portal.jobs.registry import job

KEPT_FOR = timedelta(days=1)
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # printable ASCII without spaces: a UUID, a ULID, the client's own id


class KeyReused(Exception):
    """The key was used before for a different request: the client has a bug, and is told so."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    location: str | None


def well_formed(key: str) -> bool:
    return bool(_KEY.match(key))


def digest(*parts: bytes) -> str:
    """What identifies a request: the same method, path and content give the same digest."""
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(hashlib.sha256(part).digest())
    return hashed.hexdigest()


def claim(token, key: str, request_digest: str):
    """(None, row) when this request claims the key (answer it, then `record`); (Answer, None) when it was
    answered before. Raises KeyReused for the same key with another request."""
    row, claimed = api_idempotency.claim(token.id, key, request_digest)
    if claimed:
        return None, row
    if row.request_digest != request_digest:
        raise KeyReused
    return Answer(row.status, row.body, row.location), None


def record(row, status: int, body: str, location: str | None) -> None:
    """Keep the answer with the claim, in the request's own transaction. The caller commits."""
    row.status, row.body, row.location = status, body, location
    db.session.flush()


@job(DEFAULT, timeout=300, retry_intervals=(), name=names.PURGE_IDEMPOTENCY_KEYS)
def purge_idempotency_keys() -> int:
    """The hourly sweep (portal.jobs.cron): answers older than a day are forgotten, and partners' access tokens
    that have expired with them. Idempotent."""
    now = utcnow()
    removed = api_idempotency.purge_older_than(now - KEPT_FOR) + partner_data.purge_access_tokens_expired_before(now)
    db.session.commit()
    return removed
