"""The outbox table: written with the change that needs the work, read by the relay, the reconciler,
the jobs themselves (which mark their row done) and the admin page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select, update

from portal.data.db import db, utcnow
from portal.data.models import OutboxMessage

_UNFINISHED = and_(OutboxMessage.done_at.is_(None), OutboxMessage.failed_at.is_(None))


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


def claim_unfinished(after_id: int, limit: int) -> list[OutboxMessage]:
    """Enqueued rows whose job has not finished, in id order after `after_id`, locked for this transaction.
    Rows locked by someone else are skipped: another reconciler, or the job itself while it runs."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(_UNFINISHED, OutboxMessage.enqueued_at.is_not(None), OutboxMessage.id > after_id)
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def mark_requeued(message: OutboxMessage) -> None:
    message.enqueued_at = utcnow()
    message.requeued += 1


def lock_for_job(job_id: str) -> OutboxMessage | None:
    """The row of job `job_id`, locked until the caller's transaction ends (a second run of the same job
    waits here, then finds it done)."""
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.job_id == job_id).with_for_update())


def unfinished_with_prefix(job_id_prefix: str) -> bool:
    """Whether a job whose id starts with the prefix is still to run (pending or enqueued, not done nor failed)."""
    return db.session.scalar(select(func.count()).where(
        _UNFINISHED, OutboxMessage.job_id.startswith(job_id_prefix, autoescape=True))) > 0


def mark_done(job_id: str) -> bool:
    """Done, unless it already was; True if this call marked it. A row marked failed that ran after all (an
    administrator ran it again) is done too."""
    result = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.job_id == job_id, OutboxMessage.done_at.is_(None))
        .values(done_at=utcnow(), failed_at=None)
    )
    return result.rowcount > 0


def mark_failed(job_id: str) -> None:
    db.session.execute(update(OutboxMessage).where(OutboxMessage.job_id == job_id, _UNFINISHED)
                       .values(failed_at=utcnow()))


def reopen(job_id: str, requeue: bool) -> bool:
    """An administrator runs a failed job again: not failed any more. With `requeue` (Redis no longer
    holds the job), the row goes back to pending and the relay queues it again."""
    values = {"failed_at": None, **({"enqueued_at": None} if requeue else {})}
    result = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.job_id == job_id, OutboxMessage.failed_at.is_not(None))
        .values(**values)
    )
    return result.rowcount > 0


def is_failed(job_id: str) -> bool:
    return db.session.scalar(
        select(func.count()).where(OutboxMessage.job_id == job_id, OutboxMessage.failed_at.is_not(None))
    ) > 0


def pending_count() -> int:
    """Rows not yet handed to RQ."""
    return db.session.scalar(select(func.count()).where(OutboxMessage.enqueued_at.is_(None)))


def unfinished_count() -> int:
    """Rows whose job has not finished yet, handed to RQ or not: work still owed."""
    return db.session.scalar(select(func.count()).where(_UNFINISHED))


@dataclass(frozen=True)
class Counts:
    pending: int  # not handed to RQ yet
    running: int  # handed to RQ, not finished
    late: int  # either of those, for longer than the threshold
    failed: int  # failed after all retries


def counts(late_before: datetime) -> Counts:
    is_pending = OutboxMessage.enqueued_at.is_(None)
    row = db.session.execute(
        select(
            func.count(case((and_(_UNFINISHED, is_pending), 1))),
            func.count(case((and_(_UNFINISHED, ~is_pending), 1))),
            func.count(case((and_(_UNFINISHED, OutboxMessage.created_at < late_before), 1))),
            func.count(OutboxMessage.failed_at),
        ).where(OutboxMessage.done_at.is_(None))
    ).one()
    return Counts(*row)


def late(late_before: datetime, limit: int = 100) -> list[OutboxMessage]:
    """Unfinished rows older than `late_before`, and failed ones, oldest first."""
    return list(db.session.scalars(
        select(OutboxMessage)
        .where((_UNFINISHED & (OutboxMessage.created_at < late_before)) | OutboxMessage.failed_at.is_not(None))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
        .limit(limit)
    ))
