"""Queue names (constants, so a typo is an import error, not a job nobody runs).

Work is queued only through the outbox (`portal.jobs.outbox.schedule`), never straight to RQ, so
nothing is lost between a commit and Redis.
"""

from __future__ import annotations

from rq import Queue

from portal.extensions import redis_connection

DOCUMENTS = "documents"
NOTIFICATIONS = "notifications"
DEFAULT = "default"
# The order a worker takes them in: people wait for notifications more than for anything else.
ALL = (NOTIFICATIONS, DOCUMENTS, DEFAULT)


def queue(name: str) -> Queue:
    if name not in ALL:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=redis_connection.client)
