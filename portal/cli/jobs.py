from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.cli.checks import require_database, require_keys, require_redis
from portal.jobs import worker

group = AppGroup("jobs", help="Background jobs (RQ).")


@group.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--maintenance-interval", default=worker.MAINTENANCE_INTERVAL, show_default=True,
              type=click.IntRange(1, 600),
              help="Seconds between checks for jobs abandoned by a worker that died (also the longest "
                   "wait for a job between two checks).")
def run_worker(burst: bool, maintenance_interval: int) -> None:
    """Run a worker on every queue, with the outbox relay and the scheduler for retries."""
    require_database()
    require_keys()
    require_redis()
    worker.run(current_app._get_current_object(), burst=burst, maintenance_interval=maintenance_interval)
