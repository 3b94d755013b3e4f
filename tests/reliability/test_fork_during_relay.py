"""A worker on SQLite forks its work horses while its relay thread writes: no horse inherits a lock.

Under `make run` the escalation job failed at start-up with "database is locked" after 15 s: the worker
had forked its horse while the relay thread was inside a write transaction, and SQLite's lock state,
copied into the horse, said a connection of the horse's own process held the write lock for ever.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from rq.registry import FailedJobRegistry, FinishedJobRegistry

from portal.jobs import queues
from portal.paths import PROJECT_ROOT
from portal.redis_server import EmbeddedRedis, connect

pytestmark = [pytest.mark.no_db_transaction, pytest.mark.own_servers]

BURSTS, PER_BURST = 6, 60

# Outbox rows for a real job (a reset link for nobody: it reads the database and sends nothing), written in
# bursts so that the worker's relay is inside its transactions while the worker forks horses.
SCHEDULE = textwrap.dedent(f"""
    import time
    from app import app
    from portal.data.db import db
    from portal.jobs import names
    from portal.jobs.outbox import schedule
    with app.app_context():
        for burst in range({BURSTS}):
            for n in range({PER_BURST}):
                schedule(names.SEND_RESET_LINK, 10_000_000 + burst * 1000 + n)
            db.session.commit()
            time.sleep(0.4)
""")


def test_horses_forked_while_the_relay_writes_never_find_the_database_locked(tmp_path):
    redis_server = EmbeddedRedis(tmp_path / "redis").start()
    environ = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environ.update(PORTAL_INSTANCE_PATH=str(tmp_path), REDIS_URL=redis_server.url, PYTHONPATH=str(PROJECT_ROOT))
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=PROJECT_ROOT, env=environ, check=True, capture_output=True)
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log:
        worker = subprocess.Popen([*flask, "jobs", "worker"], cwd=PROJECT_ROOT, env=environ,
                                  start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    connection = connect(redis_server.url)
    try:
        subprocess.run([sys.executable, "-c", SCHEDULE], cwd=PROJECT_ROOT, env=environ, check=True,
                       capture_output=True, timeout=120)
        finished = FinishedJobRegistry(queues.NOTIFICATIONS, connection=connection)
        deadline = time.monotonic() + 120
        while len(finished.get_job_ids(cleanup=False)) < BURSTS * PER_BURST and time.monotonic() < deadline:
            time.sleep(0.5)
        log = log_path.read_text(errors="replace")
        assert "database is locked" not in log, log[-3000:]
        assert FailedJobRegistry(queues.NOTIFICATIONS, connection=connection).get_job_ids(cleanup=False) == []
        assert len(finished.get_job_ids(cleanup=False)) == BURSTS * PER_BURST
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        connection.close()
        redis_server.stop()
