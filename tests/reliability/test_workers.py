"""Real workers: retries end in the failed list; a worker killed mid-job loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from rq import Queue, Retry
from rq.registry import FailedJobRegistry

from portal.data.db import db
from portal.extensions import redis_connection
from portal.jobs import queues
from portal.jobs.outbox import relay_pending, schedule
from portal.jobs.worker import make_simple_worker
from portal.paths import PROJECT_ROOT
from portal.redis_server import EmbeddedRedis, connect
from tests.reliability.jobs import always_fails, slow_append


def test_a_job_that_always_fails_ends_in_the_failed_list_after_its_retries(app):
    job_id = schedule(always_fails, "test")
    db.session.commit()
    relay_pending()
    make_simple_worker(app).work(burst=True)
    failed = FailedJobRegistry(queues.DEFAULT, connection=redis_connection.client)
    assert failed.get_job_ids() == [job_id]
    job = Queue(queues.DEFAULT, connection=redis_connection.client).fetch_job(job_id)
    assert "this job always fails" in job.latest_result().exc_string
    assert job.retries_left == 0


@pytest.mark.no_db_transaction
def test_a_worker_killed_mid_job_leaves_a_job_another_worker_completes_once(tmp_path):
    redis_server = EmbeddedRedis(tmp_path / "redis").start()
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(PORTAL_INSTANCE_PATH=str(tmp_path), REDIS_URL=redis_server.url, PYTHONPATH=str(PROJECT_ROOT))
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=PROJECT_ROOT, env=environ, check=True, capture_output=True)
    log = tmp_path / "job.log"
    workers = []

    def start_worker():
        worker = subprocess.Popen([*flask, "jobs", "worker", "--maintenance-interval", "5"], cwd=PROJECT_ROOT,
                                  env=environ, start_new_session=True, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        workers.append(worker)
        return worker

    try:
        connection = connect(redis_server.url)
        queue = Queue(queues.DEFAULT, connection=connection)
        queue.enqueue_call(slow_append, args=(str(log), 4), job_id="slow-append-1", timeout=60,
                           retry=Retry(max=2, interval=[1, 1]))
        first = start_worker()
        wait_until(lambda: log.exists() and "started" in log.read_text(), 60)
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its work horse, without warning
        first.wait()
        assert "done" not in log.read_text()

        start_worker()
        # RQ notices the abandoned job when its heartbeat expires (about a minute), then retries it.
        wait_until(lambda: "done" in log.read_text(), 150)
        time.sleep(2)
        assert log.read_text().split().count("done") == 1
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                worker.wait(timeout=30)
        redis_server.stop()


def wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not done within {timeout}s")
