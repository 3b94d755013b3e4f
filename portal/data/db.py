"""The database: engine, the request-scoped session and the declarative base.

Only `portal.data` imports models; web and domain code call the query functions beside this
module. The unit of work is explicit: a route that changes data calls `db.session.commit()`
once, after everything succeeded; anything uncommitted is rolled back when the request ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from flask import Flask
from flask.globals import app_ctx
from sqlalchemy import MetaData, create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker

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
    return create_engine(url, pool_pre_ping=True, **{"pool_size": 5, "max_overflow": 10, **pool})


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
        self.session_factory = sessionmaker(expire_on_commit=False)
        self.session = scoped_session(self.session_factory, scopefunc=_app_context_id)

    def init_app(self, app: Flask, url: str) -> None:
        self.engine = make_engine(url, sqlite_write_lock_first=not app.config.get("TESTING"))
        self.session_factory.configure(bind=self.engine)
        app.teardown_appcontext(self._remove_session)

    def _remove_session(self, _exc: BaseException | None) -> None:
        self.session.remove()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A short unit of work of its own that only reads, ended when the block ends.

        For what a request reads before its own unit of work starts (its session): a read in `db.session`
        would open the request's transaction, and on SQLite (BEGIN IMMEDIATE) hold the write lock from then
        to the end of the request; any second connection the request opens meanwhile (a unit of work of
        its own, the health check) would wait 15 s for it and fail. Here SQLite takes no lock."""
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
