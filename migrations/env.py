"""Alembic environment: the URL and metadata come from the portal's settings, not an ini file."""

from __future__ import annotations

from alembic import context

from portal.config import load_settings
from portal.data import models  # noqa: F401 - registers every table on the metadata
from portal.data.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    url = config.attributes.get("database_url") or load_settings().database_url
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _sqlite_foreign_keys(connection, False)
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,  # SQLite alters tables by copying them
        compare_type=True,
    )
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _check_sqlite_foreign_keys(connection)
    finally:
        if sqlite:
            _sqlite_foreign_keys(connection, True)


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """Batch mode copies a table and drops the old one. With foreign keys enforced, dropping a table that
    other rows reference (`documents`, `people`) fails, at once even when deferred for ON DELETE RESTRICT,
    so a database holding data could not be migrated. SQLite ignores this pragma inside a transaction:
    it is set on the driver's connection before Alembic begins one (a no-op if a caller's is open)."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_sqlite_foreign_keys(connection) -> None:
    """What enforcement would have caught, checked before the migration commits (it rolls back if any)."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left rows whose foreign keys point nowhere: {broken[:5]}")


run_migrations()
