"""Periodic jobs, enqueued by RQ's cron scheduler (rq.cron, RQ 3) from a thread of the worker process.

RQ's own `CronScheduler.start()` wants the main thread (it installs signal handlers) and a process of
its own; the portal runs it inside the worker instead, so `flask jobs worker` and `flask serve` stay
one command. Every worker process runs one: periodic jobs must therefore be idempotent (escalation is,
by its unique key; publishing the audit head writes a head that has not moved only once), and running
several workers only means they are enqueued a few times more often.

Periodic jobs go straight to RQ, not through the outbox: there is no transaction whose commit they
depend on, and a run lost to a Redis outage is made up by the next one.
"""

from __future__ import annotations

import contextlib
import logging
import threading

import redis
from rq.cron import CronScheduler

from portal.jobs import names, registry
from portal.jobs.outage import OUTAGE, REDIS_DOWN
from portal.jobs.queues import DEFAULT

log = logging.getLogger(__name__)
# Expired invitations are already ignored by every query; the sweep only erases their contacts.
INVITATION_SWEEP_INTERVAL = 60 * 60
# Expired sessions are already ignored when read; the sweep only keeps the table small.
SESSION_SWEEP_INTERVAL = 60 * 60
# Retention counts in days (portal.domain.retention); a run a worker missed is made up the next day.
RETENTION_INTERVAL = 24 * 60 * 60


def periodic_jobs(app) -> list[tuple[str, str, int]]:
    """(job name, queue, interval in seconds) for every periodic job."""
    jobs = [(names.ESCALATE_DUE_CASES, DEFAULT, app.config["ESCALATION_INTERVAL"]),
            (names.PUBLISH_AUDIT_HEAD, DEFAULT, app.config["AUDIT_HEAD_INTERVAL"]),
            (names.EXPIRE_INVITATIONS, DEFAULT, INVITATION_SWEEP_INTERVAL),
            (names.PURGE_EXPIRED_SESSIONS, DEFAULT, SESSION_SWEEP_INTERVAL),
            (names.PURGE_IDEMPOTENCY_KEYS, DEFAULT, SESSION_SWEEP_INTERVAL),
            (names.RUN_RETENTION, DEFAULT, RETENTION_INTERVAL),
            (names.PURGE_DATA_EXPORTS, DEFAULT, SESSION_SWEEP_INTERVAL),
            (names.PURGE_WEBHOOK_DELIVERIES, DEFAULT, SESSION_SWEEP_INTERVAL)]
    khqr = app.config["PORTAL_SETTINGS"].khqr
    if khqr is not None:  # asking the provider about KHQR requests still open (portal.payments.polling)
        jobs.append((names.SCHEDULE_KHQR_POLLS, DEFAULT, khqr.poll_interval))
    return jobs


class Cron(threading.Thread):
    def __init__(self, app, connection):
        super().__init__(name="cron", daemon=True)
        self.stopping = threading.Event()
        self.scheduler = CronScheduler(connection=connection, logging_level="WARNING")
        for name, queue, interval in periodic_jobs(app):
            spec = registry.get(name)
            self.scheduler.register(spec.function, queue_name=queue, interval=interval, job_timeout=spec.timeout)

    def run(self) -> None:
        registered = False
        while not self.stopping.is_set():
            try:
                if not registered:
                    self.scheduler.register_birth()
                    registered = True
                if self.scheduler.enqueue_jobs():
                    self.scheduler.save()
                self.scheduler.heartbeat()
                wait = self.scheduler.calculate_sleep_interval()
                OUTAGE.over()
            except REDIS_DOWN as error:
                # One line per outage for the whole worker process (portal.jobs.outage).
                OUTAGE.noticed("the cron thread", error)
                wait = 5
            except (redis.RedisError, OSError):
                log.warning("cron: Redis refused a command; periodic jobs wait until it accepts them")
                wait = 5
            except Exception:
                # Anything else must not end the thread quietly while the worker goes on without it.
                log.exception("cron: enqueueing periodic jobs failed; trying again shortly")
                wait = 30
            self.stopping.wait(max(wait, 0.5))
        if registered:
            with contextlib.suppress(redis.RedisError, OSError):
                self.scheduler.register_death()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)
