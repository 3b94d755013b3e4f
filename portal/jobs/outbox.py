"""The transactional outbox (DESIGN.md section 5).

`schedule()` adds a row to the caller's transaction: the work exists exactly when the change
that needs it was committed. `relay_pending()` moves committed rows to RQ. If Redis is down the
rows wait; if the process dies after enqueueing but before marking, the next pass enqueues again
and RQ refuses the duplicate job id (and jobs are idempotent besides).

A row handed to RQ is not done: the job marks it done when it has finished (portal.jobs.completion).
`reconcile()` looks at the rows enqueued but not done and asks Redis about their jobs: a job Redis
no longer holds (Redis restarted without its data) is queued again under the same job id, so RQ
refuses it while any copy exists; a finished or failed one only gets its row marked. A copy may still
be running in a work horse when Redis lost it: jobs guard their effects in the database (a delivery
marked sent, a document issued once per request, `completion.claim()`), so the second run does nothing.
A job Redis holds but nobody will run (a worker killed between taking it and starting it) is put back
on its queue too (portal.jobs.orphans).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
import uuid
from dataclasses import dataclass

import redis
from flask import Flask
from rq.exceptions import DuplicateJobError
from rq.job import Job, JobStatus

from portal.data import outbox as outbox_data
from portal.extensions import db, redis_connection
from portal.jobs import completion, fork_guard, registry
from portal.jobs.orphans import OrphanWatch, put_back
from portal.jobs.outage import OUTAGE, REDIS_DOWN
from portal.jobs.queues import queue

log = logging.getLogger(__name__)
# How often each worker's relay thread reconciles: the longest a job lost with Redis waits.
RECONCILE_INTERVAL = 20
FAILED_JOB_TTL = 30 * 24 * 3600  # failed jobs stay visible to administrators for a month


def schedule(job, *arguments, job_id: str | None = None) -> str:
    """Queue the job `job(*arguments)` to run once the current transaction commits; returns the job id.
    `job` is a registered job function, or its name from `portal.jobs.names` (to schedule another
    package's job without importing it)."""
    name = job if isinstance(job, str) else job.job_name  # only registered jobs can be scheduled
    registry.get(name)  # an unknown name fails here, in the caller's transaction, not later in the relay
    # RQ job ids allow letters, digits, "_" and "-" only.
    job_id = job_id or f"{name.rsplit('.', 1)[-1]}-{uuid.uuid4().hex}"
    outbox_data.add(job_id, name, list(arguments))
    return job_id


def _enqueue(message) -> None:
    spec = registry.get(message.job_name)
    # A duplicate: an earlier pass died before marking the row, or the job is still in Redis.
    with contextlib.suppress(DuplicateJobError):
        queue(spec.queue).enqueue_call(
            func=spec.function,
            args=message.arguments,
            job_id=message.job_id,
            timeout=spec.timeout,
            retry=spec.retry(),
            failure_ttl=FAILED_JOB_TTL,
            unique=True,
            on_success=completion.ON_SUCCESS,
            on_failure=completion.ON_FAILURE,
        )


def relay_pending(limit: int = 200) -> int:
    """Enqueue committed outbox rows to RQ; returns how many were moved. Raises on a Redis outage
    (after rolling back, so the rows stay pending)."""
    moved = 0
    try:
        for message in outbox_data.claim_pending(limit):
            _enqueue(message)
            outbox_data.mark_enqueued(message)
            moved += 1
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return moved


@dataclass
class Reconciled:
    requeued: int = 0  # Redis had lost the job: queued again, same id
    orphaned: int = 0  # Redis held the job, but in no queue or registry: queued again
    finished: int = 0  # the job finished but its row was not marked (it ran before this release, or ...)
    failed: int = 0  # the job is in RQ's failed list (e.g. abandoned by a dead worker, no retry left)


# RQ statuses of a job that will never run again by itself.
_FAILED = {JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}


# Jobs seen unplaced by this process's reconciler, across its passes.
_ORPHANS = OrphanWatch()


def reconcile(batch: int = 500, orphans: OrphanWatch = _ORPHANS) -> Reconciled:
    """Compare the rows enqueued but not done with what Redis holds, and repair the difference (see the
    module's docstring). Raises on a Redis outage, after rolling back."""
    found = Reconciled()
    orphans.start_pass(redis_connection.client)
    after_id = 0
    while True:
        try:
            rows = outbox_data.claim_unfinished(after_id, batch)
            jobs = Job.fetch_many([row.job_id for row in rows], connection=redis_connection.client)
            for row, job in zip(rows, jobs, strict=True):
                status = job.get_status(refresh=False) if job is not None else None
                if job is None:
                    _enqueue(row)
                    outbox_data.mark_requeued(row)
                    found.requeued += 1
                elif status == JobStatus.FINISHED:
                    outbox_data.mark_done(row.job_id)
                    found.finished += 1
                elif status in _FAILED:
                    outbox_data.mark_failed(row.job_id)
                    found.failed += 1
                elif orphans.is_orphan(job):
                    put_back(job)
                    orphans.requeued(job)
                    outbox_data.mark_requeued(row)
                    found.orphaned += 1
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        if len(rows) < batch:
            break
        after_id = rows[-1].id
    orphans.end_pass()
    if found.orphaned:
        log.warning("outbox: %d job(s) had been taken by a worker that died before starting them; queued again",
                    found.orphaned)
    if found.requeued:
        log.warning("outbox: %d job(s) were no longer in Redis and were queued again", found.requeued)
    return found


class Relay(threading.Thread):
    """Runs `relay_pending()` every `interval` seconds, and `reconcile()` every `reconcile_interval`
    seconds (and once at start), inside the worker process."""

    def __init__(self, app: Flask, interval: float = 0.5, reconcile_interval: float = RECONCILE_INTERVAL):
        super().__init__(name="outbox-relay", daemon=True)
        self.app, self.interval, self.reconcile_interval = app, interval, reconcile_interval
        self.stopping = threading.Event()
        self.next_reconcile = 0.0

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                # The worker does not fork a horse while these hold a database transaction (fork_guard).
                with self.app.app_context(), fork_guard.DATABASE_WORK:
                    if relay_pending():
                        OUTAGE.over()
                    if time.monotonic() >= self.next_reconcile:
                        reconcile()
                        self.next_reconcile = time.monotonic() + self.reconcile_interval
            except REDIS_DOWN as error:
                # One line per outage for the whole worker process (portal.jobs.outage).
                OUTAGE.noticed("the outbox relay", error)
                self.stopping.wait(5)
            except (redis.RedisError, OSError):
                log.warning("outbox relay: Redis refused a job; pending jobs will be sent when it accepts them")
                self.stopping.wait(5)
            except Exception:
                log.exception("outbox relay failed; retrying")
                self.stopping.wait(5)
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)
