"""A worker killed at any moment after taking a job leaves it to be run again, never dropped.

The moments between RQ taking a job off its queue and the work horse starting it are milliseconds
wide; the reliability suite's SIGKILL scenario hit them about one run in four. Here each is reached
by hand: a worker that took the job and then did nothing more, as if killed right there."""

from __future__ import annotations

import time

from rq import Queue
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from portal.data.db import db
from portal.extensions import redis_connection
from portal.jobs import queues
from portal.jobs.orphans import OrphanWatch
from portal.jobs.outbox import reconcile, relay_pending, schedule
from portal.jobs.queues import ALL
from portal.jobs.worker import PortalWorker, make_simple_worker
from tests.integration.test_outbox import record_greeting
from tests.integration.test_outbox_until_done import private_redis, row  # noqa: F401 - a fixture

LATER = 3600  # seconds: long after any heartbeat of the dead worker would have expired


def a_job_taken_by_a_worker(app, registered: bool = True):
    """(job id, worker) for a queued job the worker has taken off its queue and (`registered`) registered
    as started, then died."""
    job_id = schedule(record_greeting, "Dara")
    db.session.commit()
    relay_pending()
    PortalWorker.flask_app = app
    worker = PortalWorker([*ALL], connection=redis_connection.client)
    job, _queue = worker.dequeue_job_and_maintain_ttl(timeout=1)
    assert job.id == job_id
    if registered:
        worker.prepare_execution(job)  # what RQ does just before it forks the horse; then the kill
    return job_id, worker


def test_a_job_whose_worker_died_before_its_horse_started_is_retried_not_dropped(app, private_redis):  # noqa: F811
    job_id, _dead = a_job_taken_by_a_worker(app)
    assert Job.fetch(job_id, connection=redis_connection.client).get_status() == JobStatus.STARTED

    # Another worker's maintenance, once the dead worker's heartbeat has run out.
    StartedJobRegistry(queues.DEFAULT, connection=redis_connection.client).cleanup(timestamp=time.time() + LATER)

    job = Job.fetch(job_id, connection=redis_connection.client)
    assert job.get_status() == JobStatus.SCHEDULED  # a retry with back-off, like any abandoned job
    assert job_id in ScheduledJobRegistry(queues.DEFAULT, connection=redis_connection.client).get_job_ids()
    assert row(job_id).done_at is None


def test_a_job_a_live_worker_is_about_to_start_is_left_alone(app, private_redis):  # noqa: F811
    job_id, _alive = a_job_taken_by_a_worker(app)
    StartedJobRegistry(queues.DEFAULT, connection=redis_connection.client).cleanup()  # heartbeat still fresh
    assert Job.fetch(job_id, connection=redis_connection.client).get_status() == JobStatus.STARTED
    assert Queue(queues.DEFAULT, connection=redis_connection.client).count == 0


def test_a_job_whose_worker_died_right_after_taking_it_off_the_queue_is_queued_again_and_runs_once(
        app, private_redis):  # noqa: F811
    job_id, _dead = a_job_taken_by_a_worker(app, registered=False)
    watch = OrphanWatch(grace=0.5)
    assert reconcile(orphans=watch).orphaned == 0  # it may be in passage: seen once, left alone
    time.sleep(0.6)
    assert reconcile(orphans=watch).orphaned == 1
    assert Queue(queues.DEFAULT, connection=redis_connection.client).job_ids == [job_id]
    assert reconcile(orphans=watch).orphaned == 0  # back in its queue: nothing more to do

    make_simple_worker(app).work(burst=True)
    assert Job.fetch(job_id, connection=redis_connection.client).get_status() == JobStatus.FINISHED
    assert row(job_id).done_at is not None and row(job_id).requeued == 1


def test_jobs_in_their_queue_or_running_are_never_taken_for_orphans(app, private_redis):  # noqa: F811
    running, _alive = a_job_taken_by_a_worker(app)  # registered as started, heartbeat fresh
    waiting = schedule(record_greeting, "Sokha")
    db.session.commit()
    relay_pending()
    watch = OrphanWatch(grace=0)
    assert reconcile(orphans=watch).orphaned == 0
    assert Queue(queues.DEFAULT, connection=redis_connection.client).job_ids == [waiting]
