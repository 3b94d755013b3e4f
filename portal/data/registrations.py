"""Pending registrations: accounts asked for, waiting for the code sent to their contact. Callers commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from portal.data.db import db, utcnow
from portal.data.models import PendingRegistration


def create(*, contact_kind: str, contact_value: str, password_hash: str, locale: str,
           expires_at: datetime) -> PendingRegistration:
    pending = PendingRegistration(contact_kind=contact_kind, contact_value=contact_value,
                                  password_hash=password_hash, locale=locale, expires_at=expires_at)
    db.session.add(pending)
    db.session.flush()
    return pending


def get_by_public_id(public_id: str | None) -> PendingRegistration | None:
    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(select(PendingRegistration).where(PendingRegistration.public_id == public_id))


def get_by_id(pending_id: int) -> PendingRegistration | None:
    return db.session.get(PendingRegistration, pending_id)


def lock(pending_id: int) -> PendingRegistration | None:
    """The row, locked until commit (PostgreSQL), so two codes entered at once are counted one after the other."""
    return db.session.scalar(select(PendingRegistration).where(PendingRegistration.id == pending_id)
                             .with_for_update())


def remove(pending: PendingRegistration) -> None:
    db.session.delete(pending)


def remove_expired(now: datetime | None = None) -> int:
    result = db.session.execute(delete(PendingRegistration).where(PendingRegistration.expires_at < (now or utcnow())))
    return result.rowcount or 0
