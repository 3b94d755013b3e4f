"""The authenticator time steps each person has used (`UsedTotpStep`)."""

from __future__ import annotations

from sqlalchemy import delete

from portal.data.db import db
from portal.data.inserts import insert_or_get
from portal.data.models import Person, UsedTotpStep

# Steps older than this behind the newest one used can no longer be typed (the window is one step either way).
KEPT_STEPS = 3


def use(person: Person, step: int) -> bool:
    """Mark `step` used by `person`; True if it was not used before. Two requests with the same code at
    the same instant: one insert wins, the other finds the row (PostgreSQL waits for the first to commit)."""
    _row, inserted = insert_or_get(UsedTotpStep, {"person_id": person.id, "step": step})
    if inserted:
        db.session.execute(delete(UsedTotpStep).where(UsedTotpStep.person_id == person.id,
                                                      UsedTotpStep.step < step - KEPT_STEPS))
    return inserted
