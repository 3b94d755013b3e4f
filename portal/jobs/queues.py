"""Queue names (constants, so a typo is an import error, not a job nobody runs) and enqueueing."""

from __future__ import annotations

from rq import Queue, Retry

from portal.extensions import redis_connection

DOCUMENTS = "documents"
NOTIFICATIONS = "notifications"
DEFAULT = "default"
# The order a worker takes them in: people wait for notifications more than for anything else.
ALL = (NOTIFICATIONS, DOCUMENTS, DEFAULT)

DEFAULT_TIMEOUT = 120
DEFAULT_RETRY = Retry(max=3, interval=[10, 60, 300])


def queue(name: str) -> Queue:
    if name not in ALL:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=redis_connection.client)


def enqueue(name: str, function, *args, job_id: str | None = None, **kwargs):
    """Enqueue `function(*args)`; arguments must be ids and plain values, never ORM objects."""
    return queue(name).enqueue(
        function, *args, job_id=job_id, retry=DEFAULT_RETRY, job_timeout=DEFAULT_TIMEOUT, **kwargs
    )
