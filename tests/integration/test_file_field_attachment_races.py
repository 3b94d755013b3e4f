"""Two saves of a draft's file field at once (a double click with an upload, two tabs): the one that commits
second starts from what the first left, so the answer and the attachments agree, and the other step's answers
survive. Two app contexts are two requests with their own connections: request 1 has read the draft, request 2
saves and commits, then request 1 saves."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import delete, func, select

from portal.data.db import db
from portal.data.models import Application, ApplicationDocument, AuditEntry, Blob, Document, Person
from portal.domain import application_files
from portal.domain.applications import journey
from portal.domain.catalogue import get_catalogue
from tests import docfiles, factories
from tests.audit_log import tampering
from tests.integration.test_file_field_attachments import field_links, with_plan_fixture  # noqa: F401
from tests.retention_cases import SLUG, own_store_fixture, services_fixture  # noqa: F401

pytestmark = pytest.mark.no_db_transaction


def test_two_saves_at_once_leave_one_file_attached_the_one_the_answer_names(app, with_plan):
    if db.session.get_bind().dialect.name == "sqlite":
        pytest.skip("SQLite lets one writer at a time look and write: the race needs PostgreSQL")
    audit_before = db.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))
    person = factories.person(locale="en")
    application = journey.start(get_catalogue().get(SLUG), person)
    a, b, c = (application_files.store_upload(application, person, io.BytesIO(docfiles.png((60 + i, 60))),
                                              f"{name}.png", 1) for i, name in enumerate("abc"))
    journey.save_answers(application, {"stall_plan": a.public_id})
    db.session.commit()
    ids = {"application": application.id, "person": person.id, "shas": [d.sha256 for d in (a, b, c)]}
    b_id, c_id = b.public_id, c.public_id
    try:
        with app.app_context():  # request 1 reads the draft
            first = db.session.get(Application, ids["application"])
            assert [x.document.original_name for x in first.attachments] == ["a.png"]
            with app.app_context():  # request 2 saves the plan B and the stall number, and commits
                second = db.session.get(Application, ids["application"])
                journey.save_answers(second, {"stall_plan": b_id, "stall_number": "C7"})
                db.session.commit()
            journey.save_answers(first, {"stall_plan": c_id})  # then request 1 saves the plan C
            db.session.commit()

        db.session.expire_all()
        answers = db.session.scalar(select(Application.answers).where(Application.id == ids["application"]))
        assert answers["stall_plan"] == c_id and answers["stall_number"] == "C7"
        assert field_links(ids["application"]) == [("field:stall_plan", "c.png")]
    finally:  # committed rows: leave nothing behind
        db.session.rollback()
        db.session.execute(delete(ApplicationDocument).where(ApplicationDocument.application_id == ids["application"]))
        db.session.execute(delete(Application).where(Application.id == ids["application"]))
        db.session.execute(delete(Document).where(Document.sha256.in_(ids["shas"])))
        db.session.execute(delete(Blob).where(Blob.sha256.in_(ids["shas"])))
        with tampering():
            db.session.execute(delete(AuditEntry).where(AuditEntry.id > audit_before))
        db.session.execute(delete(Person).where(Person.id == ids["person"]))
        db.session.commit()
