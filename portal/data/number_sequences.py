"""Gapless counters (`number_sequences`): the next number of a name, office and year, taken in the caller's
transaction. The row is locked until that transaction ends (SELECT ... FOR UPDATE on PostgreSQL; SQLite lets
one writer at a time), so two decisions at once get consecutive numbers and a rolled-back one gives its
number back."""

from __future__ import annotations

from sqlalchemy import select, update

from portal.data.db import db
from portal.data.inserts import insert_or_get
from portal.data.models import NumberSequence


def take_next(name: str, agency: str, year: int) -> int:
    insert_or_get(NumberSequence, {"name": name, "agency": agency, "year": year}, last_number=0)
    # The increment is the lock: a second taker waits here until the first commits or rolls back, then
    # reads the committed value (an UPDATE re-reads the row it waited for, even under READ COMMITTED).
    db.session.execute(
        update(NumberSequence)
        .where(NumberSequence.name == name, NumberSequence.agency == agency, NumberSequence.year == year)
        .values(last_number=NumberSequence.last_number + 1)
        .execution_options(synchronize_session=False)
    )
    return db.session.scalar(
        select(NumberSequence.last_number)
        .where(NumberSequence.name == name, NumberSequence.agency == agency, NumberSequence.year == year)
        .with_for_update()
    )
