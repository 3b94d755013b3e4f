"""Queries and changes on agencies and staff roles. Callers commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from portal.data.db import db
from portal.data.inserts import insert_or_get
from portal.data.models import Agency, StaffRole


def sync(definitions: Iterable) -> int:
    """Make the agencies table match the definitions (by slug); returns how many were new. Two syncs
    at once (two hosts deploying) both succeed: each new slug is inserted by one of them."""
    created = 0
    for definition in definitions:
        fields = {"name_km": definition.name["km"], "name_en": definition.name["en"], "kind": definition.kind,
                  "commune_code": definition.commune_code}
        agency, inserted = insert_or_get(Agency, {"slug": definition.slug}, **fields)
        created += inserted
        for name, value in fields.items():
            setattr(agency, name, value)
    db.session.flush()
    return created


def all_agencies() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.name_en)))


def get_by_slug(slug: str) -> Agency | None:
    return db.session.scalar(select(Agency).where(Agency.slug == slug))


def grant_role(person, agency: Agency, role: str) -> tuple[StaffRole, bool]:
    """The person's role at the agency, and True if this call granted it (False: they held it already,
    perhaps granted a moment ago by another administrator's request)."""
    staff_role, granted = insert_or_get(StaffRole, {"person_id": person.id, "agency_id": agency.id, "role": role})
    if granted:
        db.session.expire(person, ["staff_roles"])  # inserted behind the loaded collection's back
    return staff_role, granted
