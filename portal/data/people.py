"""Queries and changes on people (accounts). Callers commit."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.data.db import db, utcnow
from portal.data.models import Person


def get_by_public_id(public_id: str) -> Person | None:
    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(select(Person).where(Person.public_id == public_id))


def get_signed_in(public_id: str) -> Person | None:
    """The person a session names, with what every signed-in request asks of them (`needs_totp`: staff
    roles, a centre post) in the same query: two lazy loads per request otherwise."""
    if not public_id or len(public_id) > 32:
        return None
    return db.session.execute(
        select(Person).where(Person.public_id == public_id)
        .options(joinedload(Person.staff_roles), joinedload(Person.operator_post))
    ).unique().scalar_one_or_none()


def get_by_email(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == email.strip().lower()))


def get_by_phone(phone_e164: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.phone == phone_e164))


def email_taken(email: str) -> bool:
    return db.session.scalar(select(func.count()).where(Person.email == email.strip().lower())) > 0


def create(*, password_hash: str, email: str | None = None, phone: str | None = None, **fields) -> Person:
    person = Person(
        email=email.strip().lower() if email else None,
        phone=phone,
        password_hash=password_hash,
        **fields,
    )
    db.session.add(person)
    db.session.flush()
    return person


def set_locale(person: Person, locale: str) -> None:
    person.locale = locale


def set_password(person: Person, password_hash: str) -> None:
    """A new password ends every session of the person (see `end_sessions`)."""
    person.password_hash = password_hash
    person.password_changed_at = utcnow()
    end_sessions(person)


def upgrade_password_hash(person: Person, password_hash: str) -> None:
    """The same password hashed with today's parameters: nothing else changes (no session ends)."""
    person.password_hash = password_hash


def end_sessions(person: Person) -> None:
    """Every session signed in (or half signed in) before this stops working at its next request: each
    keeps the stamp it was given at sign-in, and it no longer matches. A caller that keeps the
    current session signed in gives it the new stamp."""
    person.session_stamp = secrets.token_hex(16)


def set_totp_secret(person: Person, sealed: str) -> None:
    person.totp_secret_sealed = sealed
    person.totp_secret_plain = None


def with_totp_secrets_for_update() -> list[Person]:
    """Everyone with a TOTP secret, plain or sealed, locked until the caller commits (so that a secret
    changed meanwhile is not overwritten with the old one)."""
    return list(db.session.scalars(
        select(Person)
        .where(or_(Person.totp_secret_plain.is_not(None), Person.totp_secret_sealed.is_not(None)))
        .order_by(Person.id)
        .with_for_update()
    ))


def stored_totp_secrets() -> list[tuple[str | None, str | None]]:
    """(sealed, plain) of everyone who has a TOTP secret: for counting them by key."""
    return [tuple(row) for row in db.session.execute(
        select(Person.totp_secret_sealed, Person.totp_secret_plain)
        .where(or_(Person.totp_secret_plain.is_not(None), Person.totp_secret_sealed.is_not(None)))
    )]


def set_enrolment(person: Person, nonce: str, expires_at: datetime) -> None:
    person.enrolment_nonce = nonce
    person.enrolment_expires_at = expires_at


def claim_enrolment(person: Person, nonce: str) -> bool:
    """End the enrolment `nonce` names, if it is still the current one and has not expired; False if it
    was used, replaced or expired meanwhile (a double submit, a second tab, a new link). One UPDATE
    decides, so only one request can claim a link."""
    claimed = db.session.execute(
        update(Person)
        .where(Person.id == person.id, Person.enrolment_nonce == nonce, Person.enrolment_expires_at > utcnow())
        .values(enrolment_nonce=None, enrolment_expires_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.expire(person, ["enrolment_nonce", "enrolment_expires_at"])
    return claimed


def record_sign_in(person: Person) -> None:
    person.last_sign_in_at = utcnow()


def get_by_id(person_id: int) -> Person | None:
    return db.session.get(Person, person_id)


def get_by_contact(kind: str, value: str) -> Person | None:
    """The account for a normalised contact: kind "email" (lower-cased) or "phone" (E.164)."""
    if kind == "email":
        return get_by_email(value)
    if kind == "phone":
        return get_by_phone(value)
    raise ValueError(f"unknown contact kind {kind!r}")


def create_unless_taken(*, password_hash: str, email: str | None = None, phone: str | None = None,
                        **fields) -> Person | None:
    """Like `create`, but None when the email or phone already has an account, including when a
    concurrent request took it a moment ago (the unique constraint decides, inside a savepoint)."""
    try:
        with db.session.begin_nested():
            return create(password_hash=password_hash, email=email, phone=phone, **fields)
    except IntegrityError:
        return None
