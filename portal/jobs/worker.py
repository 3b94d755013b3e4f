"""The RQ worker process: `flask jobs worker`. Jobs run inside an app context; the same process
runs the outbox relay (a thread), RQ's scheduler (retries with back-off; portal.jobs.scheduler) and
RQ's cron scheduler (periodic jobs such as escalation, a thread: portal.jobs.cron).

How fast an abandoned job is retried (a worker and its horse killed mid-job, at time T):
- the job's entry in RQ's started registry is renewed every HEARTBEAT_INTERVAL seconds for
  HEARTBEAT_INTERVAL + HEARTBEAT_GRACE seconds, so it expires between T + 20 s and T + 25 s
  (RQ: 30 s and 90 s);
- another worker's maintenance, every MAINTENANCE_INTERVAL seconds, then retries it (RQ: 600 s,
  and an idle worker's dequeue blocked for 405 s between two maintenances: here one interval);
- a retry with back-off waits in the scheduled registry for its interval (10 s for the portal's
  jobs) and the scheduler moves it to its queue; the dead worker's scheduler lock lapses after
  SCHEDULER_LOCK_TTL (15 s), and a standby worker takes it at its next maintenance.
Worst case T + 25 + 10 + 10 + 1 s, within a minute. A live worker's heartbeat would have to be 20 s
late for its job to be taken for abandoned.

A Redis outage does not end the process: RQ's work loop is left quietly (RedisLost), `run()` waits
for Redis with a short capped back-off and starts a fresh RQ worker. A job running when Redis goes
away runs on in its horse; the worker keeps waiting for it (never leaving a horse behind), renews
its heartbeat every second until Redis answers, then starts afresh as well.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time

from flask import Flask
from rq import Queue, SimpleWorker, Worker
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT
from rq.exceptions import StopRequested
from rq.executions import Execution
from rq.worker import WorkerStatus

from portal.extensions import db, redis_connection
from portal.jobs import fork_guard, registry
from portal.jobs.cron import Cron
from portal.jobs.outage import OUTAGE, REDIS_DOWN, backoff
from portal.jobs.outbox import Relay
from portal.jobs.processes import die_with_parent
from portal.jobs.queues import ALL, DEQUEUE_STRATEGY
from portal.jobs.scheduler import PortalScheduler

MAINTENANCE_INTERVAL = 10  # seconds; also the longest blocking dequeue (see make_worker)
HEARTBEAT_INTERVAL = 5
HEARTBEAT_GRACE = 20
# RQ holds a queue's maintenance lock for 899 s: a worker killed while cleaning would stop every
# other worker from finding abandoned jobs for 15 minutes. Cleaning takes milliseconds.
MAINTENANCE_LOCK_TTL = 60


class RedisLost(StopRequested):
    """Leaves RQ's work loop the way a stop request does (without RQ's ERROR and traceback);
    `run()` tells them apart by `PortalWorker.lost_redis` and starts a fresh worker."""


class _WorkerQueue(Queue):
    @classmethod
    def dequeue_any(cls, *args, **kwargs):
        # RQ's own handling of a connection error here logs an ERROR per attempt and backs off
        # up to 60 s; run() waits for Redis instead.
        try:
            return super().dequeue_any(*args, **kwargs)
        except REDIS_DOWN as error:
            raise RedisLost() from error

    def acquire_maintenance_lock(self) -> bool:
        return bool(self.connection.set(self.registry_cleaning_key, 1, nx=True, ex=MAINTENANCE_LOCK_TTL))


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

    queue_class = _WorkerQueue

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lost_redis: BaseException | None = None  # why the work loop ended, if Redis went away
        self._redis_failed_during_job: BaseException | None = None

    def perform_job(self, job, queue, *args, **kwargs):
        # This runs in the forked child: database connections inherited from the parent must not
        # be shared with it, so the child opens its own.
        db.engine.dispose(close=False)
        return super().perform_job(job, queue, *args, **kwargs)

    def prepare_execution(self, job) -> Execution:
        # RQ's, plus the job's own "started" state in the same transaction. RQ writes that state in the
        # horse, a few milliseconds after the fork: a worker killed in between left a registry entry
        # whose job still said "queued", which RQ's maintenance takes for finished work and drops, so
        # the job was never run again (issue 11: the SIGKILL scenario's late receipts).
        with self.connection.pipeline() as pipeline:
            execution = Execution.create(job, self.get_heartbeat_ttl(job), pipeline=pipeline, worker_name=self.name)
            self.executions[execution.id] = execution
            self.set_state(WorkerStatus.BUSY, pipeline=pipeline)
            job.prepare_for_execution(self.name, pipeline=pipeline)
            pipeline.execute()
        return execution

    def fork_work_horse(self, job, queue):
        with fork_guard.DATABASE_WORK:  # never in the middle of the relay's transaction (portal.jobs.fork_guard)
            return super().fork_work_horse(job, queue)

    # --- The work horse never outlives the worker, and only the worker stops it.

    def setup_work_horse_signals(self):
        super().setup_work_horse_signals()
        # systemd (KillMode=control-group) sends SIGTERM to every process of the unit: the worker
        # then finishes the job in hand (RQ's warm shutdown), so the horse must not die of it. A
        # second signal to the worker kills the horse with SIGKILL, as do job timeouts.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        die_with_parent(self.pid)

    def execute_job(self, job, queue):
        try:
            super().execute_job(job, queue)
        except REDIS_DOWN as error:
            self._stop_horse()
            self._lose_redis(error)
        except BaseException:
            self._stop_horse()
            raise
        if self._redis_failed_during_job is not None:
            # Redis went away while the job ran (it may have come back empty): start afresh, with a
            # new registration, scheduler and subscription.
            self._lose_redis(self._redis_failed_during_job)

    def _stop_horse(self) -> None:
        if self.horse_pid:
            self.kill_horse()
            self.wait_for_horse()
            self._horse_pid = 0

    # --- Abandoned jobs are found within a minute (see the module's docstring).

    def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
        # RQ adds a fixed 60 s; the monitor still kills a horse at its job's timeout + 60 s.
        return HEARTBEAT_INTERVAL + HEARTBEAT_GRACE

    def _start_scheduler(self, burst=False, logging_level="INFO", date_format=DEFAULT_LOGGING_DATE_FORMAT,
                         log_format=DEFAULT_LOGGING_FORMAT):
        # RQ's own, with PortalScheduler instead of RQScheduler.
        self.scheduler = PortalScheduler(
            self.queues, connection=self.connection,
            logging_level=logging_level if logging_level is not None else self.log.level,
            date_format=date_format, log_format=log_format, serializer=self.serializer)
        self.scheduler.acquire_locks()
        if self.scheduler.acquired_locks:
            if burst:
                try:
                    self.scheduler.register_birth()
                    self.scheduler.enqueue_scheduled_jobs()
                finally:
                    self.scheduler.release_locks()
                    self.scheduler.register_death()
            else:
                self.scheduler.start()

    # --- Redis outages: leave RQ's loop quietly (run() starts a fresh worker when Redis is back).

    def _lose_redis(self, error: BaseException):
        self.lost_redis = error
        OUTAGE.noticed("the worker", error)
        raise RedisLost() from error

    def heartbeat(self, timeout=None, pipeline=None):
        if pipeline is not None:
            return super().heartbeat(timeout, pipeline)
        try:
            return super().heartbeat(timeout)
        except REDIS_DOWN as error:
            self._lose_redis(error)

    def check_for_suspension(self, burst: bool):
        try:
            return super().check_for_suspension(burst)
        except REDIS_DOWN as error:
            self._lose_redis(error)

    def run_maintenance_tasks(self):
        try:
            return super().run_maintenance_tasks()
        except REDIS_DOWN as error:
            self._lose_redis(error)

    def dequeue_job_and_maintain_ttl(self, timeout, max_idle_time=None):
        try:
            return super().dequeue_job_and_maintain_ttl(timeout, max_idle_time)
        except RedisLost as lost:
            if self.lost_redis is None:  # raised by _WorkerQueue.dequeue_any
                self._lose_redis(lost.__cause__ or lost)
            raise

    def maintain_heartbeats(self, job, execution):
        # Called every job_monitoring_interval while the horse works. Its work is in the database,
        # not in Redis: let it go on, and renew the heartbeat every second until Redis answers, so
        # that its registry entry is renewed before another worker takes the job for abandoned.
        try:
            super().maintain_heartbeats(job, execution)
        except REDIS_DOWN as error:
            self._redis_failed_during_job = error
            OUTAGE.noticed("the worker (a job is running)", error)
            self.job_monitoring_interval = 1
        else:
            self.job_monitoring_interval = HEARTBEAT_INTERVAL

    def _pubsub_exception_handler(self, exc, pubsub, pubsub_thread):
        if isinstance(exc, REDIS_DOWN):
            # RQ logs an ERROR here every 2 s of an outage; the work loop reports it once.
            time.sleep(2)
            return
        super()._pubsub_exception_handler(exc, pubsub, pubsub_thread)

    def teardown(self):
        # RQ's, except that an unreachable Redis must not stop it half-way (leaving the
        # subscription thread running) or replace the reason the loop ended.
        if self.is_horse:
            return
        if self.scheduler:
            self.stop_scheduler()
        with contextlib.suppress(*REDIS_DOWN):
            self.register_death()
        try:
            self.unsubscribe()
        except REDIS_DOWN:
            self.pubsub_thread.stop()

    def _install_signal_handlers(self):
        super()._install_signal_handlers()
        if _stop_received.is_set():  # a stop signal arrived while run() was between two workers
            self._stop_requested = True


class PortalSimpleWorker(_AppContextMixin, SimpleWorker):
    """Runs jobs in this process (tests, benchmarks): it shares the caller's database transaction."""


