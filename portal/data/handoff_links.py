"""Rows of `handoff_links` ("continue on my phone", portal.domain.handoff holds the rules). The caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from portal.data.db import db
from portal.data.models import HandoffLink


def add(row: HandoffLink) -> None:
    db.session.add(row)
    db.session.flush()


def by_digest(token_digest: str) -> HandoffLink | None:
    return db.session.scalar(select(HandoffLink).where(HandoffLink.token_digest == token_digest))


def by_public_id(public_id: str) -> HandoffLink | None:
    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(select(HandoffLink).where(HandoffLink.public_id == public_id))


def _open(now: datetime):
    return (HandoffLink.used_at.is_(None), HandoffLink.cancelled_at.is_(None), HandoffLink.expires_at > now)


def cancel_open(now: datetime, *, application_id: int | None = None, kiosk_session_digest: str | None = None) -> int:
    """Cancel the open links of a draft, or of a kiosk's browser session; how many."""
    where = list(_open(now))
    if application_id is not None:
        where.append(HandoffLink.application_id == application_id)
    if kiosk_session_digest is not None:
        where.append(HandoffLink.kiosk_session_digest == kiosk_session_digest)
    if len(where) == 3:
        raise ValueError("name the draft or the session")
    result = db.session.execute(update(HandoffLink).where(*where).values(cancelled_at=now)
                                .execution_options(synchronize_session=False))
    return result.rowcount


def use(link_id: int, now: datetime) -> bool:
    """Mark the link used if it is still open (compare and set): of two redemptions at once, exactly one
    gets True. On PostgreSQL the second UPDATE waits for the first's row lock and then finds the row used;
    on SQLite writers queue for the write lock."""
    result = db.session.execute(update(HandoffLink).where(HandoffLink.id == link_id, *_open(now))
                                .values(used_at=now).execution_options(synchronize_session=False))
    return result.rowcount == 1


def cancel(link_id: int, now: datetime) -> bool:
    result = db.session.execute(update(HandoffLink).where(HandoffLink.id == link_id, *_open(now))
                                .values(cancelled_at=now).execution_options(synchronize_session=False))
    return result.rowcount == 1


def open_for_session(kiosk_session_digest: str, now: datetime) -> list[HandoffLink]:
    return list(db.session.scalars(select(HandoffLink).where(
        HandoffLink.kiosk_session_digest == kiosk_session_digest, *_open(now))))


def store():
    """The request's unit of work, for writes that must be in its transaction (the kiosk session's row)."""
    return db.session
