"""Gapless numbers under concurrency (portal.data.number_sequences): two decisions taking a number of the
same counter at once get consecutive numbers, and one rolled back gives its number back to the other.
PostgreSQL only: there the second really waits on the first's row lock (SQLite lets one writer at a time)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import delete

from portal.data.db import db
from portal.data.models import NumberSequence
from portal.data.number_sequences import take_next

pytestmark = pytest.mark.no_db_transaction

NAME, OFFICE, YEAR = "RACE-TEST/", "race-test-office", 2026
HOLD = 0.5  # seconds the first decision keeps its transaction open after taking its number


@pytest.fixture
def counters(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serialises writers")
    yield
    db.session.execute(delete(NumberSequence).where(NumberSequence.name == NAME))
    db.session.commit()


@pytest.mark.parametrize(("first_ends", "second_gets"), [("commit", 2), ("rollback", 1)])
def test_two_decisions_at_once_get_consecutive_numbers(app, counters, first_ends, second_gets):
    took, results, errors = threading.Event(), {}, []

    def first():
        try:
            with app.app_context():
                results["first"] = take_next(NAME, OFFICE, YEAR)
                took.set()
                time.sleep(HOLD)  # still deciding: the counter row stays locked
                getattr(db.session, first_ends)()
        except Exception as error:  # reported by the test, not lost in the thread
            errors.append(error)
            took.set()

    def second():
        try:
            took.wait(10)
            with app.app_context():
                started = time.monotonic()
                results["second"] = take_next(NAME, OFFICE, YEAR)
                results["waited"] = time.monotonic() - started
                db.session.commit()
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors, errors
    assert results["first"] == 1 and results["second"] == second_gets
    assert results["waited"] >= HOLD / 2, "the second taker did not wait for the first's lock"
    db.session.expire_all()
    counter = db.session.query(NumberSequence).filter_by(name=NAME, agency=OFFICE, year=YEAR).one()
    assert counter.last_number == second_gets
