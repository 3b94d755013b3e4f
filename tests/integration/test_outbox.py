"""The outbox: work is queued exactly when its change commits, and survives a Redis outage."""

from __future__ import annotations

import pytest
import redis
from rq import Queue
from rq.registry import FinishedJobRegistry
from sqlalchemy import select

from portal.data import outbox as outbox_data
from portal.data.db import db
from portal.data.models import OutboxMessage
from portal.extensions import redis_connection
from portal.jobs import queues
from portal.jobs.outbox import relay_pending, schedule
from portal.jobs.registry import job
from portal.jobs.worker import make_simple_worker
from portal.redis_server import EmbeddedRedis, connect


@job(queues.DEFAULT, name="tests.record_greeting")
def record_greeting(name: str) -> str:
    return f"hello {name}"


def queued_ids(connection=None) -> list[str]:
    return Queue(queues.DEFAULT, connection=connection or redis_connection.client).job_ids


class TestScheduling:
    def test_nothing_is_queued_until_the_relay_runs_after_commit(self):
        job_id = schedule(record_greeting, "Dara")
        db.session.commit()
        assert queued_ids() == []
        assert relay_pending() == 1
        assert queued_ids() == [job_id]
        assert outbox_data.pending_count() == 0  # handed to RQ ...
        assert outbox_data.unfinished_count() == 1  # ... but not done until the job has finished

    def test_a_rolled_back_change_queues_nothing(self):
        schedule(record_greeting, "Dara")
        db.session.rollback()
        assert relay_pending() == 0
        assert queued_ids() == []

    def test_a_second_relay_pass_after_a_crash_does_not_queue_twice(self):
        job_id = schedule(record_greeting, "Dara")
        db.session.commit()
        relay_pending()
        # As if the relay died after enqueueing but before marking the row.
        db.session.scalar(select(OutboxMessage)).enqueued_at = None
        db.session.commit()
        assert relay_pending() == 1
        assert queued_ids() == [job_id]

    def test_only_registered_jobs_can_be_scheduled(self):
        with pytest.raises(AttributeError):
            schedule(print, "not a job")


class TestRedisOutage:
    @pytest.fixture
    def private_redis(self, tmp_path, monkeypatch):
        server = EmbeddedRedis(tmp_path).start()
        monkeypatch.setattr(redis_connection, "_client", connect(server.url))
        yield server
        server.stop()

    def test_changes_commit_while_redis_is_down_and_their_jobs_run_when_it_returns(self, app, private_redis):
        private_redis.stop()
        job_ids = [schedule(record_greeting, f"person {n}") for n in range(20)]
        db.session.commit()  # the change itself never needed Redis
        with pytest.raises((redis.RedisError, OSError)):
            relay_pending()
        assert outbox_data.pending_count() == 20

        private_redis.start()
        assert relay_pending() == 20
        assert sorted(queued_ids(redis_connection.client)) == sorted(job_ids)
        make_simple_worker(app).work(burst=True)
        done = FinishedJobRegistry(queues.DEFAULT, connection=redis_connection.client).get_job_ids()
        assert sorted(done) == sorted(job_ids)  # 0 lost
        assert outbox_data.unfinished_count() == 0
