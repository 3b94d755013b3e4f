"""Creating an account from an email address or a Cambodian mobile number and a password.

An account is made only once the person has shown that the contact is theirs: `start` keeps what
they typed as a pending registration and a job sends a 6-digit code to the contact; `confirm` with
that code makes the account. Until then nothing is held: anyone may start a registration for the
same contact, and only the one who receives the code finishes it.

Whether a contact already has an account is never shown to the person registering (that would let
anyone test a list of numbers): the job sends the contact's owner a message saying that they already
have an account, instead of a code, and the registration cannot be confirmed.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.data import people, registrations
from portal.data.db import db, utcnow
from portal.domain.i18n.formatting import digits
from portal.domain.identity.bound_codes import bound_digest
from portal.domain.identity.contacts import Contact
from portal.domain.identity.passwords import hash_password
from portal.domain.notify import external_url
from portal.domain.notify.email import send_templated_email
from portal.domain.notify.sms import send_sms
from portal.jobs import completion, names
from portal.jobs.outbox import schedule
from portal.jobs.queues import NOTIFICATIONS
from portal.jobs.registry import job

VALID_MINUTES = 30
MAX_WRONG_CODES = 5


class RegistrationProblem(Exception):
    """Why a code did not finish a registration; the web layer words it."""


class Expired(RegistrationProblem):
    """The pending registration has gone (too old, or finished already)."""


class TooManyWrongCodes(RegistrationProblem):
    pass


class WrongCode(RegistrationProblem):
    pass


class AlreadyRegistered(RegistrationProblem):
    """The contact got an account between the code being sent and entered (by another registration)."""


def start(contact: Contact, password: str, locale: str):
    """Keep the registration and schedule the code; returns the pending registration (the caller
    commits, then keeps its `public_id` in the session). The password must satisfy the policy."""
    registrations.remove_expired()
    pending = registrations.create(
        contact_kind=contact.kind, contact_value=contact.value, password_hash=hash_password(password),
        locale=locale, expires_at=utcnow() + timedelta(minutes=VALID_MINUTES),
    )
    send_again(pending)
    return pending


def send_again(pending) -> None:
    """Schedule a (new) code for the pending registration; the caller commits. Only the newest works."""
    schedule(send_code, pending.id)


def pending_for(public_id: str | None):
    """The pending registration with this id, if it is still open."""
    pending = registrations.get_by_public_id(public_id)
    if pending is None or pending.expires_at < utcnow():
        return None
    return pending


def confirm(pending, code: str, secret_key: str):
    """Make the account if `code` is the one sent; returns the new person (the caller commits).
    Raises a `RegistrationProblem` otherwise; a wrong code is counted (commit that too)."""
    pending = registrations.lock(pending.id)
    if pending is None or pending.expires_at < utcnow():
        raise Expired
    if pending.wrong_codes >= MAX_WRONG_CODES:
        raise TooManyWrongCodes
    if pending.code_digest is None or not hmac.compare_digest(pending.code_digest,
                                                              code_digest(secret_key, pending, code)):
        pending.wrong_codes += 1
        raise TooManyWrongCodes if pending.wrong_codes >= MAX_WRONG_CODES else WrongCode
    person = people.create_unless_taken(password_hash=pending.password_hash, locale=pending.locale,
                                        **{pending.contact_kind: pending.contact_value})
    registrations.remove(pending)
    if person is None:
        raise AlreadyRegistered
    return person


def code_digest(secret_key: str, pending, code: str) -> str:
    # Bound to this registration: a code sent for another one (the same contact, another browser) fails.
    return bound_digest(secret_key, "registration", pending.public_id, code)


def new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


@job(NOTIFICATIONS, name=names.SEND_REGISTRATION_CODE)
def send_code(pending_id: int) -> None:
    """Job (notifications queue): send the pending registration's contact a new 6-digit code, in the
    language the person registered in; or, when the contact already has an account, a message saying
    so (no code: that registration can never be confirmed). The code exists only in the message: its
    HMAC is stored, committed with the job's outbox row marked done right after sending (a failed send
    stores nothing; a retry sends a fresh code). The same job run twice (Redis lost it while it ran)
    sends once: the outbox row, locked from the start, is the guard (completion.claim)."""
    if not completion.claim():
        db.session.rollback()
        return
    pending = registrations.get_by_id(pending_id)
    if pending is None or pending.expires_at < utcnow():
        return
    existing = people.get_by_contact(pending.contact_kind, pending.contact_value)
    code = None if existing is not None else new_code()
    pending.code_digest = code_digest(current_app.config["SECRET_KEY"], pending, code) if code else None
    pending.wrong_codes = 0  # five tries for each code; the codes themselves are limited per contact
    with force_locale(pending.locale or "km"):
        if code:
            _send_code(pending, code)
        else:
            _send_already_registered(pending)
    completion.mark_done()
    db.session.commit()


# Every text message fits in two SMS parts in Khmer too (134 UCS-2 characters):
# tests/unit/test_sms_lengths.py renders each in both languages.
def code_sms(code: str, minutes: str) -> str:
    return _("One Window: your code is %(code)s. It works for %(minutes)s minutes. Never give it to anyone.",
             code=code, minutes=minutes)


def already_registered_sms(link: str) -> str:
    return _("One Window: this number already has an account. Sign in, or set a new password at %(link)s",
             link=link)


def _send_code(pending, code: str) -> None:
    spaced = f"{code[:3]} {code[3:]}"
    # The code stays in Latin digits (it is typed, and the form takes both); the minutes are a count.
    minutes = digits(VALID_MINUTES, pending.locale)
    if pending.contact_kind == "email":
        context = {"code": spaced, "minutes": minutes}
        send_templated_email(pending.contact_value, _("Your One Window code: %(code)s", code=code),
                             "registration_code", context, language=pending.locale)
    else:
        send_sms(pending.contact_value, code_sms(code, minutes))


def _send_already_registered(pending) -> None:
    sign_in, reset = external_url("accounts.sign_in"), external_url("accounts.forgot_password")
    if pending.contact_kind == "email":
        context = {"sign_in": sign_in, "reset": reset}
        send_templated_email(pending.contact_value, _("You already have a One Window account"),
                             "already_registered", context, language=pending.locale)
    else:
        send_sms(pending.contact_value, already_registered_sms(reset))
