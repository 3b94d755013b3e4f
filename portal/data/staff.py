"""Queries and changes on staff accounts (people with agency roles) and administrators. Callers commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.data.db import db
from portal.data.models import Agency, Person, StaffRole


class DuplicateAccount(Exception):
    """Another account already uses this email address (found by the unique constraint)."""


def create_account(
    *,
    email: str,
    password_hash: str,
    name_km: str | None,
    name_latin: str | None,
    roles: Iterable[tuple[Agency, str]] = (),
    is_admin: bool = False,
) -> Person:
    """A person with their roles, written together or not at all."""
    try:
        with db.session.begin_nested():
            person = Person(email=email.strip().lower(), password_hash=password_hash,
                            name_km=name_km, name_latin=name_latin, is_admin=is_admin)
            db.session.add(person)
            for agency, role in roles:
                person.staff_roles.append(StaffRole(agency=agency, role=role))
            db.session.flush()
    except IntegrityError:
        # Two administrators creating the same address at once: the second one loses here.
        raise DuplicateAccount(email) from None
    return person


def _with_roles():
    return selectinload(Person.staff_roles).selectinload(StaffRole.agency)


def list_staff() -> list[Person]:
    """Everyone holding at least one agency role, active or not, with their roles loaded."""
    return list(
        db.session.scalars(
            select(Person)
            .where(Person.staff_roles.any())
            .options(_with_roles())
            .order_by(Person.name_latin, Person.email)
        )
    )


def get_staff(public_id: str) -> Person | None:
    """The staff member with this public id, or None (also for people who hold no agency role)."""
    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(
        select(Person).where(Person.public_id == public_id, Person.staff_roles.any()).options(_with_roles())
    )


def roles_of(person: Person) -> list[StaffRole]:
    """The person's roles, agency by agency, clerk before supervisor."""
    return sorted(person.staff_roles, key=lambda r: (r.agency.name_en, r.role))


def find_role(person: Person, agency: Agency, role: str) -> StaffRole | None:
    return next((r for r in person.staff_roles if r.agency_id == agency.id and r.role == role), None)


def remove_role(staff_role: StaffRole) -> None:
    staff_role.person.staff_roles.remove(staff_role)
    db.session.flush()


def set_active(person: Person, active: bool) -> None:
    person.is_active = active
    db.session.flush()