def make_worker(app: Flask, name: str | None = None,
                maintenance_interval: int = MAINTENANCE_INTERVAL) -> PortalWorker:
    registry.load_all()
    PortalWorker.flask_app = app
    return PortalWorker(
        [*ALL], name=name, maintenance_interval=maintenance_interval,
        # RQ runs its maintenance only between two blocking dequeues of worker_ttl - 15 seconds
        # (405 by default): make that wait one maintenance interval.
        worker_ttl=maintenance_interval + 15,
        # A client of its own, whose socket timeout outlasts that wait (the shared client's 5 s
        # would cut it off: an ERROR and a back-off of up to a minute for every idle worker).
        connection=redis_connection.blocking_client(maintenance_interval),
        job_monitoring_interval=HEARTBEAT_INTERVAL)


def make_simple_worker(app: Flask) -> PortalSimpleWorker:
    registry.load_all()
    PortalSimpleWorker.flask_app = app
    return PortalSimpleWorker([*ALL], connection=redis_connection.client)


def run(app: Flask, burst: bool = False, maintenance_interval: int = MAINTENANCE_INTERVAL) -> bool:
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
        return _work_until_stopped(app, burst, maintenance_interval)
    finally:
        if cron:
            cron.stop()
        relay.stop()


# Set by SIGTERM/SIGINT while no RQ worker has its handlers installed (while Redis is away).
_stop_received = threading.Event()


