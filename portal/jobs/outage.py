"""Redis outages as the worker process sees them: one WARNING when Redis becomes unreachable, one
INFO line when it answers again, instead of a line (or a traceback) at every retry of every thread.

The worker's main loop, the outbox relay and the cron thread share one `OUTAGE` per process, so an
outage of minutes logs one line however many of them notice it.
"""

from __future__ import annotations

import logging
import threading
import time

import redis

log = logging.getLogger("portal.jobs")

# What an unreachable, restarting or still-loading Redis raises (BusyLoadingError is a ConnectionError).
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, ConnectionError, TimeoutError)

# The longest wait between two attempts to reach Redis again: short, so work resumes within
# seconds of Redis coming back, and long enough not to busy-loop while it is away.
MAX_BACKOFF = 2.0


class Outage:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since: float | None = None

    @property
    def ongoing(self) -> bool:
        return self._since is not None

    def noticed(self, who: str, error: BaseException) -> None:
        with self._lock:
            if self._since is not None:
                return
            self._since = time.monotonic()
        log.warning("Redis unreachable (%s: %s), noticed by %s; retrying every %g s until it answers",
                    type(error).__name__, error, who, MAX_BACKOFF)

    def over(self) -> None:
        with self._lock:
            since, self._since = self._since, None
        if since is not None:
            log.info("Redis reachable again after %.0f s", time.monotonic() - since)


def backoff(attempt: int) -> float:
    """Seconds to wait before attempt number `attempt` (1, 2, 4 ... capped at MAX_BACKOFF)."""
    return min(2.0 ** max(attempt - 1, 0), MAX_BACKOFF)


OUTAGE = Outage()
