"""Invitations to join an organisation (business). Callers commit.

"Open" means what a business's owners still see as waiting: pending or declined (a decline looks like
silence to them until the invitation expires; see portal.domain.organisations.invitations), not yet expired.
"Pending" means what the invited person can still answer.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal.data.db import db, utcnow
from portal.data.models import Organisation, OrganisationInvitation, OrganisationMember, Person

OPEN = ("pending", "declined")


def add_unless_pending(organisation: Organisation, contact: str, role: str, invited_by: Person,
                       expires_at: datetime) -> OrganisationInvitation | None:
    """A new pending invitation, or None when one is already pending for this contact (including one a
    concurrent request made a moment ago: the partial unique index decides, inside a savepoint)."""
    try:
        with db.session.begin_nested():
            invitation = OrganisationInvitation(organisation_id=organisation.id, contact=contact, role=role,
                                                invited_by_id=invited_by.id, expires_at=expires_at)
            db.session.add(invitation)
            db.session.flush()
            return invitation
    except IntegrityError:
        return None


def get_locked(invitation_id: int) -> OrganisationInvitation | None:
    return db.session.scalar(
        select(OrganisationInvitation).where(OrganisationInvitation.id == invitation_id).with_for_update())


def mark_looked_up(invitation: OrganisationInvitation) -> None:
    invitation.looked_up_at = utcnow()


def is_open(organisation: Organisation, contact: str, now: datetime) -> bool:
    return db.session.scalar(select(OrganisationInvitation.id).where(
        OrganisationInvitation.organisation_id == organisation.id, OrganisationInvitation.contact == contact,
        OrganisationInvitation.status.in_(OPEN), OrganisationInvitation.expires_at > now,
    ).limit(1)) is not None


def open_for_organisation(organisation: Organisation, now: datetime) -> list[OrganisationInvitation]:
    return list(db.session.scalars(select(OrganisationInvitation).where(
        OrganisationInvitation.organisation_id == organisation.id,
        OrganisationInvitation.status.in_(OPEN), OrganisationInvitation.expires_at > now,
    ).order_by(OrganisationInvitation.created_at, OrganisationInvitation.id)))


def get_open(organisation: Organisation, public_id: str, now: datetime) -> OrganisationInvitation | None:
    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(select(OrganisationInvitation).where(
        OrganisationInvitation.organisation_id == organisation.id, OrganisationInvitation.public_id == public_id,
        OrganisationInvitation.status.in_(OPEN), OrganisationInvitation.expires_at > now,
    ).with_for_update())


def _pending_for(person: Person, contacts: list[str], now: datetime):
    already_in = select(OrganisationMember.organisation_id).where(OrganisationMember.person_id == person.id)
    return select(OrganisationInvitation).where(
        OrganisationInvitation.contact.in_(contacts), OrganisationInvitation.status == "pending",
        OrganisationInvitation.expires_at > now, OrganisationInvitation.organisation_id.not_in(already_in),
    )


def pending_for(person: Person, contacts: list[str], now: datetime) -> list[OrganisationInvitation]:
    """Invitations `person` may answer: sent to one of their contacts, to a business they are not in."""
    if not contacts:
        return []
    return list(db.session.scalars(
        _pending_for(person, contacts, now).order_by(OrganisationInvitation.created_at, OrganisationInvitation.id)))


def get_pending_for(person: Person, contacts: list[str], public_id: str,
                    now: datetime) -> OrganisationInvitation | None:
    """One of `pending_for`, locked until the transaction ends (two answers at once: one wins)."""
    if not contacts or not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(
        _pending_for(person, contacts, now).where(OrganisationInvitation.public_id == public_id).with_for_update())


def close(invitation: OrganisationInvitation, status: str, answered_by: Person | None = None) -> None:
    """Accepted, declined or revoked. A declined invitation keeps its contact until it expires: its
    owners still see it waiting (by that contact) until then."""
    invitation.status = status
    invitation.closed_at = utcnow()
    if answered_by is not None:
        invitation.answered_by_id = answered_by.id
    if status != "declined":
        invitation.contact = None
    db.session.flush()


def expire(now: datetime, organisation: Organisation | None = None, contact: str | None = None) -> int:
    """Mark pending invitations past their date expired and erase the contact of every invitation past its
    date (declined ones included); only those of `organisation` and `contact` when given. Returns how many
    pending invitations expired."""
    scope = [OrganisationInvitation.expires_at <= now]
    if organisation is not None:
        scope += [OrganisationInvitation.organisation_id == organisation.id,
                  OrganisationInvitation.contact == contact]
    expired = db.session.execute(
        update(OrganisationInvitation).where(OrganisationInvitation.status == "pending", *scope)
        .values(status="expired", contact=None, closed_at=now).execution_options(synchronize_session=False))
    db.session.execute(
        update(OrganisationInvitation).where(OrganisationInvitation.contact.is_not(None), *scope)
        .values(contact=None).execution_options(synchronize_session=False))
    return expired.rowcount
