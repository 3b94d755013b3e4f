"""Issue 17: two writes to the same draft at the same instant (a business's software answering two steps at once,
or answering while it submits) go one after the other: neither is lost or changed behind the other's back.

Each request is a thread with its own connection. The first is held just before it writes the application, until
the second has finished or 3 s have passed: without a lock both would have read the draft before either wrote it,
and the later write would have put back what the earlier one replaced. On SQLite writers take the write lock at
BEGIN, as the portal's engine does outside the suite."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import delete, event, func, select

from portal.data import api_tokens as token_data
from portal.data.db import db, utcnow
from portal.data.models import ApiToken, Application, AuditEntry, Organisation, OrganisationMember, Person
from portal.domain import api_tokens
from portal.domain.catalogue import get_catalogue
from portal.web.api import PREFIX
from tests import factories
from tests.audit_log import tampering
from tests.integration.test_api_filing import _samples, business_services
from tests.integration.test_insert_races import engine_for_threads

pytestmark = pytest.mark.no_db_transaction


def test_two_steps_answered_at_the_same_instant_are_both_kept(app):
    from datetime import timedelta

    audit_before = db.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))
    owner = factories.person(phone=f"+8551299{uuid.uuid4().int % 10**5:05d}")
    organisation = factories.business(owner=owner, tax_id="K001-901234567", name_en="Srey Sros Spice Shop")
    secret = api_tokens.PREFIX + uuid.uuid4().hex + uuid.uuid4().hex[:11]
    token_data.add(ApiToken(organisation_id=organisation.id, created_by_person_id=owner.id, name="Books",
                            secret_digest=api_tokens.digest(secret), shown_prefix=secret[:9], scopes=["file"],
                            expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    organisation_id, owner_id = organisation.id, owner.id
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
    slug = business_services()[0]
    samples = _samples(get_catalogue().get(slug))["steps"]
    try:
        draft = app.test_client().post(f"{PREFIX}/applications", headers=headers, json={"service": slug}).json
        first, second = [s["id"] for s in draft["steps"] if samples.get(s["id"])][:2]
        url = f"{PREFIX}/applications/{draft['id']}/steps/"
        second_done, statuses = threading.Event(), {}

        def hold(_connection, _cursor, statement, *_args):
            if threading.current_thread().name == "first" and statement.lstrip().upper().startswith(
                    "UPDATE APPLICATIONS"):
                second_done.wait(3)  # with the lock the second waits for the first: this times out

        def answer(step: str) -> None:
            with app.app_context():
                statuses[step] = app.test_client().put(url + step, headers=headers, json=samples[step]).status_code
            if step == second:
                second_done.set()

        with engine_for_threads(app, 4, sqlite_write_lock_first=True) as engine:
            event.listen(engine, "before_cursor_execute", hold)
            try:
                threads = [threading.Thread(target=answer, args=(first,), name="first")]
                threads[0].start()
                time.sleep(0.5)  # the first is inside its write
                threads.append(threading.Thread(target=answer, args=(second,), name="second"))
                threads[1].start()
                for thread in threads:
                    thread.join(30)
            finally:
                event.remove(engine, "before_cursor_execute", hold)
        assert statuses == {first: 200, second: 200}
        db.session.expire_all()
        answers = db.session.scalar(select(Application.answers).where(Application.public_id == draft["id"]))
        for step in (first, second):
            assert all(answers.get(field) is not None for field in samples[step]), (step, answers)
    finally:
        db.session.rollback()
        with tampering():  # every API call is an audit entry: later tests read the log from its start
            db.session.execute(delete(AuditEntry).where(AuditEntry.id > audit_before))
        db.session.execute(delete(ApiToken).where(ApiToken.organisation_id == organisation_id))
        db.session.execute(delete(Application).where(Application.organisation_id == organisation_id))
        db.session.execute(delete(OrganisationMember).where(OrganisationMember.organisation_id == organisation_id))
        db.session.execute(delete(Organisation).where(Organisation.id == organisation_id))
        db.session.execute(delete(Person).where(Person.id == owner_id))
        db.session.commit()
