"""Work the outbox still owes, for administrators: how much, and the rows that are late.

A row is late when its job has not finished `LATE_AFTER` after the change that asked for it: with
workers running, a receipt or an email takes seconds, so minutes mean no worker, a job stuck in its
retries, or work Redis lost that the reconciler has not queued again yet. Failed rows are listed too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.data import outbox as outbox_data
from portal.data.db import utcnow

LATE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class LateJob:
    id: str
    name: str
    state: str  # "pending" (not handed to RQ), "queued" (handed to RQ, not finished) or "failed"
    created_at: datetime
    requeued: int  # times the reconciler queued it again after Redis lost it


@dataclass(frozen=True)
class Backlog:
    counts: outbox_data.Counts
    late: list[LateJob]


def backlog(limit: int = 100) -> Backlog:
    late_before = utcnow() - LATE_AFTER
    rows = outbox_data.late(late_before, limit)
    return Backlog(
        counts=outbox_data.counts(late_before),
        late=[LateJob(id=row.job_id, name=row.job_name, created_at=row.created_at, requeued=row.requeued,
                      state="failed" if row.failed_at else "pending" if row.enqueued_at is None else "queued")
              for row in rows],
    )
