"""RQ's scheduler (it moves jobs waiting for a retry with back-off to their queue when due), as
every worker process runs it: one per queue holds a lock in Redis, the others stand by.

Three changes to RQ's: a dead worker's scheduler lock lapses after SCHEDULER_LOCK_TTL seconds
instead of 61 (RQ refreshes it every second; with 61 s the standby's scheduler started only after
the abandoned job's retry was due), the loop waits out a Redis outage instead of dying with a
traceback, and the process dies with its worker instead of running on as an orphan.
"""

from __future__ import annotations

import contextlib
import os
import time

from rq.scheduler import RQScheduler

from portal.jobs.outage import REDIS_DOWN
from portal.jobs.processes import die_with_parent

# Short enough that a standby picks the lock up well before an abandoned job's first retry is due
# (portal.jobs.worker explains the timeline), long enough that a busy machine's scheduler, which
# renews it every second, never loses it by being a few seconds late.
SCHEDULER_LOCK_TTL = 15

# Set the lock's expiry only while we own it (RQ's own script sets its fixed 61 s).
_EXPIRE_IF_OWNER = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('EXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


class PortalScheduler(RQScheduler):
    @property
    def should_reacquire_locks(self) -> bool:
        # RQ tries again for the queues it did not get every 120 s; a lapsed lock is free sooner.
        if self._queue_names == self.acquired_locks:
            return False
        tried_at = getattr(self, "_locks_tried_at", None)
        return tried_at is None or time.monotonic() - tried_at > SCHEDULER_LOCK_TTL

    def acquire_locks(self, auto_start: bool = False):
        self._locks_tried_at = time.monotonic()
        locks = super().acquire_locks(auto_start=auto_start)
        self._shorten_locks()
        return locks

    def heartbeat(self) -> None:
        super().heartbeat()
        self._shorten_locks()

    def _shorten_locks(self) -> None:
        if not self._acquired_locks:
            return
        script = self.connection.register_script(_EXPIRE_IF_OWNER)
        with self.connection.pipeline() as pipeline:
            for name in self._acquired_locks:
                script(keys=[self.get_locking_key(name)], args=[self.name, SCHEDULER_LOCK_TTL], client=pipeline)
            pipeline.execute()

    def start(self):
        self._worker_pid = os.getpid()
        return super().start()

    def work(self) -> None:
        """RQ's loop (runs in the scheduler's own process), waiting out Redis outages: the worker's
        main process reports them, once."""
        die_with_parent(self._worker_pid)
        self._install_signal_handlers()
        born = False
        while not self._stop_requested:
            try:
                if not born:
                    self.register_birth()
                    born = True
                if self.should_reacquire_locks:
                    self.acquire_locks()
                self.heartbeat()
                self.enqueue_scheduled_jobs()
            except REDIS_DOWN as error:
                self.log.debug("Scheduler: Redis unreachable (%s); trying again", error)
            time.sleep(self.interval)
        with contextlib.suppress(*REDIS_DOWN):
            self.stop()
