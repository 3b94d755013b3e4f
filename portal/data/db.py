"""The database: engine, the request-scoped session and the declarative base.

Only `portal.data` imports models; web and domain code call the query functions beside this
module. The unit of work is explicit: a route that changes data calls `db.session.commit()`
once, after everything succeeded; anything uncommitted is rolled back when the request ends.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import Flask
from flask.globals import app_ctx
from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

log = logging.getLogger(__name__)
# Stable constraint names, so that migrations can name what they alter on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# An execution option: this connection's transactions only read (see `Database.reading`).
READ_ONLY = "portal_read_only"
# A pooled server connection left unused this long is pinged before it is handed out (see `_ping_when_idle`).
PING_AFTER_IDLE_SECONDS = 5.0
_IDLE_SINCE = "portal_idle_since"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def make_engine(url: str, sqlite_write_lock_first: bool = True, pool_size: int | None = None) -> Engine:
    """At most 5 (or `pool_size`) connections plus 10 more at a peak: a web or job process uses one at a
    time; only a process with many threads at once (a concurrency test) needs a larger `pool_size`."""
    pool = {} if pool_size is None else {"pool_size": pool_size, "max_overflow": 10}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15}, **pool)
        _make_sqlite_transactional(engine, "BEGIN IMMEDIATE" if sqlite_write_lock_first else "BEGIN")
        return engine
    engine = create_engine(url, **{"pool_size": 5, "max_overflow": 10, **pool})
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before use only if it sat unused for `PING_AFTER_IDLE_SECONDS`.

    `pool_pre_ping` pings on every checkout: a round trip per unit of work, an eighth of a signed-in page's
    time under load (docs/performance.md). What the ping is for still holds: a connection that sat idle
    through a server restart, an idle timeout or a dropped TCP link is found dead here and replaced
    before any request uses it. A connection that was in use a moment ago and dies in between fails at its
    first statement instead: SQLAlchemy then invalidates the whole pool (every connection older than the
    failure is replaced at its next checkout), and that one request gets the outage page (503), as any
    request running while the server went away does; the next ones get fresh connections."""
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection, record):
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise sa_exc.DisconnectionError() from error  # the pool replaces it and tries again
            raise


def _make_sqlite_transactional(engine: Engine, begin: str) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINTs (which the tests' per-test rollback
    # and nested units of work use); let SQLAlchemy emit BEGIN itself, and turn foreign keys on.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    # BEGIN IMMEDIATE takes the write lock when the transaction starts. With a plain (deferred) BEGIN, a
    # request that read a row and then writes it fails at once with "database is locked" whenever the
    # worker committed in between (WAL cannot move a reader's snapshot forward); waiting at BEGIN for
    # the other writer (up to the 15 s timeout) turns that 500 into a short queue. SQLite is the
    # one-machine development database: serialising its writers costs nothing there. The test suite
    # keeps the plain BEGIN: each test holds one connection's transaction open from start to end, and
    # a second connection (a CLI command's database check) must still be able to read.
    # A transaction that only reads (READ_ONLY) takes no lock at all: in WAL mode a reader waits for no writer.
    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN" if connection.get_execution_options().get(READ_ONLY) else begin)


def _app_context_id() -> int:
    return id(app_ctx._get_current_object())


class Database:
    """Binds one engine and one session registry to the app (extension pattern)."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self._readers_queue = True  # SQLite: see `reading`
        self.session_factory = sessionmaker(expire_on_commit=False)
        self.session = scoped_session(self.session_factory, scopefunc=_app_context_id)

    def init_app(self, app: Flask, url: str) -> None:
        self.engine = make_engine(url, sqlite_write_lock_first=not app.config.get("TESTING"))
        self.session_factory.configure(bind=self.engine)
        self._readers_queue = self.engine.dialect.name == "sqlite"
        app.teardown_appcontext(self._remove_session)

    def _remove_session(self, _exc: BaseException | None) -> None:
        try:
            self.session.remove()
        except sa_exc.DBAPIError as error:
            if not (error.connection_invalidated or isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError)):
                raise
            # Teardown runs after the page was made (and handed to the server): a rollback that fails because
            # the database went away meanwhile must not replace that page with an error. The pool has
            # invalidated the connection; the next request gets a new one, or the outage page.
            self.session.registry.clear()
            log.warning("the database was unreachable when the request's session closed (%s)", type(error).__name__)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """Where a request reads what it needs before its own unit of work starts (its session).

        On SQLite, a short unit of work of its own that only reads, ended when the block ends: a read in
        `db.session` would open the request's transaction, which there (BEGIN IMMEDIATE) holds the write lock
        from then to the end of the request; any second connection the request opens meanwhile (a unit of
        work of its own, the health check) would wait 15 s for it and fail. Here SQLite takes no lock.
        On PostgreSQL a read takes no lock, so it is simply the request's unit of work: one pool checkout,
        BEGIN and ROLLBACK per request instead of two."""
        if not self._readers_queue:
            yield self.session
            return
        with self.session_factory() as store:
            store.connection(execution_options={READ_ONLY: True})
            yield store

    def is_up(self) -> bool:
        try:
            # Read-only: on SQLite the check must not queue behind a request that holds the write lock.
            with self.engine.connect().execution_options(**{READ_ONLY: True}) as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means "down" to the health check
            return False


db = Database()