def _note_stop(_signum, _frame) -> None:
    _stop_received.set()


def _work_until_stopped(app: Flask, burst: bool, maintenance_interval: int) -> bool:
    """Run RQ workers one after another until one ends for a reason other than a Redis outage
    (a stop signal, the end of a burst, an unexpected error: the supervisor restarts us)."""
    worked = False
    while not _stop_received.is_set():
        worker = None
        try:
            worker = make_worker(app, maintenance_interval=maintenance_interval)
            worked |= worker.work(burst=burst, with_scheduler=True, logging_level="WARNING")
        except REDIS_DOWN as error:  # while starting, before RQ's loop
            OUTAGE.noticed("the worker", error)
            if worker is not None:
                worker.teardown()
        else:
            if worker.lost_redis is None:
                return worked
        finally:
            # From here until the next worker installs RQ's handlers, a stop signal only sets a flag.
            signal.signal(signal.SIGTERM, _note_stop)
            signal.signal(signal.SIGINT, _note_stop)
        _wait_for_redis(worker)
    return worked


def _wait_for_redis(previous: PortalWorker | None) -> None:
    client = redis_connection.blocking_client(1)
    attempt = 0
    try:
        while not _stop_received.is_set():
            attempt += 1
            try:
                client.ping()
            except REDIS_DOWN:
                _stop_received.wait(backoff(attempt))
                continue
            OUTAGE.over()
            if previous is not None:
                # Gone from the list of workers now rather than when its key expires.
                with contextlib.suppress(*REDIS_DOWN):
                    previous.register_death()
            return
    finally:
        client.close()
        if previous is not None:
            previous.connection.close()
