"""Checking a contact and password, and what must happen next.

An unknown contact and a wrong password give the same answer, after the same amount of work
(Argon2 runs against a dummy hash when there is no account), so sign-in does not tell anyone
which contacts have accounts.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from portal.data import people
from portal.domain.identity.contacts import Contact
from portal.domain.identity.passwords import hash_password, needs_rehash, verify_password
from portal.domain.identity.throttle import account_key, person_account_key


class Outcome(enum.Enum):
    FAILED = "failed"  # unknown contact or wrong password
    INACTIVE = "inactive"  # right password, but the account was closed
    NO_SECOND_FACTOR = "no_second_factor"  # staff without a TOTP secret: an administrator must send an enrolment link
    NEEDS_CODE = "needs_code"  # right password; a TOTP code must follow
    SIGNED_IN = "signed_in"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    person: object | None = None


def throttle_key(contact: Contact) -> str:
    """The sign-in counter for this contact: the account's own when it has one, so that trying its
    email address and then its phone number does not double the guesses."""
    person = people.get_by_contact(contact.kind, contact.value)
    return person_account_key(person.public_id) if person is not None else account_key(contact.value)


def throttle_key_of(person) -> str:
    return person_account_key(person.public_id)


def check_password(contact: Contact, password: str) -> Result:
    person = people.get_by_contact(contact.kind, contact.value)
    if not verify_password(person.password_hash if person else None, password):
        return Result(Outcome.FAILED)
    if person.is_guest:  # a kiosk guest has no contact and an unusable hash: never reached, and never allowed
        return Result(Outcome.FAILED)
    if needs_rehash(person.password_hash):
        # Hashed with older, weaker Argon2 parameters: the right password is here, so store it anew
        # (the caller commits with the sign-in).
        people.upgrade_password_hash(person, hash_password(password))
    if not person.is_active:
        return Result(Outcome.INACTIVE)
    if person.needs_totp:
        if not person.has_authenticator:
            return Result(Outcome.NO_SECOND_FACTOR)
        return Result(Outcome.NEEDS_CODE, person)
    return Result(Outcome.SIGNED_IN, person)


def may_finish_second_step(person) -> bool:
    """Between the password and the code the account may have been closed or its secret removed."""
    return person is not None and person.is_active and person.needs_totp and person.has_authenticator


def first_step_still_valid(person, stamp: str | None) -> bool:
    """False if the password or authenticator changed (renewing the stamp) since the password was
    checked: the second step started with the old password must not finish."""
    return person is None or stamp == person.session_stamp


def record_sign_in(person) -> None:
    people.record_sign_in(person)
