"""The outbox table: written with the change that needs the work, read by the relay."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.data.db import db, utcnow
from portal.data.models import OutboxMessage


def add(job_id: str, job_name: str, arguments: list) -> OutboxMessage:
    message = OutboxMessage(job_id=job_id, job_name=job_name, arguments=arguments)
    db.session.add(message)
    return message


def claim_pending(limit: int) -> list[OutboxMessage]:
    """The oldest pending messages, locked for this transaction (other relays skip them)."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.enqueued_at.is_(None))
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def mark_enqueued(message: OutboxMessage) -> None:
    message.enqueued_at = utcnow()


def pending_count() -> int:
    return db.session.scalar(select(func.count()).where(OutboxMessage.enqueued_at.is_(None)))
