"""An outbox row is done when its job has finished, not when RQ accepted it (DESIGN.md section 5).

The relay gives every job it queues two RQ callbacks, which RQ runs in the work horse, inside the
worker's app context, right after the job:
- `job_finished` marks the row done in a transaction of its own once the job returned. A job that
  committed its effect and died before this leaves its row enqueued-not-done: RQ (an abandoned job) or
  the reconciler runs it again, and the job's own guard in the database makes that second run a no-op.
- `job_failed` marks the row failed when RQ has no retry left (shown to administrators, never queued
  again by the reconciler).

Jobs whose effect has no guard of its own in the database (a message that no row records as sent) call
`claim()` first and `mark_done()` just before their commit: the row itself is then the guard, locked
while the job runs, so a second run of the same job id (after Redis lost it while a horse was still at
work) waits, then finds it done and sends nothing.
"""

from __future__ import annotations

import contextlib
import logging

from rq import Callback, get_current_job

from portal.data import outbox as outbox_data
from portal.data.db import db

log = logging.getLogger(__name__)


def job_finished(job, connection, result, *args, **kwargs) -> None:
    """RQ success callback. If it raises (the database is down), RQ counts the job as failed and retries
    it, which is what we want: the row must not stay enqueued-not-done without a job to finish it."""
    db.session.rollback()  # whatever the job left uncommitted is not ours to commit
    outbox_data.mark_done(job.id)
    db.session.commit()


def job_failed(job, connection, exc_type, exc_value, traceback) -> None:
    """RQ failure callback: runs after every failed attempt; only the last one marks the row."""
    if job.should_retry:
        return
    try:
        db.session.rollback()
        outbox_data.mark_failed(job.id)
        db.session.commit()
    except Exception:  # noqa: BLE001 - a raising callback would replace the job's own error in RQ
        log.warning("outbox: could not mark job %s failed; the reconciler will", job.id)
        with contextlib.suppress(Exception):  # the connection is gone; nothing else to undo
            db.session.rollback()


ON_SUCCESS = Callback(job_finished)
ON_FAILURE = Callback(job_failed)


def claim() -> bool:
    """Lock this job's outbox row for the job's transaction; False if the row is done already (the job
    must then do nothing). True when the job runs outside the outbox (a test, a periodic job)."""
    job = get_current_job()
    if job is None:
        return True
    row = outbox_data.lock_for_job(job.id)
    return row is None or row.done_at is None


def mark_done() -> None:
    """Mark this job's row done in the job's own transaction (the caller commits, with its effect)."""
    job = get_current_job()
    if job is not None:
        outbox_data.mark_done(job.id)
