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


def password_matches(person, password: str) -> bool:
    return verify_password(person.password_hash, password)


def close(person) -> Closing:
    """Close the account (the caller has checked `obstacles` and the password, then commits and calls
    `finish`)."""
    done = Closing()
    for draft in personal_data.drafts_of(person):
        done.files |= removal.remove_draft(draft, person)
        done.drafts += 1
    done.files |= removal.remove_unused_documents_of(person)
    for member in personal_data.memberships_of(person):
        organisation = member.organisation
        organisations.remove_member(member)
        # As when a member leaves (portal.domain.organisations.membership): their tokens stop with them.
        api_tokens.revoke_made_by(organisation, person, person)
    done.archives = personal_data.remove_inbox_and_archives(person)
    audit.record(CLOSED, actor=person, subject_type="person", subject_id=person.public_id,
                 details={"drafts_removed": done.drafts})
    people.end_sessions(person)
    # A password nobody knows: the account can never be signed in to again, even if reopened by mistake.
    personal_data.anonymise(person, hash_password(secrets.token_urlsafe(32)), utcnow())
    return done


def finish(done: Closing) -> None:
    """After the commit: the bytes of the removed files and archives."""
    removal.forget_files(done.files)
    folder = exports.directory()
    for name in done.archives:
        (folder / name).unlink(missing_ok=True)
