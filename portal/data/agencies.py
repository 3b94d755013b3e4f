"""Queries and changes on agencies and staff roles. Callers commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from portal.data.db import db
from portal.data.models import Agency, StaffRole


def sync(definitions: Iterable) -> int:
    """Make the agencies table match the definitions (by slug); returns how many were new."""
    existing = {a.slug: a for a in db.session.scalars(select(Agency))}
    created = 0
    for definition in definitions:
        agency = existing.get(definition.slug)
        if agency is None:
            agency = Agency(slug=definition.slug)
            db.session.add(agency)
            created += 1
        agency.name_km = definition.name["km"]
        agency.name_en = definition.name["en"]
        agency.kind = definition.kind
        agency.commune_code = definition.commune_code
    db.session.flush()
    return created


def all_agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.name_en)))


def get_by_slug(slug: str) -> Agency | None:
    return db.session.scalar(select(Agency).where(Agency.slug == slug))


def grant_role(person, agency: Agency, role: str) -> StaffRole:
    staff_role = db.session.scalar(
        select(StaffRole).where(StaffRole.person_id == person.id, StaffRole.agency_id == agency.id,
                                StaffRole.role == role)
    )
    if staff_role is None:
        staff_role = StaffRole(person=person, agency=agency, role=role)
        db.session.add(staff_role)
        db.session.flush()
    return staff_role
