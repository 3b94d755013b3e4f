"""Queries and changes on organisations (businesses) and their members. Callers commit."""

from __future__ import annotations

from sqlalchemy import select

from portal.data.db import db
from portal.data.models import Organisation, OrganisationMember, Person


def create(*, owner: Person, name_km: str, name_en: str | None = None, **fields) -> Organisation:
    """A new organisation with `owner` as its first member (role owner)."""
    organisation = Organisation(name_km=name_km, name_en=name_en, **fields)
    organisation.members.append(OrganisationMember(person=owner, role="owner"))
    db.session.add(organisation)
    db.session.flush()
    return organisation


def for_member(person: Person) -> list[Organisation]:
    """The organisations `person` belongs to, in the order they joined."""
    return list(
        db.session.scalars(
            select(Organisation)
            .join(OrganisationMember)
            .where(OrganisationMember.person_id == person.id)
            .order_by(OrganisationMember.id)
        )
    )


def get_for_member(public_id: str, person: Person) -> tuple[Organisation, str] | None:
    """The organisation and `person`'s role in it, or None when it does not exist or they are
    not a member (the caller answers 404 either way: deny by default)."""
    row = db.session.execute(
        select(Organisation, OrganisationMember.role)
        .join(OrganisationMember)
        .where(Organisation.public_id == public_id, OrganisationMember.person_id == person.id)
    ).first()
    return (row[0], row[1]) if row else None


def membership(organisation: Organisation, person: Person) -> OrganisationMember | None:
    return db.session.scalar(
        select(OrganisationMember).where(
            OrganisationMember.organisation_id == organisation.id, OrganisationMember.person_id == person.id
        )
    )


def add_member(organisation: Organisation, person: Person, role: str = "member") -> OrganisationMember:
    member = OrganisationMember(organisation=organisation, person=person, role=role)
    db.session.add(member)
    db.session.flush()
    return member


def remove_member(member: OrganisationMember) -> None:
    db.session.delete(member)
    db.session.flush()
