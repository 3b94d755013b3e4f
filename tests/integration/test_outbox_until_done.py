"""An outbox row is done only when its job has finished; work Redis lost is queued again, and runs once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from rq import Queue
from sqlalchemy import func, select, update

from portal.data import outbox as outbox_data
from portal.data.db import db, utcnow
from portal.data.models import Document, OutboxMessage
from portal.domain.identity.password_reset import send_reset_link
from portal.domain.notify.service import notify
from portal.extensions import redis_connection
from portal.jobs import queues
from portal.jobs.outbox import reconcile, relay_pending, schedule
from portal.jobs.worker import make_simple_worker
from portal.redis_server import EmbeddedRedis, connect
from tests.integration.test_issuing_documents import request_certificate
from tests.integration.test_outbox import record_greeting
from tests.messages import emails_to
from tests.reliability.jobs import always_fails
from tests.sessions import sign_in_as


@pytest.fixture
def private_redis(tmp_path, monkeypatch):
    """A Redis of the test's own, which it may empty (the shared one belongs to other tests too)."""
    server = EmbeddedRedis(tmp_path / "redis").start()
    monkeypatch.setattr(redis_connection, "_client", connect(server.url))
    yield server
    server.stop()


def row(job_id: str) -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.job_id == job_id))


def run_worker(app) -> None:
    make_simple_worker(app).work(burst=True)
    db.session.expire_all()  # the jobs committed through their own transactions


def emails(app, address: str, subject: str | None = None) -> int:
    return len([m for m in emails_to(Path(app.instance_path), address) if subject is None or m["Subject"] == subject])


def documents_of(person) -> int:
    return db.session.scalar(select(func.count()).select_from(Document).where(Document.owner_person_id == person.id))


class TestDoneMeansFinished:
    def test_a_row_handed_to_rq_is_not_done_until_its_job_has_finished(self, app):
        job_id = schedule(record_greeting, "Dara")
        db.session.commit()
        assert relay_pending() == 1
        assert row(job_id).enqueued_at is not None and row(job_id).done_at is None
        assert outbox_data.unfinished_count() == 1  # work still owed, although RQ has it

        run_worker(app)
        assert row(job_id).done_at is not None
        assert outbox_data.unfinished_count() == 0

    def test_a_job_that_failed_after_its_retries_is_failed_not_done(self, app):
        job_id = schedule(always_fails, "smtp down")
        db.session.commit()
        relay_pending()
        run_worker(app)
        assert row(job_id).done_at is None and row(job_id).failed_at is not None


