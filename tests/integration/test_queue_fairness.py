"""Receipts and notifications do not starve each other: a worker takes the queues in turn."""

from __future__ import annotations

from portal.data.db import db
from portal.extensions import redis_connection
from portal.jobs import queues
from portal.jobs.outbox import relay_pending, schedule
from portal.jobs.registry import job
from portal.jobs.worker import make_simple_worker

ORDER_KEY = "tests:job-order"


@job(queues.NOTIFICATIONS, name="tests.note_notification")
def note_notification(label: str) -> None:
    redis_connection.client.rpush(ORDER_KEY, label)


@job(queues.DOCUMENTS, name="tests.note_document")
def note_document(label: str) -> None:
    redis_connection.client.rpush(ORDER_KEY, label)


def test_a_receipt_queued_behind_fifty_emails_starts_within_a_couple_of_jobs(app):
    for n in range(50):
        schedule(note_notification, f"email {n}")
    schedule(note_document, "receipt")
    db.session.commit()
    assert relay_pending() == 51  # in the order they were written: the 50 emails first
    make_simple_worker(app).work(burst=True)
    order = [label.decode() for label in redis_connection.client.lrange(ORDER_KEY, 0, -1)]
    assert len(order) == 51
    assert order.index("receipt") <= 2, order[:5]


def test_emails_are_not_held_back_by_a_burst_of_receipts_either(app):
    for n in range(20):
        schedule(note_document, f"receipt {n}")
    schedule(note_notification, "email")
    db.session.commit()
    relay_pending()
    make_simple_worker(app).work(burst=True)
    order = [label.decode() for label in redis_connection.client.lrange(ORDER_KEY, 0, -1)]
    assert order.index("email") <= 2, order[:5]
