"""Rows of `web_sessions`: the server side of the session cookie (`portal.web.security.sessions`).

Sessions are addressed by the SHA-256 of their cookie id. Writes take the ORM session to write in (the
session store writes in a unit of work of its own, apart from the request's); the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from portal.data.db import db, utcnow
from portal.data.models import WebSession


def read(id_digest: str) -> str | None:
    """The stored data of a session that has not expired, or None. Read where `db.reading` says: on SQLite in a
    unit of work of its own, ended at once (its write lock); on PostgreSQL in the request's own."""
    with db.reading() as store:
        return store.scalar(select(WebSession.data).where(WebSession.id_digest == id_digest,
                                                          WebSession.expires_at > utcnow()))


def lock(store: Session, id_digest: str) -> WebSession | None:
    """The session's row, locked until commit (PostgreSQL; SQLite's writers queue at BEGIN IMMEDIATE), so
    that two requests of one browser that change different keys apply their changes one after the other."""
    return store.scalar(select(WebSession).where(WebSession.id_digest == id_digest,
                                                 WebSession.expires_at > utcnow()).with_for_update())


def create(store: Session, id_digest: str, data: str, expires_at: datetime) -> None:
    store.add(WebSession(id_digest=id_digest, data=data, expires_at=expires_at))


def remove(store: Session, *id_digests: str) -> None:
    store.execute(delete(WebSession).where(WebSession.id_digest.in_(id_digests)))


def count() -> int:
    """How many sessions are stored (expired or not): for tests and the operator."""
    return db.session.scalar(select(func.count()).select_from(WebSession))


def purge_expired() -> int:
    """Delete sessions past their expiry; returns how many."""
    return db.session.execute(delete(WebSession).where(WebSession.expires_at <= utcnow())).rowcount
