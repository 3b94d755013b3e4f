"""Pooled PostgreSQL connections are pinged only after sitting idle (`portal.data.db._ping_when_idle`), not at
every checkout. Either way a connection the server dropped must never turn into a failed page for long:

- one dropped while idle is found by the ping and replaced before anyone uses it;
- one dropped while in steady use fails at its first statement; that failure invalidates the whole pool, so
  the next unit of work gets a fresh connection.

The server ends the connections itself (`pg_terminate_backend`), as a restart or an idle timeout would.
"""

from __future__ import annotations

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from portal.data import db as db_module
from portal.data.db import make_engine

pytestmark = pytest.mark.no_db_transaction


@pytest.fixture
def engine(app):
    url = app.config["PORTAL_SETTINGS"].database_url
    if not url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to drop")
    engine = make_engine(url, pool_size=2)
    yield engine
    engine.dispose()


def _backend_pid(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(app, pid: int) -> None:
    # From a connection of another engine: the pool under test must not notice anything by itself.
    other = make_engine(app.config["PORTAL_SETTINGS"].database_url, pool_size=1)
    with other.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    other.dispose()


def _count_pings(engine, monkeypatch) -> list[int]:
    pings: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection):
        pings.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return pings


def test_a_connection_used_a_moment_ago_is_not_pinged_and_an_idle_one_is(engine, monkeypatch):
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 3600.0)  # "a moment ago", however slow the machine
    _backend_pid(engine)
    pings = _count_pings(engine, monkeypatch)
    _backend_pid(engine)
    assert pings == []
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    _backend_pid(engine)
    assert pings == [1]


def test_a_connection_dropped_while_idle_is_replaced_before_use(app, engine, monkeypatch):
    pid = _backend_pid(engine)
    _terminate(app, pid)
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it sat idle for minutes
    assert _backend_pid(engine) != pid  # no error: the ping found it dead and the pool made a new one


def test_a_connection_dropped_while_in_use_fails_once_then_the_pool_is_fresh(app, engine, monkeypatch):
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 3600.0)  # in steady use: never pinged
    first = _backend_pid(engine)
    _terminate(app, first)
    with pytest.raises(sa_exc.DBAPIError) as failure:
        _backend_pid(engine)  # used a moment ago: no ping, so its first statement finds it dead
    assert failure.value.connection_invalidated  # what the outage page (503) is shown for
    assert _backend_pid(engine) != first


def test_a_connection_that_still_works_passes_the_ping(engine, monkeypatch):
    pid = _backend_pid(engine)
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    assert _backend_pid(engine) == pid
