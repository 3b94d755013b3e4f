"""Inserting a row that two requests may insert at once.

"Look for the row, add it if missing" races: both requests look, both find nothing, both insert, and
the second fails on the unique key (a 500 for a person who did nothing wrong, e.g. two people uploading
the same file, or the first two applicants of a service version nobody used yet). Here the database
decides in one statement, `INSERT ... ON CONFLICT (key) DO NOTHING` (PostgreSQL and SQLite both have
it), and the row is read back: the one this request inserted, or the one a concurrent request did.

On PostgreSQL (READ COMMITTED) an insert that meets a concurrent, uncommitted insert of the same key
waits for that transaction: it inserts if the other rolls back and does nothing if it commits; the
read that follows, a new statement, then sees the committed row.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import inspect, select
from sqlalchemy.dialects import postgresql, sqlite

from portal.data.db import db

Row = TypeVar("Row")

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_or_get(model: type[Row], key: dict[str, Any], **values: Any) -> tuple[Row, bool]:
    """The row of `model` whose unique key (all of `key`'s columns, a primary key or a unique constraint)
    has `key`'s values; inserted with `values` when there is none. Returns (row, True if this call
    inserted it). `values` are ignored when the row exists: the caller updates it if it must."""
    dialect = db.session.get_bind().dialect.name
    insert = (_INSERTS[dialect](model).values(**key, **values).on_conflict_do_nothing(index_elements=list(key))
              .returning(*inspect(model).primary_key))
    # RETURNING, not rowcount: an ORM insert on PostgreSQL reports a rowcount of -1 either way.
    inserted = db.session.execute(insert).first() is not None
    row = db.session.scalar(select(model).filter_by(**key).execution_options(populate_existing=True))
    if row is None:  # pragma: no cover - the key was not a unique key of `model`, or the row vanished
        raise LookupError(f"{model.__name__} {key} neither inserted nor found")
    return row, inserted
