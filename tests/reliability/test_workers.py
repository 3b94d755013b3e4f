"""Real workers (`flask jobs worker` processes) against a Redis of the test's own: retries end in the
failed list; a worker killed mid-job loses nothing and its job is retried within a minute, once;
stopping a worker, however it is stopped, leaves no work horse; a Redis outage mid-job does not end
the worker; an idle worker takes new work at once and logs no false error."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import redis
from rq import Queue, Retry, Worker
from rq.registry import FailedJobRegistry

from portal.data.db import db
from portal.extensions import redis_connection
from portal.jobs import queues
from portal.jobs.outbox import relay_pending, schedule
from portal.jobs.worker import make_simple_worker
from portal.paths import PROJECT_ROOT
from tests.reliability.jobs import always_fails, note_time, slow_append
from tests.reliability.own_redis import OwnRedis

FLASK = [sys.executable, "-m", "flask", "--app", "app"]
OUTAGE_WARNING = "Redis unreachable"


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


@pytest.fixture(scope="module")
def instance(tmp_path_factory) -> Path:
    """An instance folder with a migrated SQLite database, shared by this module's worker processes."""
    path = tmp_path_factory.mktemp("workers")
    subprocess.run([*FLASK, "db", "upgrade"], cwd=PROJECT_ROOT, env=_environ(path, "redis://127.0.0.1:1/0"),
                   check=True, capture_output=True)
    return path


def _environ(instance: Path, redis_url: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "FLASK_APP")}
    environ.update(PORTAL_INSTANCE_PATH=str(instance), REDIS_URL=redis_url, PYTHONPATH=str(PROJECT_ROOT),
                   PYTHONUNBUFFERED="1")
    return environ


class Workers:
    """`flask jobs worker` processes started by a test (each in a session of its own, like a
    supervisor's), with their output in files; all of them stopped at the end."""

    def __init__(self, instance: Path, server: OwnRedis, logs: Path):
        self.instance, self.server, self.logs = instance, server, logs
        self.started: list[tuple[subprocess.Popen, Path]] = []

    def start(self) -> subprocess.Popen:
        log = self.logs / f"worker-{len(self.started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([*FLASK, "jobs", "worker"], cwd=PROJECT_ROOT,
                                       env=_environ(self.instance, self.server.url), start_new_session=True,
                                       stdout=out, stderr=subprocess.STDOUT)
        self.started.append((process, log))
        return process

    def log_of(self, process: subprocess.Popen) -> str:
        return next(log for p, log in self.started if p is process).read_text()

    def stop_all(self) -> None:
        for process, _ in self.started:
            if process.poll() is None:
                with_children = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
                for p in with_children:
                    with contextlib.suppress(psutil.NoSuchProcess):  # children die with the worker
                        p.kill()
                psutil.wait_procs(with_children, timeout=10)
            process.wait()


