"""Issue 11, item 5: sessions live in the database, written only when a request changed them."""

from __future__ import annotations

from datetime import timedelta

import redis
from sqlalchemy import select, update

from portal.data.db import db, utcnow
from portal.data.models import WebSession
from portal.domain.identity.sessions import purge_expired_sessions
from portal.web.outages import LastResort
from portal.web.security.sessions import digest
from tests.sessions import sign_in_as, stored_sessions


def _row(client) -> WebSession:
    db.session.expire_all()
    return db.session.get(WebSession, digest(client.get_cookie("session").value))


def test_the_table_keeps_a_digest_of_the_id_never_the_cookie_itself(client, factories):
    sign_in_as(client, factories.person())
    sid = client.get_cookie("session").value
    assert db.session.scalar(select(WebSession.id_digest)) == digest(sid) != sid


def test_a_page_view_that_changes_nothing_writes_nothing(client, factories):
    sign_in_as(client, factories.person())
    assert client.get("/account").status_code == 200
    before = _row(client)
    written = (before.data, before.updated_at, before.expires_at)
    for _ in range(3):
        assert client.get("/account").status_code == 200
    after = _row(client)
    assert (after.data, after.updated_at, after.expires_at) == written


def test_the_idle_clock_moves_once_a_minute_and_pushes_the_expiry(client, factories):
    sign_in_as(client, factories.person(), seen_ago=61)
    db.session.execute(update(WebSession).values(expires_at=utcnow() + timedelta(seconds=30)))
    db.session.commit()
    assert client.get("/account").status_code == 200
    assert _row(client).expires_at > utcnow() + timedelta(minutes=14)  # the applicant's 15 idle minutes


def test_an_expired_row_signs_nobody_in_and_the_sweep_deletes_it(client, factories):
    sign_in_as(client, factories.person())
    other = client.application.test_client()
    other.get("/sign-in")  # a second session, still valid
    assert stored_sessions() == 2
    expired = digest(client.get_cookie("session").value)
    db.session.execute(update(WebSession).where(WebSession.id_digest == expired)
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get("/account").status_code == 302  # to the sign-in page
    assert purge_expired_sessions() == 1
    assert db.session.get(WebSession, expired) is None
    assert db.session.get(WebSession, digest(other.get_cookie("session").value)) is not None


def test_anything_that_escapes_the_error_pages_still_gets_a_page_in_both_languages():
    def broken_app(environ, start_response):
        raise redis.ConnectionError("Connection refused")

    statuses = []
    body = b"".join(LastResort(broken_app)({}, lambda status, headers, exc_info=None: statuses.append(
        (status, dict(headers)))))
    status, headers = statuses[0]
    assert status.startswith("503") and headers["Retry-After"].isdigit()
    page = body.decode()
    assert "សេវានេះមិនអាចប្រើបាននៅពេលនេះទេ" in page and "The service is not available right now" in page
