"""Jobs that exhausted their retries: listed for administrators, who can run them again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry

from portal.data import outbox as outbox_data
from portal.extensions import redis_connection
from portal.jobs.queues import ALL


@dataclass(frozen=True)
class FailedJob:
    id: str
    queue: str
    name: str
    arguments: tuple
    failed_at: datetime | None
    error: str  # the last line of the traceback: the exception and its message


def _registry(queue: str) -> FailedJobRegistry:
    return FailedJobRegistry(queue, connection=redis_connection.client)


def failed_jobs(limit: int = 200) -> list[FailedJob]:
    found = []
    for queue in ALL:
        ids = _registry(queue).get_job_ids(0, limit - 1)
        for job in Job.fetch_many(ids, connection=redis_connection.client):
            if job is None:
                continue
            result = job.latest_result()
            traceback = (result.exc_string if result else "") or ""
            lines = [line for line in traceback.strip().splitlines() if line.strip()]
            found.append(FailedJob(
                id=job.id, queue=queue, name=job.func_name.rsplit(".", 1)[-1], arguments=tuple(job.args),
                failed_at=job.ended_at, error=lines[-1][:500] if lines else "",
            ))
    return sorted(found, key=lambda j: j.failed_at or datetime.min, reverse=True)


def retry(job_id: str) -> bool:
    """Put a failed job back on its queue, and its outbox row back among the unfinished; False if it is
    neither in a failed list nor a failed outbox row. A failed row whose job Redis no longer holds goes
    back to pending, and the relay queues it again. The caller commits."""
    for queue in ALL:
        registry = _registry(queue)
        if job_id in registry.get_job_ids():
            try:
                registry.requeue(job_id)
            except (NoSuchJobError, InvalidJobOperation):
                return False
            outbox_data.reopen(job_id, requeue=False)
            return True
    if outbox_data.is_failed(job_id) and Job.exists(job_id, connection=redis_connection.client):
        return False  # RQ still holds it, but not as failed: it is being run again already
    return outbox_data.reopen(job_id, requeue=True)
