"""Queries and changes on agencies and staff roles. Callers commit."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from portal.data.db import db, utcnow
from portal.data.inserts import insert_or_get
from portal.data.models import Agency, StaffRole

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def _fields(definition) -> dict:
    return {"name_km": definition.name["km"], "name_en": definition.name["en"], "kind": definition.kind,
            "commune_code": definition.commune_code}


def sync(definitions: Iterable) -> int:
    """Make the agencies table match the definitions (by slug); returns how many were new.

    About 1,900 agencies (every local office): one query reads what is there, one multi-row insert adds the
    missing ones (`ON CONFLICT DO NOTHING`: two syncs at once, two hosts deploying, both succeed), and only
    the rows whose name, kind or commune changed are updated."""
    wanted = {definition.slug: _fields(definition) for definition in definitions}
    present = {row.slug: row for row in db.session.execute(
        select(Agency.slug, Agency.name_km, Agency.name_en, Agency.kind, Agency.commune_code))}
    missing = [{"slug": slug, "created_at": utcnow(), **fields} for slug, fields in wanted.items()
               if slug not in present]
    created = 0
    if missing:
        dialect = db.session.get_bind().dialect.name
        for start in range(0, len(missing), _BATCH):
            statement = _INSERTS[dialect](Agency).values(missing[start:start + _BATCH]) \
                .on_conflict_do_nothing(index_elements=["slug"]).returning(Agency.slug)
            created += len(db.session.execute(statement).all())
    for slug, fields in wanted.items():
        row = present.get(slug)
        if row is not None and any(getattr(row, name) != value for name, value in fields.items()):
            db.session.execute(update(Agency).where(Agency.slug == slug).values(**fields))
    db.session.flush()
    db.session.expire_all()
    return created


# Rows per INSERT: SQLite allows 32,766 bound parameters per statement, 6 columns a row.
_BATCH = 1000


def ensure(definition) -> Agency | None:
    """The agency row of a catalogue agency, inserted if missing (a generated office nobody synced yet)."""
    if definition is None:
        return None
    row = get_by_slug(definition.slug)
    if row is None:
        row, _inserted = insert_or_get(Agency, {"slug": definition.slug}, **_fields(definition))
    return row


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


def staffed_slugs() -> set[str]:
    """The agencies where at least one person holds a role (active or not)."""
    return set(db.session.scalars(select(Agency.slug).join(StaffRole, StaffRole.agency_id == Agency.id).distinct()))


def slugs_in_use() -> set[str]:
    """The agencies that can have anything on record: each with a staff role (held now), and each named by an
    application (its queue or its routed office) or a payment (where it was recorded). Of ~1,900 offices
    most have none: per-agency reports (`flask payments reconcile`) visit only these and the listed ones."""
    from portal.data.models import Application, Payment

    found = staffed_slugs()
    for column in (Application.current_agency, Application.routed_agency, Payment.recorded_agency):
        found.update(s for s in db.session.scalars(select(column).where(column.is_not(None)).distinct()))
    return found
