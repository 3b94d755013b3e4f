"""SQLite as `make run` uses it: the web process and the worker write to one file. A request that reads
a row, then writes it after the worker committed, must wait its turn, not fail with "database is locked"
(a 500 seen in the browser tests before the portal began its SQLite transactions with BEGIN IMMEDIATE)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from portal.data.db import make_engine


def read_then_write_while_another_writer_commits(url: str, write_lock_first: bool = True) -> None:
    request, worker = make_engine(url, write_lock_first), make_engine(url, write_lock_first)
    with worker.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS cases (id INTEGER PRIMARY KEY, state TEXT)"))
        connection.execute(text("INSERT INTO cases (id, state) VALUES (1, 'submitted')"))
    read, written = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def worker_commits() -> None:
        try:
            read.wait(5)
            with worker.begin() as connection:
                connection.execute(text("CREATE TABLE IF NOT EXISTS deliveries (id INTEGER PRIMARY KEY)"))
                connection.execute(text("INSERT INTO deliveries DEFAULT VALUES"))
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            failures.append(error)
        finally:
            written.set()

    thread = threading.Thread(target=worker_commits)
    thread.start()
    try:
        with request.begin() as connection:
            assert connection.execute(text("SELECT state FROM cases WHERE id = 1")).scalar() == "submitted"
            read.set()
            written.wait(0.5)  # the worker commits now, unless it has to wait for this transaction
            connection.execute(text("UPDATE cases SET state = 'approved' WHERE id = 1"))
    finally:
        thread.join()
        request.dispose()
        worker.dispose()
    if failures:
        raise failures[0]


def test_the_portals_sqlite_transactions_wait_for_each_other(tmp_path):
    read_then_write_while_another_writer_commits(f"sqlite:///{tmp_path / 'portal.sqlite3'}")


def test_with_a_deferred_begin_the_same_steps_fail(tmp_path):
    with pytest.raises(OperationalError, match="database is locked"):
        read_then_write_while_another_writer_commits(f"sqlite:///{tmp_path / 'portal.sqlite3'}", write_lock_first=False)
