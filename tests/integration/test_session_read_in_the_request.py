"""On PostgreSQL a request reads its session inside its own unit of work (`db.reading`): one pool checkout per
request, not one for the session and another for the page (issue 16: each checkout is a BEGIN and a ROLLBACK
more, round trips that were a sixth of a signed-in page's time under load). SQLite keeps the separate read-only
unit of work its write lock needs (tests/integration/test_sqlite_session_lock.py)."""

from __future__ import annotations

import pytest
from flask import request
from sqlalchemy import event, text

from portal.data.db import db
from tests.integration.test_sqlite_session_lock import a_session_with_data, engine_as_outside_the_suite

pytestmark = pytest.mark.no_db_transaction


@pytest.fixture
def server_engine(app, monkeypatch):
    with engine_as_outside_the_suite(app, monkeypatch, "postgresql",
                                     "SQLite reads the session apart from the request, for its write lock") as engine:
        yield engine


def test_the_session_is_read_in_the_requests_own_unit_of_work(app, client, server_engine):
    cookie = app.config["SESSION_COOKIE_NAME"]
    sid = a_session_with_data(client)
    checkouts: list[int] = []
    event.listen(server_engine, "checkout", lambda *_: checkouts.append(1))
    with app.test_request_context("/", headers={"Cookie": f"{cookie}={sid}"}):
        session = app.session_interface.open_session(app, request)
        assert session["remembered"] == "something"
        db.session.execute(text("SELECT 1"))  # the page's own reads
    assert checkouts == [1]
