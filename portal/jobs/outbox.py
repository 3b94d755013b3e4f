"""The transactional outbox (DESIGN.md section 5).

`schedule()` adds a row to the caller's transaction: the work exists exactly when the change
that needs it was committed. `relay_pending()` moves committed rows to RQ. If Redis is down the
rows wait; if the process dies after enqueueing but before marking, the next pass enqueues again
and RQ refuses the duplicate job id (and jobs are idempotent besides).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid

import redis
from flask import Flask
from rq.exceptions import DuplicateJobError

from portal.data import outbox as outbox_data
from portal.extensions import db
from portal.jobs import registry
from portal.jobs.outage import OUTAGE, REDIS_DOWN
from portal.jobs.queues import queue

log = logging.getLogger(__name__)


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


def relay_pending(limit: int = 200) -> int:
    """Enqueue committed outbox rows to RQ; returns how many were moved. Raises on a Redis outage
    (after rolling back, so the rows stay pending)."""
    moved = 0
    try:
        for message in outbox_data.claim_pending(limit):
            spec = registry.get(message.job_name)
            # A duplicate was enqueued by an earlier pass that died before marking the row.
            with contextlib.suppress(DuplicateJobError):
                queue(spec.queue).enqueue_call(
                    func=spec.function,
                    args=message.arguments,
                    job_id=message.job_id,
                    timeout=spec.timeout,
                    retry=spec.retry(),
                    failure_ttl=30 * 24 * 3600,  # failed jobs stay visible to administrators for a month
                    unique=True,
                )
            outbox_data.mark_enqueued(message)
            moved += 1
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return moved


class Relay(threading.Thread):
    """Runs `relay_pending()` every `interval` seconds inside the worker process."""

    def __init__(self, app: Flask, interval: float = 0.5):
        super().__init__(name="outbox-relay", daemon=True)
        self.app, self.interval = app, interval
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                with self.app.app_context():
                    if relay_pending():
                        OUTAGE.over()
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
