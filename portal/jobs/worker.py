"""The RQ worker process: `flask jobs worker`. Jobs run inside an app context; the same process
runs the outbox relay (a thread), RQ's scheduler (retries with back-off) and RQ's cron scheduler
(periodic jobs such as escalation, a thread: portal.jobs.cron)."""

from __future__ import annotations

import logging

from flask import Flask
from rq import SimpleWorker, Worker

from portal.extensions import db, redis_connection
from portal.jobs import fork_guard, registry
from portal.jobs.cron import Cron
from portal.jobs.outbox import Relay
from portal.jobs.queues import ALL, DEQUEUE_STRATEGY


class _AppContextMixin:
    """Gives every job the portal's app context (database session, config)."""

    flask_app: Flask | None = None

    def perform_job(self, job, queue, *args, **kwargs):
        with self.flask_app.app_context():
            return super().perform_job(job, queue, *args, **kwargs)

    def work(self, *args, **kwargs):
        kwargs.setdefault("dequeue_strategy", DEQUEUE_STRATEGY)  # queues in turn (portal.jobs.queues)
        return super().work(*args, **kwargs)


class PortalWorker(_AppContextMixin, Worker):
    """Forks a work horse per job: a job that crashes or leaks cannot take the worker with it."""

    def perform_job(self, job, queue, *args, **kwargs):
        # This runs in the forked child: database connections inherited from the parent must not
        # be shared with it, so the child opens its own.
        db.engine.dispose(close=False)
        return super().perform_job(job, queue, *args, **kwargs)

    def fork_work_horse(self, job, queue):
        with fork_guard.DATABASE_WORK:  # never in the middle of the relay's transaction (portal.jobs.fork_guard)
            return super().fork_work_horse(job, queue)


class PortalSimpleWorker(_AppContextMixin, SimpleWorker):
    """Runs jobs in this process (tests, benchmarks): it shares the caller's database transaction."""


def make_worker(app: Flask, name: str | None = None, maintenance_interval: int = 600) -> PortalWorker:
    registry.load_all()
    PortalWorker.flask_app = app
    return PortalWorker([*ALL], connection=redis_connection.client, name=name,
                        maintenance_interval=maintenance_interval)


def make_simple_worker(app: Flask) -> PortalSimpleWorker:
    registry.load_all()
    PortalSimpleWorker.flask_app = app
    return PortalSimpleWorker([*ALL], connection=redis_connection.client)


def run(app: Flask, burst: bool = False, maintenance_interval: int = 600) -> bool:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    relay = Relay(app)
    relay.start()
    cron = None
    try:
        # A burst worker (tests, one-off runs) drains the queues and stops: no periodic jobs for it.
        if not burst:
            cron = Cron(app, redis_connection.client)
            cron.start()
        registry.run_warm_ups(app)  # before the first fork: every horse inherits what it loaded
        worker = make_worker(app, maintenance_interval=maintenance_interval)
        return worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")
    finally:
        if cron:
            cron.stop()
        relay.stop()
