"""The RQ worker process: `flask jobs worker`. Jobs run inside an app context."""

from __future__ import annotations

from flask import Flask
from rq import Worker

from portal.extensions import redis_connection
from portal.jobs.queues import ALL


class PortalWorker(Worker):
    """An RQ worker that gives every job the portal's app context (database session, config)."""

    flask_app: Flask | None = None

    def perform_job(self, job, queue):
        with self.flask_app.app_context():
            return super().perform_job(job, queue)


def make_worker(app: Flask, burst: bool = False, name: str | None = None) -> PortalWorker:
    PortalWorker.flask_app = app
    return PortalWorker([*ALL], connection=redis_connection.client, name=name)


def run(app: Flask, burst: bool = False) -> bool:
    # The scheduler moves retries with a back-off interval back onto their queue when due.
    return make_worker(app).work(burst=burst, with_scheduler=True, logging_level="WARNING")
