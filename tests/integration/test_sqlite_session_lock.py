"""SQLite as `make run` uses it (BEGIN IMMEDIATE): reading a request's session must not leave the write lock
held for the rest of the request, or any second connection the request opens (the health check's, a unit of
work of its own) waits 15 s for it and fails (issue 16: /healthz with a session cookie answered 503)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import delete

from portal.data.db import db, make_engine
from portal.data.models import WebSession
from portal.web.public import routes

pytestmark = pytest.mark.no_db_transaction


@pytest.fixture
def production_engine(app, monkeypatch):
    url = app.config["PORTAL_SETTINGS"].database_url
    if not url.startswith("sqlite"):
        pytest.skip("SQLite's locking")
    db.session.remove()
    original = db.engine
    engine = make_engine(url, sqlite_write_lock_first=True)  # as outside the test suite
    monkeypatch.setattr(db, "engine", engine)
    db.session_factory.configure(bind=engine)
    try:
        yield engine
    finally:
        db.session.remove()
        with engine.begin() as connection:
            connection.execute(delete(WebSession))
        db.session_factory.configure(bind=original)
        engine.dispose()


def test_healthz_with_a_session_cookie_answers_at_once(app, client, production_engine, monkeypatch):
    with client.session_transaction() as session:
        session["remembered"] = "something"  # an anonymous session with data: a row to read
    monkeypatch.setattr(routes, "_last_check", (float("-inf"), (), {}))
    started = time.monotonic()
    response = client.get("/healthz")
    assert (response.status_code, response.json["database"]) == (200, "up")
    assert time.monotonic() - started < 5
