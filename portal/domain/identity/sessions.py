"""Sessions past their expiry: the sign-in pages ignore them, and this sweep deletes them.

The sessions themselves are kept by the web layer (`portal.web.security.sessions`), in the database.
"""

from __future__ import annotations

from portal.data import web_sessions
from portal.data.db import db
from portal.jobs import names
from portal.jobs.queues import DEFAULT
from portal.jobs.registry import job


@job(DEFAULT, timeout=300, retry_intervals=(), name=names.PURGE_EXPIRED_SESSIONS)
def purge_expired_sessions() -> int:
    """The hourly sweep (portal.jobs.cron). Idempotent; no retries, the next run does what this one missed."""
    removed = web_sessions.purge_expired()
    db.session.commit()
    return removed
