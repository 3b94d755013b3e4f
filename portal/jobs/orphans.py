"""Jobs Redis holds that nobody will ever run, found by the outbox reconciler (portal.jobs.outbox).

A worker with several queues takes a job off its queue with LPOP and only then registers it as started:
for those milliseconds the job is in no queue and no registry, and a worker killed right then leaves it
so for good (its status says "queued", RQ's maintenance never sees it, and the reconciler's first test,
"does Redis still hold the job?", says yes). The same holds for any job whose status names a place
(queued, started, scheduled) it is not in. Such a job is put back on its queue, once it has stayed
unplaced for ORPHAN_GRACE seconds: a job in passage between two places is never there that long.
"""

from __future__ import annotations

import time

from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

ORPHAN_GRACE = 10  # seconds


def is_placed(job: Job) -> bool:
    """Whether the job is where its status says it is (or its status names no place to check)."""
    status = job.get_status(refresh=False)
    connection = job.connection
    if status == JobStatus.SCHEDULED:
        return connection.zscore(ScheduledJobRegistry(job.origin, connection=connection).key, job.id) is not None
    if status not in (JobStatus.QUEUED, JobStatus.STARTED):
        return True
    started = StartedJobRegistry(job.origin, connection=connection).key
    # Entries of the started registry are "<job id>:<execution id>".
    if any(True for _ in connection.zscan_iter(started, match=f"{job.id}:*")):
        return True
    queue = Queue(job.origin, connection=connection)
    return status == JobStatus.QUEUED and connection.lpos(queue.key, job.id) is not None


class OrphanWatch:
    """Remembers since when each job has been seen unplaced, across the reconciler's passes."""

    def __init__(self, grace: float = ORPHAN_GRACE) -> None:
        self.grace = grace
        self._unplaced_since: dict[str, float] = {}
        self._seen: set[str] = set()

    def is_orphan(self, job: Job) -> bool:
        """True when the job has been unplaced for the grace period (and so needs queueing again)."""
        if is_placed(job):
            return False
        self._seen.add(job.id)
        since = self._unplaced_since.setdefault(job.id, time.monotonic())
        return time.monotonic() - since >= self.grace

    def requeued(self, job: Job) -> None:
        self._unplaced_since.pop(job.id, None)

    def end_pass(self) -> None:
        """Forget jobs not seen unplaced in this pass (placed again, finished, or not ours to watch)."""
        self._unplaced_since = {job_id: since for job_id, since in self._unplaced_since.items() if job_id in self._seen}
        self._seen = set()


def put_back(job: Job) -> None:
    """Queue the job again at the front (it was taken once already), under its own id."""
    Queue(job.origin, connection=job.connection).enqueue_job(job, at_front=True)
