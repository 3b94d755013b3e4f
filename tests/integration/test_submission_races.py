"""Two drafts for the same thing submitted at the same instant (issue 12, point 3: the same tax month
filed twice). A definition's `once_per_applicant` reads the applicant's other applications before it
submits: both submissions must not read before either has written. Exactly one is submitted; the other
is refused with the definition's message.

Each submission runs in a thread of its own with its own connection; each is held just before it records
its submission event until the other is there too (or 3 s have passed), so that without a lock both
would have looked, found nothing, and submitted. On SQLite every writing transaction takes the write lock
at BEGIN IMMEDIATE, as the portal's engine does outside the test suite."""

from __future__ import annotations

import threading
from contextlib import contextmanager, suppress

import pytest
from sqlalchemy import delete, event, func, select

from portal.data import applications as application_data
from portal.data.db import db
from portal.data.models import Application, ApplicationEvent, DocumentRequest, OutboxMessage, Person
from portal.domain.applications import actions, versions
from portal.domain.catalogue import get_catalogue
from tests import factories
from tests.integration.test_insert_races import engine_for_threads
from tests.service_roots import copy_of_fixture, edit_service, services_root
from tests.staff_cases import ANSWERS, SLUG

pytestmark = pytest.mark.no_db_transaction

MESSAGE = {"km": "អ្នកបានសុំតូបនេះរួចហើយ", "en": "You have already applied for this stall"}


def once_per_stall(data):
    data["once_per_applicant"] = {"fields": ["market", "stall_number"], "message": MESSAGE}
    data.pop("documents", None)  # nothing to upload: the drafts are complete as made


@contextmanager
def held_before_recording_the_submission(engine):
    barrier = threading.Barrier(2, timeout=3)

    def hold(_connection, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO APPLICATION_EVENTS "):
            with suppress(threading.BrokenBarrierError):  # the other is held elsewhere (by the lock)
                barrier.wait()

    event.listen(engine, "before_cursor_execute", hold)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", hold)


def draft_for(person) -> Application:
    service = get_catalogue().get(SLUG)
    return application_data.create(
        service_version_id=versions.pin(service).id, service_slug=SLUG, applicant_person_id=person.id,
        state="draft", answers=dict(ANSWERS))


def test_two_drafts_for_the_same_stall_submitted_at_the_same_instant_give_one_application(app, tmp_path):
    root = copy_of_fixture(tmp_path)
    edit_service(app, root, SLUG, once_per_stall)
    with services_root(app, root, sync_agencies=True):
        trader = factories.person()
        drafts = [draft_for(trader), draft_for(trader)]
        db.session.commit()
        ids, person_id = [d.id for d in drafts], trader.id
        # The submission's outbox rows (receipt, message) are committed: removed afterwards, or a later
        # test's job would meet their ids.
        outbox_before = db.session.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0)))
        outcomes: dict[int, object] = {}

        def submit(application_id: int) -> None:
            with app.test_request_context("/?lang=en"):  # the refusal is worded for a person
                try:
                    application = db.session.get(Application, application_id)
                    actions.submit(get_catalogue().get(SLUG), application, db.session.get(Person, person_id))
                    db.session.commit()
                    outcomes[application_id] = "submitted"
                except BaseException as error:  # noqa: BLE001 - reported by the test
                    db.session.rollback()
                    outcomes[application_id] = error

        try:
            with engine_for_threads(app, 2, sqlite_write_lock_first=True) as engine, \
                    held_before_recording_the_submission(engine):
                threads = [threading.Thread(target=submit, args=(i,)) for i in ids]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(60)
            states = sorted(db.session.scalars(select(Application.state).where(Application.id.in_(ids))))
            refused = [o for o in outcomes.values() if isinstance(o, actions.Refused)]
            assert sorted(map(str, outcomes.values())).count("submitted") == 1, outcomes
            assert len(refused) == 1, outcomes
            assert MESSAGE["en"] in refused[0].refusals[0].message or MESSAGE["km"] in refused[0].refusals[0].message
            assert states == ["draft", "submitted"]
        finally:
            db.session.rollback()
            db.session.execute(delete(OutboxMessage).where(OutboxMessage.id > outbox_before))
            db.session.execute(delete(DocumentRequest).where(DocumentRequest.application_id.in_(ids)))
            db.session.execute(delete(ApplicationEvent).where(ApplicationEvent.application_id.in_(ids)))
            db.session.execute(delete(Application).where(Application.id.in_(ids)))
            db.session.execute(delete(Person).where(Person.id == person_id))
            db.session.commit()