@pytest.fixture
def server(tmp_path):
    server = OwnRedis(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def workers(instance, server, tmp_path):
    workers = Workers(instance, server, tmp_path)
    yield workers
    workers.stop_all()


def _queue(server: OwnRedis) -> Queue:
    return Queue(queues.DEFAULT, connection=redis.Redis.from_url(server.url))


def _wait_for_worker(server: OwnRedis, count: int = 1) -> None:
    connection = redis.Redis.from_url(server.url)
    wait_until(lambda: len(Worker.all(connection=connection)) >= count, 60)


def _horse_of(worker: subprocess.Popen) -> psutil.Process:
    """The work horse: the child of the worker in a process group of its own (RQ's scheduler
    process shares the worker's)."""
    found = []

    def horse_found() -> bool:
        found[:] = [c for c in psutil.Process(worker.pid).children() if os.getpgid(c.pid) != worker.pid]
        return bool(found)

    wait_until(horse_found, 30)
    return found[0]


def _started_times(log: Path) -> list[float]:
    return [float(line.split()[1]) for line in log.read_text().splitlines() if line.startswith("started")]


@pytest.mark.no_db_transaction
@pytest.mark.own_servers
def test_a_worker_killed_mid_job_leaves_a_job_another_worker_completes_once_within_a_minute(
        server, workers, tmp_path):
    log = tmp_path / "job.log"
    first = workers.start()
    _wait_for_worker(server)
    # The portal's own retry back-off (portal.jobs.registry): a retry waits 10 s in the scheduler.
    _queue(server).enqueue_call(slow_append, args=(str(log), 4), job_id="slow-append-1", timeout=60,
                                retry=Retry(max=3, interval=[10, 60, 300]))
    wait_until(lambda: log.exists() and "started" in log.read_text(), 60)
    horse = _horse_of(first)
    # The worker, its scheduler and its horse, without warning (a machine's power cut).
    os.killpg(first.pid, signal.SIGKILL)
    horse.kill()
    killed_at = time.time()
    first.wait()
    psutil.wait_procs([horse], timeout=10)

    workers.start()  # what the supervisor does
    wait_until(lambda: "done" in log.read_text().split(), 90)
    retried_after = _started_times(log)[1] - killed_at
    print(f"\nabandoned job retried {retried_after:.1f} s after its worker was killed")
    assert retried_after < 60
    time.sleep(2)
    assert log.read_text().split().count("started") == 2  # the killed run, and one retry
    assert log.read_text().split().count("done") == 1


@pytest.mark.no_db_transaction
@pytest.mark.own_servers
def test_a_worker_killed_alone_takes_its_work_horse_and_scheduler_with_it(server, workers, tmp_path):
    log = tmp_path / "job.log"
    worker = workers.start()
    _wait_for_worker(server)
    _queue(server).enqueue_call(slow_append, args=(str(log), 30), timeout=60)
    wait_until(lambda: log.exists() and "started" in log.read_text(), 60)
    children = psutil.Process(worker.pid).children(recursive=True)
    assert len(children) == 2  # the horse and RQ's scheduler

    os.kill(worker.pid, signal.SIGKILL)  # the worker alone: an OOM kill, a crash
    worker.wait()
    gone, alive = psutil.wait_procs(children, timeout=5)
    assert alive == [], f"left running: {[p.cmdline() for p in alive]}"
    assert "done" not in log.read_text()


@pytest.mark.no_db_transaction
@pytest.mark.own_servers
@pytest.mark.parametrize("how", ["SIGTERM to every process of the unit", "Ctrl-C in its terminal"])
def test_stopping_a_worker_finishes_the_job_in_hand_and_leaves_no_process(how, server, workers, tmp_path):
    log = tmp_path / "job.log"
    worker = workers.start()
    _wait_for_worker(server)
    job = _queue(server).enqueue_call(slow_append, args=(str(log), 4), timeout=60)
    wait_until(lambda: log.exists() and "started" in log.read_text(), 60)
    _horse_of(worker)
    processes = [psutil.Process(worker.pid), *psutil.Process(worker.pid).children(recursive=True)]

    if how.startswith("SIGTERM"):  # systemd's KillMode=control-group
        for process in processes:
            process.send_signal(signal.SIGTERM)
    else:  # the terminal's foreground process group: the worker and its scheduler, not the horse
        os.killpg(worker.pid, signal.SIGINT)

    assert worker.wait(timeout=60) == 0
    gone, alive = psutil.wait_procs(processes, timeout=10)
    assert alive == [], f"left running: {[p.cmdline() for p in alive]}"
    assert log.read_text().split().count("done") == 1
    assert job.get_status(refresh=True) == "finished"


@pytest.mark.no_db_transaction
@pytest.mark.own_servers
@pytest.mark.parametrize(("mid_job", "keeps_data"), [(True, False), (True, True), (False, False)],
                         ids=["mid-job, restarted empty", "mid-job, restarted with its data", "idle"])
def test_a_worker_survives_a_redis_outage_and_takes_new_work_afterwards(mid_job, keeps_data, instance, tmp_path):
    server = OwnRedis(tmp_path / "redis", keeps_data=keeps_data).start()
    workers = Workers(instance, server, tmp_path)
    try:
        log, noted = tmp_path / "job.log", tmp_path / "noted.log"
        worker = workers.start()
        _wait_for_worker(server)
        if mid_job:
            _queue(server).enqueue_call(slow_append, args=(str(log), 6), job_id="during-outage", timeout=60,
                                        retry=Retry(max=3, interval=[10, 60, 300]))
            wait_until(lambda: log.exists() and "started" in log.read_text(), 60)
            horse = _horse_of(worker)

        server.stop()
        down_at = time.monotonic()
        if mid_job:
            # The horse finishes its work while Redis is away, and the worker waits for it.
            psutil.wait_procs([horse], timeout=20)
            assert not horse.is_running(), "the work horse is still running"
        time.sleep(max(0.0, 25 - (time.monotonic() - down_at)))
        assert worker.poll() is None, "the worker exited during the outage"
        server.start()

        enqueued_at = time.time()
        _queue(server).enqueue_call(note_time, args=(str(noted),))
        wait_until(lambda: noted.exists() and noted.read_text().strip(), 30)
        print(f"\nafter a 25 s outage ({'mid-job' if mid_job else 'idle'}, {'with data' if keeps_data else 'empty'}),"
              f" a new job started {float(noted.read_text()) - enqueued_at:.1f} s after it was enqueued")
        assert worker.poll() is None
        if mid_job:
            assert log.read_text().split().count("done") == 1
        if keeps_data:
            # The job whose end Redis missed is taken for abandoned and retried; being idempotent,
            # the retry finds it done.
            job = _queue(server).fetch_job("during-outage")
            wait_until(lambda: job.get_status(refresh=True) == "finished", 90)
            assert log.read_text().split().count("done") == 1

        output = workers.log_of(worker)
        assert output.count(OUTAGE_WARNING) == 1, output
        assert "Traceback" not in output and "ERROR" not in output, output
        # RQ's scheduler, and no work horse left behind (the retry's may still be exiting).
        wait_until(lambda: len(psutil.Process(worker.pid).children(recursive=True)) == 1, 10)
        _wait_for_worker(server)  # registered again on the restarted Redis
    finally:
        workers.stop_all()
        server.stop()


@pytest.mark.no_db_transaction
@pytest.mark.own_servers
def test_a_worker_stopped_while_redis_is_away_exits_at_once_and_leaves_no_process(server, workers):
    worker = workers.start()
    _wait_for_worker(server)
    processes = [psutil.Process(worker.pid), *psutil.Process(worker.pid).children(recursive=True)]
    server.stop()
    wait_until(lambda: OUTAGE_WARNING in workers.log_of(worker), 30)
    time.sleep(3)  # waiting for Redis, between two RQ workers
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=30) == 0
    gone, alive = psutil.wait_procs(processes, timeout=10)
    assert alive == [], f"left running: {[p.cmdline() for p in alive]}"
    assert "Traceback" not in workers.log_of(worker)


@pytest.mark.no_db_transaction
@pytest.mark.own_servers
def test_an_idle_worker_logs_no_error_and_takes_a_new_job_within_a_second(server, workers, tmp_path):
    worker = workers.start()
    _wait_for_worker(server)
    latencies = []
    for round_number, idle in enumerate((12, 7)):  # longer than the old 5 s socket timeout, and its back-off
        time.sleep(idle)
        noted = tmp_path / f"noted-{round_number}.log"
        enqueued_at = time.time()
        _queue(server).enqueue_call(note_time, args=(str(noted),))
        wait_until(lambda noted=noted: noted.exists() and noted.read_text().strip(), 90)
        latencies.append(float(noted.read_text()) - enqueued_at)
    print(f"\nidle worker took new jobs {', '.join(f'{s:.2f}' for s in latencies)} s after they were enqueued")
    assert max(latencies) < 1
    output = workers.log_of(worker)
    assert "ERROR" not in output and "Traceback" not in output and OUTAGE_WARNING not in output, output


def wait_until(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not done within {timeout}s")
