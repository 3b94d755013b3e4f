"""Closing an account from two places at the same instant (issue 18): the same person in two tabs closes once
(no 500, one audit entry), and two co-owners of a business with members cannot both leave it without an owner.

Each request is a thread with its own connection; both are held just before they remove a membership, until
the other arrives there too or 3 s have passed: with the locks, the second waits for the first before it
looks, and never gets that far. On SQLite writers take the write lock at BEGIN, as the portal does."""

from __future__ import annotations

import threading
from contextlib import suppress

import pytest
from sqlalchemy import delete, event, func, select

from portal.data.db import db
from portal.data.models import AuditEntry, Organisation, OrganisationMember, Person, WebSession
from tests import factories
from tests.audit_log import tampering
from tests.client import PortalClient
from tests.integration.test_insert_races import engine_for_threads
from tests.sessions import sign_in_as

pytestmark = pytest.mark.no_db_transaction


def test_the_same_account_closed_in_two_tabs_at_once_is_closed_once(app):
    with _business() as (person, _owner, _business_id):
        public_id = person.public_id  # read before the threads' engine detaches the rows
        statuses = _close_at_once(app, [person, person])
        assert sorted(statuses) == [302, 302], statuses
        closed = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account_closed",
                                                             AuditEntry.subject_id == public_id)).all()
        assert len(closed) == 1


def test_two_co_owners_closing_at_once_leave_the_business_an_owner(app):
    with _business(co_owner=True) as (person, owner, business_id):
        statuses = _close_at_once(app, [person, owner])
        assert 500 not in statuses, statuses
        roles = db.session.scalars(select(OrganisationMember.role)
                                   .where(OrganisationMember.organisation_id == business_id)).all()
        assert "owner" in roles, roles  # a member is left: so is an owner


class _business:
    """A business with an owner, `person` (a co-owner or a member), and a third member; all removed after."""

    def __init__(self, co_owner: bool = False):
        self.co_owner = co_owner

    def __enter__(self):
        self.audit_before = db.session.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))
        self.sessions_before = set(db.session.scalars(select(WebSession.id_digest)))
        self.person, self.owner, third = (factories.person(locale="en") for _ in range(3))
        business = factories.business(self.owner)
        for member, role in ((self.person, "owner" if self.co_owner else "member"), (third, "member")):
            db.session.add(OrganisationMember(organisation_id=business.id, person_id=member.id, role=role))
        db.session.commit()
        self.people = [self.person.id, self.owner.id, third.id]
        self.business_id = business.id
        return self.person, self.owner, business.id

    def __exit__(self, *_exc):
        db.session.rollback()
        with tampering():  # closing is an audit entry: later tests read the log from its start
            db.session.execute(delete(AuditEntry).where(AuditEntry.id > self.audit_before))
        db.session.execute(delete(OrganisationMember).where(OrganisationMember.organisation_id == self.business_id))
        db.session.execute(delete(Organisation).where(Organisation.id == self.business_id))
        db.session.execute(delete(Person).where(Person.id.in_(self.people)))
        db.session.execute(delete(WebSession).where(WebSession.id_digest.not_in(self.sessions_before)))
        db.session.commit()


def _close_at_once(app, people: list) -> list:
    app.test_client_class = PortalClient
    clients = []
    for person in people:
        client = app.test_client()
        client.expected_lang = None
        sign_in_as(client, person)
        clients.append((client, client.csrf_token()))
    db.session.rollback()  # no read transaction of ours may stay open while they write
    arrived = threading.Barrier(2, timeout=3)
    statuses: list = []

    def hold(_connection, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("DELETE FROM ORGANISATION_MEMBERS"):
            with suppress(threading.BrokenBarrierError):
                arrived.wait()

    def close(client, token):
        with app.app_context():
            statuses.append(client.post("/account/close", data={
                "password": factories.PASSWORD, "understood": "y", "csrf_token": token}).status_code)

    with engine_for_threads(app, 2, sqlite_write_lock_first=True) as engine:
        event.listen(engine, "before_cursor_execute", hold)
        try:
            threads = [threading.Thread(target=close, args=pair) for pair in clients]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
        finally:
            event.remove(engine, "before_cursor_execute", hold)
    db.session.expire_all()
    return statuses
