"""A payment reversed while a worker is issuing its receipt (PostgreSQL): the reversal waits for the worker
(the request's row lock), then revokes the receipt it stored; neither deadlocks with the other.

The reversal holds the case's row lock (`payments.lock_case`) when it asks for the request's; the worker
holds the request's and inserts the document, which refers to the application row. Were the case locked
FOR UPDATE, that insert (its foreign key check takes FOR KEY SHARE) would wait for the reversal and the
reversal for the worker: a deadlock. Each side runs in a thread with its own connection; the worker is
held just before it inserts the document until the reversal is waiting for the request."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import delete, event, func, select, text

from portal.data.db import db
from portal.data.models import (
    Application,
    ApplicationEvent,
    AuditEntry,
    Blob,
    Document,
    DocumentRequest,
    FeeAssessment,
    Notification,
    OutboxMessage,
    Payment,
    Person,
    StaffRole,
)
from portal.domain.catalogue import get_catalogue
from portal.domain.rendering.jobs import issue_document
from portal.payments import assessments, counter
from tests import factories
from tests.audit_log import tampering
from tests.integration.test_insert_races import engine_for_threads
from tests.service_roots import copy_of_fixture, services_root
from tests.staff_cases import AGENCY, SLUG, submitted

pytestmark = pytest.mark.no_db_transaction

REVERSAL = "reversal"


@contextmanager
def worker_held_until_the_reversal_waits(engine):
    worker_inside, reversal_waiting = threading.Event(), threading.Event()

    def hold(_connection, _cursor, statement, *_args):
        text = " ".join(statement.split()).upper()
        if threading.current_thread().name == REVERSAL:
            if "FROM DOCUMENT_REQUESTS" in text and "FOR UPDATE" in text:
                reversal_waiting.set()
        elif text.startswith("INSERT INTO DOCUMENTS "):
            worker_inside.set()
            reversal_waiting.wait(10)
            time.sleep(0.5)  # the reversal's SELECT ... FOR UPDATE is now blocked on the request's row

    event.listen(engine, "before_cursor_execute", hold)
    try:
        yield worker_inside
    finally:
        event.remove(engine, "before_cursor_execute", hold)


def test_a_reversal_during_the_issuing_of_its_receipt_waits_and_revokes_it(app, tmp_path):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite runs one writer at a time")
    with services_root(app, copy_of_fixture(tmp_path), sync_agencies=True):
        service = get_catalogue().get(SLUG)
        outbox_before = db.session.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0)))
        audit_before = db.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))
        applicant, chief = factories.person(), factories.staff(AGENCY, "supervisor")
        application = submitted(applicant)
        assessments.freeze(service, application)
        payment, _ = counter.record(service, application, chief, amount_minor=1000, currency="KHR",
                                    method="counter_cash", receipt_number="RACE-1")
        db.session.commit()
        ids = {"application": application.id, "payment": payment.id, "request": payment.receipt_request_id,
               "people": [applicant.id, chief.id]}
        outcomes: dict[str, object] = {}

        def issue() -> None:
            with app.app_context():
                try:
                    outcomes["worker"] = issue_document(ids["request"])
                except BaseException as error:  # noqa: BLE001 - reported by the test
                    db.session.rollback()
                    outcomes["worker"] = error

        def reverse(inside: threading.Event) -> None:
            inside.wait(30)
            with app.app_context():
                try:
                    found = db.session.get(Application, ids["application"])
                    outcomes[REVERSAL] = counter.reverse(service, found, db.session.get(Person, chief.id),
                                                         db.session.get(Payment, ids["payment"]), "race")
                    db.session.commit()
                except BaseException as error:  # noqa: BLE001 - reported by the test
                    db.session.rollback()
                    outcomes[REVERSAL] = error

        try:
            with engine_for_threads(app, 2) as engine, worker_held_until_the_reversal_waits(engine) as inside:
                threads = [threading.Thread(target=issue),
                           threading.Thread(target=reverse, args=(inside,), name=REVERSAL)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(60)
            assert isinstance(outcomes.get("worker"), str) and outcomes.get(REVERSAL) is True, outcomes
            db.session.expire_all()
            request = db.session.get(DocumentRequest, ids["request"])
            document = db.session.get(Document, request.document_id)
            assert document.status == "revoked" and document.revocation_category == "payment_reversed"
        finally:
            _remove(ids, outbox_before, audit_before)


def _remove(ids: dict, outbox_before: int, audit_before: int) -> None:
    db.session.rollback()
    with tampering():  # the entries of the payment, its reversal and the revocation: later tests count entries
        db.session.execute(text("DELETE FROM audit_entries WHERE id > :id"), {"id": audit_before})
    shas = list(db.session.scalars(select(Document.sha256).where(Document.application_id == ids["application"])))
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > outbox_before))
    db.session.execute(delete(Payment).where(Payment.application_id == ids["application"]))
    db.session.execute(delete(DocumentRequest).where(DocumentRequest.application_id == ids["application"]))
    db.session.execute(delete(Document).where(Document.application_id == ids["application"]))
    db.session.execute(delete(Blob).where(Blob.sha256.in_(shas)))
    db.session.execute(delete(Notification).where(Notification.person_id.in_(ids["people"])))
    db.session.execute(delete(FeeAssessment).where(FeeAssessment.application_id == ids["application"]))
    db.session.execute(delete(ApplicationEvent).where(ApplicationEvent.application_id == ids["application"]))
    db.session.execute(delete(Application).where(Application.id == ids["application"]))
    db.session.execute(delete(StaffRole).where(StaffRole.person_id.in_(ids["people"])))
    db.session.execute(delete(Person).where(Person.id.in_(ids["people"])))
    db.session.commit()
