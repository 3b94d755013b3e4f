"""Queries and changes on organisations (businesses) and their members. Callers commit."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

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


def owners(organisation: Organisation, *, lock: bool = False) -> list[OrganisationMember]:
    """The organisation's owners; with `lock`, their rows stay locked until the transaction ends
    (on PostgreSQL), so that two owners removing each other cannot leave it with none."""
    query = select(OrganisationMember).where(
        OrganisationMember.organisation_id == organisation.id, OrganisationMember.role == "owner"
    ).order_by(OrganisationMember.id)
    if lock:
        query = query.with_for_update()
    return list(db.session.scalars(query))


def member_by_person_public_id(organisation: Organisation, public_id: str) -> OrganisationMember | None:
    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(
        select(OrganisationMember).join(Person).where(
            OrganisationMember.organisation_id == organisation.id, Person.public_id == public_id
        )
    )


def add_member_unless_present(organisation: Organisation, person: Person,
                              role: str = "member") -> OrganisationMember | None:
    """Like `add_member`, but None when `person` is already a member, including when a concurrent
    request added them a moment ago (the unique constraint decides, inside a savepoint)."""
    try:
        with db.session.begin_nested():
            # By ids rather than relationships, so a refused row never lingers in a loaded collection.
            member = OrganisationMember(organisation_id=organisation.id, person_id=person.id, role=role)
            db.session.add(member)
            db.session.flush()
            return member
    except IntegrityError:
        return None


def get_by_id(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id)
