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


class Places:
    """Where jobs are, per queue, read once per reconciler pass (a pass may look at thousands of jobs): the
    ids in the queue, in its started registry and in its scheduled registry."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self._by_queue: dict[str, tuple[set[str], set[str], set[str]]] = {}

    def of(self, origin: str) -> tuple[set[str], set[str], set[str]]:
        if origin not in self._by_queue:
            queue = Queue(origin, connection=self.connection)
            started = StartedJobRegistry(origin, connection=self.connection)
            scheduled = ScheduledJobRegistry(origin, connection=self.connection)
            self._by_queue[origin] = (
                set(queue.get_job_ids()),
                # Entries of the started registry are "<job id>:<execution id>"; cleanup=False: reading
                # must not run RQ's maintenance from the reconciler.
                set(started.get_job_ids(cleanup=False)),
                set(scheduled.get_job_ids(cleanup=False)),
            )
        return self._by_queue[origin]


def is_placed(job: Job, places: Places) -> bool:
    """Whether the job is where its status says it is (or its status names no place to check)."""
    status = job.get_status(refresh=False)
    queued, started, scheduled = places.of(job.origin)
    if status == JobStatus.SCHEDULED:
        return job.id in scheduled
    if status == JobStatus.STARTED:
        return job.id in started
    if status == JobStatus.QUEUED:
        return job.id in queued or job.id in started
    return True


class OrphanWatch:
    """Remembers since when each job has been seen unplaced, across the reconciler's passes."""

    def __init__(self, grace: float = ORPHAN_GRACE) -> None:
        self.grace = grace
        self._unplaced_since: dict[str, float] = {}
        self._seen: set[str] = set()
        self._places: Places | None = None

    def start_pass(self, connection) -> None:
        """Read where jobs are afresh (a pass cut short by an outage left an old picture behind)."""
        self._places = Places(connection)

    def is_orphan(self, job: Job) -> bool:
        """True when the job has been unplaced for the grace period (and so needs queueing again)."""
        if self._places is None:
            self._places = Places(job.connection)
        if is_placed(job, self._places):
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
        self._places = None


def put_back(job: Job) -> None:
    """Queue the job again at the front (it was taken once already), under its own id."""
    Queue(job.origin, connection=job.connection).enqueue_job(job, at_front=True)
