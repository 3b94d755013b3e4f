"""SQLite as `make run` uses it (BEGIN IMMEDIATE): reading a request's session must not leave the write lock
held for the rest of the request, or any second connection the request opens (the health check's, a unit of
work of its own) waits 15 s for it and fails (issue 16: /healthz with a session cookie answered 503)."""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager

import pytest
from flask import request
from sqlalchemy import delete

from portal.data.db import db, make_engine
from portal.data.models import WebSession
from portal.web.public import health

pytestmark = pytest.mark.no_db_transaction


@contextmanager
def engine_as_outside_the_suite(app, monkeypatch, database: str, why_else: str):
    """The portal on an engine of its own, made as outside the test suite (a real pool; on SQLite BEGIN
    IMMEDIATE), for `database` ("sqlite" or "postgresql") only; the sessions it stored are deleted after."""
    url = app.config["PORTAL_SETTINGS"].database_url
    if not url.startswith(database):
        pytest.skip(why_else)
    db.session.remove()
    original = db.engine
    engine = make_engine(url, sqlite_write_lock_first=True)
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


@pytest.fixture
def production_engine(app, monkeypatch):
    with engine_as_outside_the_suite(app, monkeypatch, "sqlite", "SQLite's locking") as engine:
        yield engine


def test_healthz_with_a_session_cookie_answers_at_once(app, client, production_engine, monkeypatch):
    a_session_with_data(client)
    monkeypatch.setattr(health, "_last_check", (float("-inf"), (), {}))
    started = time.monotonic()
    response = client.get("/healthz")
    assert (response.status_code, response.json["database"]) == (200, "up")
    assert time.monotonic() - started < 5


def test_reading_the_session_leaves_the_write_lock_free(app, client, production_engine):
    """Any page: a request that has read its session can still open a second connection and write in it
    (a unit of work of its own, as sessions and kiosks write): nothing holds SQLite's write lock yet."""
    cookie = app.config["SESSION_COOKIE_NAME"]
    sid = a_session_with_data(client)
    with app.test_request_context("/", headers={"Cookie": f"{cookie}={sid}"}):
        session = app.session_interface.open_session(app, request)
        assert session["remembered"] == "something"
        other = sqlite3.connect(production_engine.url.database, timeout=1, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # "database is locked" after 1 s if the read kept the lock
            other.execute("ROLLBACK")
        finally:
            other.close()


def a_session_with_data(client) -> str:
    """An anonymous session with something in it (a row to read); returns its cookie's value."""
    with client.session_transaction() as session:
        session["remembered"] = "something"
    return client.get_cookie(client.application.config["SESSION_COOKIE_NAME"]).value
