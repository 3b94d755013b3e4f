"""Queries and changes on people (accounts). Callers commit."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.data.db import db, utcnow
from portal.data.models import Person


def get_by_public_id(public_id: str) -> Person | None:
    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(select(Person).where(Person.public_id == public_id))


def get_by_email(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == email.strip().lower()))


def get_by_phone(phone_e164: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.phone == phone_e164))


def email_taken(email: str) -> bool:
    return db.session.scalar(select(func.count()).where(Person.email == email.strip().lower())) > 0


def phone_taken(phone_e164: str) -> bool:
    return db.session.scalar(select(func.count()).where(Person.phone == phone_e164)) > 0


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
    person.password_hash = password_hash
    person.password_changed_at = utcnow()


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