class TestRedisLostItsData:
    def test_a_receipt_and_an_email_lost_with_redis_are_queued_again_and_happen_once(self, app, factories,
                                                                                   private_redis):
        person = factories.person(email="sopheap@example.com", locale="en")
        request = request_certificate(person)
        notify(person, "document_issued", {"document": {"km": "បង្កាន់ដៃ", "en": "Receipt"}}, channels=("email",))
        db.session.commit()
        assert relay_pending() == 2
        redis_connection.client.flushall()  # Redis restarted without its data

        found = reconcile()
        assert found.requeued == 2
        requeued = [m.job_id for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.requeued == 1))]
        assert f"issue-document-{request.id}" in requeued  # under the same job id
        run_worker(app)
        relay_pending()  # the email that tells the holder the document was issued
        run_worker(app)
        assert documents_of(person) == 1
        assert emails(app, "sopheap@example.com", "Your document is ready: Receipt") == 1
        assert emails(app, "sopheap@example.com", "Your document is ready: Residence certificate") == 1
        assert outbox_data.unfinished_count() == 0

        # Everything is done: another pass (another worker's) queues nothing again.
        assert reconcile().requeued == 0
        assert Queue(queues.DOCUMENTS, connection=redis_connection.client).count == 0

    def test_a_job_redis_still_holds_is_not_queued_twice(self, app, private_redis):
        job_id = schedule(record_greeting, "Dara")
        db.session.commit()
        relay_pending()
        assert reconcile().requeued == 0
        assert Queue(queues.DEFAULT, connection=redis_connection.client).job_ids == [job_id]

    def test_a_failed_job_is_not_queued_again_when_redis_loses_it(self, app, private_redis):
        job_id = schedule(always_fails, "template broken")
        db.session.commit()
        relay_pending()
        run_worker(app)
        redis_connection.client.flushall()
        assert reconcile().requeued == 0
        assert Queue(queues.DEFAULT, connection=redis_connection.client).count == 0
        assert row(job_id).failed_at is not None

    def test_a_job_that_finished_without_marking_its_row_is_marked_done_not_run_again(self, app, private_redis):
        job_id = schedule(record_greeting, "Dara")
        db.session.commit()
        relay_pending()
        run_worker(app)
        # As if the job had finished before this release (no callback), or its row update was lost.
        db.session.execute(update(OutboxMessage).values(done_at=None))
        db.session.commit()
        found = reconcile()
        assert (found.requeued, found.finished) == (0, 1)
        assert row(job_id).done_at is not None

    def test_a_second_run_of_the_same_message_job_sends_nothing(self, app, factories, private_redis):
        """Redis lost a reset-link job while a horse was sending it: the reconciler queued it again under the
        same id, and the copy runs after the first finished. One email, not two."""
        person = factories.person(email="vanna@example.com", locale="en")
        job_id = schedule(send_reset_link, person.id)
        db.session.commit()
        relay_pending()
        run_worker(app)
        assert emails(app, "vanna@example.com") == 1
        redis_connection.client.flushall()
        # The copy the reconciler queued while the first run was still at work:
        Queue(queues.NOTIFICATIONS, connection=redis_connection.client).enqueue_call(
            func=send_reset_link, args=(person.id,), job_id=job_id)
        run_worker(app)
        assert emails(app, "vanna@example.com") == 1


class TestAdministratorsSeeLateWork:
    def test_late_work_is_counted_and_listed_in_both_languages(self, app, client, factories, private_redis):
        waiting = schedule(record_greeting, "waiting")  # no worker ever relayed it
        queued = schedule(record_greeting, "queued")  # handed to RQ, never finished
        recent = schedule(record_greeting, "recent")
        db.session.commit()
        relay_pending()
        db.session.execute(update(OutboxMessage).where(OutboxMessage.job_id == waiting)
                           .values(enqueued_at=None, created_at=utcnow() - timedelta(minutes=10)))
        db.session.execute(update(OutboxMessage).where(OutboxMessage.job_id == queued)
                           .values(created_at=utcnow() - timedelta(minutes=3)))
        db.session.commit()

        sign_in_as(client, factories.admin(locale="en"))
        client.expected_lang = "en"
        page = client.get("/admin/jobs/failed")
        counts = {dt.get_text(strip=True): dd.get_text(strip=True)
                  for dt, dd in zip(page.soup.select(".summary-counts dt"), page.soup.select(".summary-counts dd"),
                                    strict=True)}
        assert counts == {"Waiting for the queue": "1", "Queued, not finished": "2", "Late": "2", "Failed": "0"}
        listed = page.soup.select_one("table.late-jobs").get_text()
        assert waiting in listed and queued in listed and recent not in listed

        client.expected_lang = "km"
        page = client.get("/admin/jobs/failed?lang=km")
        assert "យឺត" in page.soup.select_one(".summary-counts").get_text()
        assert "២" in page.soup.select_one(".summary-counts").get_text()  # counts in Khmer digits

    def test_a_failed_row_whose_job_redis_lost_can_be_run_again(self, app, client, factories, private_redis):
        job_id = schedule(always_fails, "mail server down")
        db.session.commit()
        relay_pending()
        run_worker(app)
        redis_connection.client.flushall()
        sign_in_as(client, factories.admin(locale="en"))
        client.expected_lang = "en"
        page = client.get("/admin/jobs/failed")
        assert job_id in page.soup.select_one("table.late-jobs").get_text()
        assert client.submit(page, {}, selector="table.late-jobs form").status_code == 302
        assert row(job_id).failed_at is None and row(job_id).enqueued_at is None  # pending: relayed again
        assert relay_pending() == 1
        assert job_id in Queue(queues.DEFAULT, connection=redis_connection.client).job_ids
