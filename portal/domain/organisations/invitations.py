"""Inviting someone into a business, and their answer.

An owner invites an email address or phone number, never an account: whether an account has that
contact, whose it is and whether they are already a member stays hidden from the owner, who gets the
same answer and sees the same waiting invitation (by the contact they typed) in every case. Only the
invited person's acceptance, from their own signed-in account, makes them a member; until then the
owner sees no name.

- Matching: an invitation is matched to the accounts whose email or phone is its contact when the
  person looks (their account page), so someone who registers with that contact within the 14 days
  finds it too. Contacts are stored as typed (normalised), not hashed: the owners' list shows them, a
  hash of a phone number is reversed by trying the 10^8 numbers, and a keyed hash could not be shown.
  The contact is erased when the invitation is accepted, withdrawn or expires.
- A decline is the person's answer to the portal, not to the business: the owners keep seeing the
  invitation as waiting until it expires (so declining does not tell them an account exists), and the
  same contact cannot be invited again by that business until then, unless an owner withdraws it.
- Notifying: a job (`tell_invited_person`, after commit) looks for the account, so the owner's request
  does the same work, and takes the same time, whoever the contact belongs to. Only a person who has an
  active account, is not already a member, and has not been told of 3 invitations today
  (`throttle.InvitationThrottle.allow_notice`) is told, by inbox, email and SMS, in their language. The
  message names no business (the name is whatever the inviter typed, and official email and SMS must not
  carry it to a stranger); the account page shows it. Contacts without an account are sent nothing: the
  portal is not a way to message arbitrary numbers.
"""

from __future__ import annotations

from datetime import timedelta

from portal.data import invitations as invitation_data
from portal.data import organisations, people
from portal.data.db import db, utcnow
from portal.domain import audit
from portal.domain.notify.service import notify
from portal.domain.organisations.membership import ROLES
from portal.domain.organisations.throttle import InvitationThrottle
from portal.extensions import redis_connection
from portal.jobs import names
from portal.jobs.outbox import schedule
from portal.jobs.queues import DEFAULT, NOTIFICATIONS
from portal.jobs.registry import job

VALID_FOR = timedelta(days=14)
LINK = "/account#invitations"

SENT, ACCEPTED, DECLINED, WITHDRAWN = (
    "invitation_sent", "invitation_accepted", "invitation_declined", "invitation_withdrawn")


class InvitationError(Exception):
    """An invitation the rules refuse; each says only what the owner already knows."""


class InvitingYourself(InvitationError):
    pass


class AlreadyInvited(InvitationError):
    """This business already has an invitation waiting for this contact (the owners' list shows it)."""


class NoSuchInvitation(Exception):
    """Not one the person may answer or withdraw (the web layer answers 404)."""


def contacts_of(person) -> list[str]:
    return [c for c in (person.email, person.phone) if c]


def invite(organisation, owner, contact, role: str):
    """Invite the normalised `contact` (`portal.domain.fields.contact.Contact`) to `organisation` as `role`;
    returns the invitation. Whether anyone is told is decided after commit, by `tell_invited_person`."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if contact.value in contacts_of(owner):
        raise InvitingYourself
    now = utcnow()
    # An invitation past its date may still say pending (the sweep runs hourly): it must not block a new one.
    invitation_data.expire(now, organisation, contact.value)
    invitation = None
    if not invitation_data.is_open(organisation, contact.value, now):
        invitation = invitation_data.add_unless_pending(organisation, contact.value, role, owner, now + VALID_FOR)
    if invitation is None:
        raise AlreadyInvited
    _record(SENT, owner, invitation)
    schedule(tell_invited_person, invitation.id, job_id=f"invitation-{invitation.id}")
    return invitation


@job(NOTIFICATIONS, name=names.TELL_INVITED_PERSON)
def tell_invited_person(invitation_id: int) -> str:
    """Tell the account with the invitation's contact, if there is one to tell; once (`looked_up_at`)."""
    invitation = invitation_data.get_locked(invitation_id)
    if invitation is None or invitation.looked_up_at is not None or invitation.status != "pending":
        db.session.rollback()
        return "done already"
    contact = invitation.contact
    person = people.get_by_contact("phone" if contact.startswith("+") else "email", contact)
    told = (person is not None and person.is_active
            and organisations.membership(invitation.organisation, person) is None
            and InvitationThrottle(redis_connection.client).allow_notice(contact))
    if told:
        notify(person, "business_invitation", {}, link=LINK)
    invitation_data.mark_looked_up(invitation)
    db.session.commit()
    # The same result either way: RQ keeps it in Redis, where it must not say whether the contact has an account.
    return "looked up"


def pending_for(person) -> list:
    """The invitations `person` may accept or decline now."""
    return invitation_data.pending_for(person, contacts_of(person), utcnow())


def accept(person, public_id: str):
    """Make `person` a member with the role offered; returns the organisation."""
    invitation = _answerable(person, public_id)
    # None only when a concurrent request made them a member a moment ago: accepted all the same.
    organisations.add_member_unless_present(invitation.organisation, person, invitation.role)
    invitation_data.close(invitation, "accepted", person)
    _record(ACCEPTED, person, invitation)
    return invitation.organisation


def decline(person, public_id: str):
    """Refuse the invitation; returns the organisation. Nothing changes for the business's members."""
    invitation = _answerable(person, public_id)
    invitation_data.close(invitation, "declined", person)
    _record(DECLINED, person, invitation)
    return invitation.organisation


def open_for(organisation) -> list:
    """What the owners see waiting: pending and declined invitations before their date."""
    return invitation_data.open_for_organisation(organisation, utcnow())


def withdraw(organisation, owner, public_id: str) -> None:
    invitation = invitation_data.get_open(organisation, public_id, utcnow())
    if invitation is None:
        raise NoSuchInvitation
    invitation_data.close(invitation, "revoked")
    _record(WITHDRAWN, owner, invitation)


def _answerable(person, public_id: str):
    invitation = invitation_data.get_pending_for(person, contacts_of(person), public_id, utcnow())
    if invitation is None:
        raise NoSuchInvitation
    return invitation


def _record(action: str, actor, invitation) -> None:
    # Ids and the role only: never the contact, nor whether an account had it.
    audit.record(action, actor=actor, subject_type="organisation_invitation", subject_id=invitation.public_id,
                 details={"organisation": invitation.organisation.public_id, "role": invitation.role})


@job(DEFAULT, timeout=300, retry_intervals=(), name=names.EXPIRE_INVITATIONS)
def expire_invitations() -> int:
    """The hourly sweep (portal.jobs.cron): mark invitations past their date expired and erase their
    contacts. Idempotent; no retries, the next run does whatever this one missed."""
    expired = invitation_data.expire(utcnow())
    db.session.commit()
    return expired
