"""Issue 13: the same signed callback arriving twice at the same instant (a provider's retry racing its first try)
is counted once: one 200, one 409 replayed, one payment. PostgreSQL only: SQLite writes one at a time anyway."""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time

import pytest
from flask import current_app
from sqlalchemy import delete, func, select

from portal.data.db import db
from portal.data.models import (
    Application,
    ApplicationEvent,
    AuditEntry,
    DocumentRequest,
    FeeAssessment,
    OutboxMessage,
    Payment,
    PaymentCallback,
    PaymentRequest,
    Person,
)
from portal.domain import clock
from portal.domain.applications.versions import definition_for
from portal.payments import callbacks, khqr, khqr_requests, money
from tests import factories
from tests.audit_log import tampering
from tests.staff_cases import services_fixture, submitted  # noqa: F401 - the `services` fixture


@pytest.mark.no_db_transaction
def test_two_identical_callbacks_at_the_same_instant_are_counted_once(app, services):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises its writers")
    last_entry = db.session.scalar(select(func.coalesce(func.max(AuditEntry.seq), 0)))
    last_message = db.session.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0)))
    applicant = factories.person()
    case = submitted(applicant)
    request = khqr_requests.request_payment(definition_for(case), case, "KHR",
                                            settings=current_app.config["PORTAL_SETTINGS"].khqr, now=clock.now())
    db.session.commit()
    case_id, person_id, request_id = case.id, applicant.id, request.id
    body = json.dumps({"md5": request.md5, "hash": secrets.token_hex(32),
                       "amount": str(money.to_major(request.amount_minor, "KHR")), "currency": "KHR",
                       "paid_at_ms": khqr.milliseconds(clock.now())}).encode()
    digest = hashlib.sha256(body).hexdigest()
    timestamp, nonce = str(int(time.time())), secrets.token_urlsafe(24)
    headers = {callbacks.TIMESTAMP: timestamp, callbacks.NONCE: nonce, callbacks.SIGNATURE: callbacks.signature(
        current_app.config["PORTAL_SETTINGS"].khqr.callback_secret, timestamp, nonce, body)}
    db.session.rollback()  # no transaction of ours may stay open while the callbacks write
    start, statuses, failures = threading.Barrier(2), [], []

    def send() -> None:
        try:
            # An app context of the thread's own: the suite's client reads the session after each request.
            with app.app_context():
                client = app.test_client()
                start.wait()
                statuses.append(client.post("/payments/khqr/callback", data=body, headers=headers,
                                            content_type="application/json").status_code)
        except BaseException as error:  # noqa: BLE001 - reported below
            failures.append(error)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not failures, failures
        assert sorted(statuses) == [200, 409]
        paid = select(func.count()).select_from(Payment).where(Payment.application_id == case_id)
        assert db.session.scalar(paid) == 1
        outcomes = db.session.execute(select(PaymentCallback.outcome, PaymentCallback.reason)
                                      .where(PaymentCallback.body_sha256 == digest)
                                      .order_by(PaymentCallback.id)).all()
        assert sorted(outcomes, key=str) == sorted([("accepted", None), ("refused", "replayed")], key=str)
        assert db.session.scalar(select(Application.paid).where(Application.id == case_id))
    finally:
        db.session.rollback()
        db.session.execute(delete(PaymentCallback).where(PaymentCallback.body_sha256 == digest))
        db.session.execute(delete(PaymentRequest).where(PaymentRequest.id == request_id))
        db.session.execute(delete(Payment).where(Payment.application_id == case_id))
        # The payment's receipt, asked for in the payment's transaction (portal.payments.receipts).
        db.session.execute(delete(DocumentRequest).where(DocumentRequest.application_id == case_id))
        db.session.execute(delete(FeeAssessment).where(FeeAssessment.application_id == case_id))
        db.session.execute(delete(ApplicationEvent).where(ApplicationEvent.application_id == case_id))
        db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > last_message))
        with tampering():
            db.session.execute(delete(AuditEntry).where(AuditEntry.seq > last_entry))
        db.session.execute(delete(Application).where(Application.id == case_id))
        db.session.delete(db.session.get(Person, person_id))
        db.session.commit()
