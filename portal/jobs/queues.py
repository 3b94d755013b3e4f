"""Queue names (constants, so a typo is an import error, not a job nobody runs).

Work is queued only through the outbox (`portal.jobs.outbox.schedule`), never straight to RQ, so
nothing is lost between a commit and Redis.
"""

from __future__ import annotations

from rq import Queue
from rq.worker import DequeueStrategy

from portal.extensions import redis_connection

DOCUMENTS = "documents"
NOTIFICATIONS = "notifications"
DEFAULT = "default"
WEBHOOKS = "webhooks"  # businesses' receivers: slow ones must not hold back a sign-in code or a receipt
# Every worker serves every queue, and takes them in turn: after a job from one queue it looks at the
# next one first (RQ's round robin). Served strictly in order, a burst of 400 emails held every receipt
# back until the last email had gone (issue 11: no receipt for the first 22 s of a 200-applicant
# burst); in turn, a receipt waits for at most one job of each other queue. A queue that is empty
# costs nothing. See docs/deploy.md.
ALL = (NOTIFICATIONS, DOCUMENTS, DEFAULT, WEBHOOKS)
DEQUEUE_STRATEGY = DequeueStrategy.ROUND_ROBIN


def queue(name: str) -> Queue:
    if name not in ALL:
        raise ValueError(f"unknown queue {name!r}")
    return Queue(name, connection=redis_connection.client)
