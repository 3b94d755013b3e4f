"""Ways to make the records tests need, in one place."""

from __future__ import annotations

import itertools

import pyotp

from portal.data import agencies as agency_data
from portal.data import people
from portal.data.db import db
from portal.domain.identity import totp
from portal.domain.identity.passwords import hash_password

PASSWORD = "ស្រូវ-rice-field-2026"
_numbers = itertools.count(10_000_000)


def _hash(password: str) -> str:
    # Argon2 is slow on purpose; tests reuse one hash per password.
    cache = _hash.__dict__.setdefault("cache", {})
    if password not in cache:
        cache[password] = hash_password(password)
    return cache[password]


def person(email: str | None = None, phone: str | None = None, password: str = PASSWORD, **fields):
    if email is None and phone is None:
        phone = f"+85512{next(_numbers) % 1_000_000:06d}"
    created = people.create(email=email, phone=phone, password_hash=_hash(password), **fields)
    db.session.commit()
    return created


def staff(agency_slug: str = "moc", role: str = "clerk", **fields):
    """A staff member who has enrolled: a password and a TOTP secret (sealed, as enrolment stores it;
    `totp_for` gives the app's view of it)."""
    member = person(email=fields.pop("email", f"staff{next(_numbers)}@agency.gov.kh"), **fields)
    totp.store(member, totp.new_secret())
    agency_data.grant_role(member, agency_data.get_by_slug(agency_slug), role)
    db.session.commit()
    return member


def admin(**fields):
    """An administrator, with the TOTP secret every administrator has."""
    member = person(email=fields.pop("email", f"admin{next(_numbers)}@agency.gov.kh"), is_admin=True, **fields)
    totp.store(member, totp.new_secret())
    db.session.commit()
    return member


def totp_for(member) -> pyotp.TOTP:
    """The person's authenticator app, as far as codes go."""
    return pyotp.TOTP(totp.secret_of(member))


def business(owner, name_km: str = "ហាងលក់គ្រឿងទេស", **fields):
    """A business (organisation) with `owner` as its owner."""
    from portal.data import organisations

    created = organisations.create(owner=owner, name_km=name_km, **fields)
    db.session.commit()
    return created
