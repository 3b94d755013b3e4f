"""Closing an account (issue 18, docs/retention.md "Closing an account"). At once: sign-in stops (every
session too), the drafts and the documents no record uses are removed, the inbox and archives go, the
person leaves their businesses (their API tokens with them), and the profile is emptied of what identifies
or reaches them. Applications already submitted are the offices' records: they stay, with their answers,
until their service's retention ends; staff see "account closed" on them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from portal.data import organisations, people, personal_data
from portal.data.db import utcnow
from portal.domain import api_tokens, audit
from portal.domain.identity.passwords import hash_password, verify_password
from portal.domain.organisations import invitations
from portal.domain.personal_data import exports
from portal.domain.retention import removal

CLOSED = "account_closed"
STAFF, LAST_OWNER = "staff", "last_owner"


@dataclass
class Closing:
    drafts: int = 0
    files: set[str] = field(default_factory=set)
    archives: list[str] = field(default_factory=list)


def obstacles(person) -> list[tuple[str, object]]:
    """Why the person cannot close their account themselves: staff, administrators and kiosk operators ask an
    administrator; the last owner of a business that has other members hands it over first."""
    found: list[tuple[str, object]] = []
    if person.is_admin or person.is_staff or person.operator_post is not None:
        found.append((STAFF, None))
    for member in personal_data.memberships_of(person):
        others = personal_data.other_members(member)
        if member.role == "owner" and others and not any(o.role == "owner" for o in others):
            found.append((LAST_OWNER, member.organisation))
    return found


class Refused(Exception):
    """The account cannot be closed now: closed already (another tab, a moment ago), or `obstacles` arose."""


def password_matches(person, password: str) -> bool:
    return verify_password(person.password_hash, password)


def close(person, password: str) -> Closing:
    """Close the account, if `password` is the person's and nothing stands in the way, all checked again under
    the person's lock (two tabs closing at once close once). The caller commits, then calls `finish`.
    Raises Refused; returns None if the password is wrong."""
    person = personal_data.lock_person(person)
    if person is None or person.closed_at is not None or obstacles(person):
        raise Refused
    if not password_matches(person, password):
        return None
    done = Closing()
    for draft in personal_data.own_drafts_of(person):
        done.files |= removal.remove_draft(draft, person)
        done.drafts += 1
    done.files |= removal.remove_unused_documents_of(person)
    for member in personal_data.memberships_of(person):
        _leave(member, person)
    personal_data.end_assisted_sessions(person, utcnow())
    done.archives = personal_data.remove_inbox_and_archives(person)
    audit.record(CLOSED, actor=person, subject_type="person", subject_id=person.public_id,
                 details={"drafts_removed": done.drafts})
    people.end_sessions(person)
    # A password nobody knows: the account can never be signed in to again, even if reopened by mistake.
    personal_data.anonymise(person, hash_password(secrets.token_urlsafe(32)), utcnow())
    return done


def _leave(member, person) -> None:
    organisation = member.organisation
    if member.role == "owner":
        # Locked, as when owners remove each other (portal.domain.organisations.membership): two co-owners
        # closing at once cannot leave a business with members and no owner.
        owners = [o for o in organisations.owners(organisation, lock=True) if o.person_id != person.id]
        if not owners and personal_data.other_members(member):
            raise Refused
        if not owners:
            # Nobody is left to manage it: an invitation accepted later would make a member of nobody's business.
            for invitation in invitations.open_for(organisation):
                invitations.withdraw(organisation, person, invitation.public_id)
    organisations.remove_member(member)
    # As when a member leaves (portal.domain.organisations.membership): their tokens stop with them.
    api_tokens.revoke_made_by(organisation, person, person)


def finish(done: Closing) -> None:
    """After the commit: the bytes of the removed files and archives."""
    removal.forget_files(done.files)
    folder = exports.directory()
    for name in done.archives:
        (folder / name).unlink(missing_ok=True)
