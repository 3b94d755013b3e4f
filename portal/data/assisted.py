"""Rows of `centre_operators` and `assisted_sessions` (portal.domain.assisted holds the rules). The caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from portal.data.db import db, utcnow
from portal.data.models import Application, AssistedSession, CentreOperator


def add(row) -> None:
    db.session.add(row)
    db.session.flush()


def operator_of(person_id: int) -> CentreOperator | None:
    """The person's operator post, unless they were removed from it."""
    return db.session.scalar(select(CentreOperator).where(CentreOperator.person_id == person_id,
                                                          CentreOperator.removed_at.is_(None)))


def post_of(person_id: int) -> CentreOperator | None:
    """The person's operator row, removed or not (one per person: the unique constraint)."""
    return db.session.scalar(select(CentreOperator).where(CentreOperator.person_id == person_id))


def session_by_public_id(public_id: str) -> AssistedSession | None:
    return db.session.scalar(select(AssistedSession).where(AssistedSession.public_id == public_id))


def lock(session_id: int) -> AssistedSession | None:
    """Locked until commit: two tabs typing the consent code at once are counted one after the other."""
    return db.session.scalar(select(AssistedSession).where(AssistedSession.id == session_id).with_for_update())


def codes_sent_to(citizen_id: int, since: datetime) -> int:
    """Consent codes sent to a citizen in sessions started since `since`, whichever operator or kiosk."""
    return db.session.scalar(select(func.coalesce(func.sum(AssistedSession.code_sent_count), 0)).where(
        AssistedSession.citizen_id == citizen_id, AssistedSession.started_at >= since))


def open_sessions(operator_id: int) -> list[AssistedSession]:
    return list(db.session.scalars(select(AssistedSession).where(
        AssistedSession.operator_id == operator_id, AssistedSession.ended_at.is_(None))))


def filings_of_centre(centre_id: int, since: datetime) -> list[Application]:
    """Applications filed with help at this centre's kiosks since `since`, newest first."""
    from portal.data.models import Kiosk

    return list(db.session.scalars(
        select(Application).join(AssistedSession, Application.assisted_session_id == AssistedSession.id)
        .join(Kiosk, AssistedSession.kiosk_id == Kiosk.id)
        .where(Kiosk.centre_id == centre_id, Application.submitted_at >= since)
        .order_by(Application.submitted_at.desc())))


def operators() -> list[CentreOperator]:
    """Every centre's operators, with their person and centre, by centre then name."""
    from sqlalchemy.orm import joinedload

    from portal.data.models import Centre, Person

    return list(db.session.scalars(
        select(CentreOperator).join(Centre, CentreOperator.centre_id == Centre.id)
        .join(Person, CentreOperator.person_id == Person.id)
        .where(CentreOperator.removed_at.is_(None))
        .options(joinedload(CentreOperator.person), joinedload(CentreOperator.centre))
        .order_by(Centre.name_en, Person.name_latin, Person.name_km, Person.email, Person.phone)))


def add_operator(row: CentreOperator) -> bool:
    """False when the person became an operator meanwhile (the unique constraint decides, in a savepoint).
    A person removed earlier gets their row back, at the new centre."""
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    reinstated = db.session.execute(
        update(CentreOperator).where(CentreOperator.person_id == row.person_id, CentreOperator.removed_at.is_not(None))
        .values(centre_id=row.centre_id, removed_at=None, created_at=row.created_at or utcnow())
        .execution_options(synchronize_session=False)).rowcount
    if reinstated:
        db.session.expire_all()
        return True
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def mark_removed(row: CentreOperator, at: datetime) -> None:
    row.removed_at = at
    db.session.flush()
