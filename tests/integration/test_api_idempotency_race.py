"""Issue 17: the same POST sent several times at the same instant with one Idempotency-Key (a client retrying on
a timeout while the first is still running) files once, and every one of them gets the first answer.

Each request is a thread with its own connection. On PostgreSQL every thread is held just before it claims the
key until all are there, so the claims truly race: the unique key makes the others wait for the first's
transaction, then find its answer. On SQLite writers take the write lock at BEGIN, as the portal's engine does
outside the suite, so they queue; the answer must be the same."""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager, suppress
from datetime import timedelta

import pytest
from sqlalchemy import delete, event, func, select

from portal.data import api_tokens as token_data
from portal.data.db import db, utcnow
from portal.data.models import (
    ApiIdempotencyKey,
    ApiToken,
    Application,
    AuditEntry,
    Organisation,
    OrganisationMember,
    Person,
)
from portal.domain import api_tokens
from portal.web.api import PREFIX
from tests import factories
from tests.audit_log import tampering
from tests.integration.test_api_filing import business_services
from tests.integration.test_insert_races import engine_for_threads

pytestmark = pytest.mark.no_db_transaction

REQUESTS = 4


@contextmanager
def held_before_claiming(engine):
    if engine.dialect.name != "postgresql":
        yield
        return
    barrier = threading.Barrier(REQUESTS, timeout=10)

    def hold(_connection, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO API_IDEMPOTENCY_KEYS "):
            with suppress(threading.BrokenBarrierError):
                barrier.wait()

    event.listen(engine, "before_cursor_execute", hold)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", hold)


def test_the_same_post_sent_at_once_with_one_key_files_once(app):
    audit_before = db.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))
    owner = factories.person()
    organisation = factories.business(owner=owner)
    secret = api_tokens.PREFIX + uuid.uuid4().hex + uuid.uuid4().hex[:11]
    token_data.add(ApiToken(organisation_id=organisation.id, created_by_person_id=owner.id, name="Books",
                            secret_digest=api_tokens.digest(secret), shown_prefix=secret[:9], scopes=["file"],
                            expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": str(uuid.uuid4()), "Accept-Language": "en"}
    answers, failures = [], []
    slug = business_services()[0]

    def post() -> None:
        with app.app_context():  # the suite's test client looks at the session around each request
            try:
                answer = app.test_client().post(f"{PREFIX}/applications", headers=headers, json={"service": slug})
                answers.append((answer.status_code, answer.get_data(as_text=True)))
            except BaseException as error:  # noqa: BLE001 - reported by the test
                failures.append(error)

    try:
        with engine_for_threads(app, REQUESTS, sqlite_write_lock_first=True) as engine, held_before_claiming(engine):
            threads = [threading.Thread(target=post) for _ in range(REQUESTS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        assert not failures, failures
        assert len(answers) == REQUESTS
        assert {status for status, _body in answers} == {201}, answers
        assert len({body for _status, body in answers}) == 1  # the first answer, to every one of them
        filed = db.session.scalar(select(func.count()).select_from(Application).where(
            Application.organisation_id == organisation.id))
        assert filed == 1
    finally:
        db.session.rollback()
        with tampering():  # every API call is an audit entry: later tests read the log from its start
            db.session.execute(delete(AuditEntry).where(AuditEntry.id > audit_before))
        tokens = select(ApiToken.id).where(ApiToken.organisation_id == organisation.id)
        db.session.execute(delete(ApiIdempotencyKey).where(ApiIdempotencyKey.token_id.in_(tokens)))
        db.session.execute(delete(ApiToken).where(ApiToken.organisation_id == organisation.id))
        db.session.execute(delete(Application).where(Application.organisation_id == organisation.id))
        db.session.execute(delete(OrganisationMember).where(OrganisationMember.organisation_id == organisation.id))
        db.session.execute(delete(Organisation).where(Organisation.id == organisation.id))
        db.session.execute(delete(Person).where(Person.id == owner.id))
        db.session.commit()
