"""Assisted service at kiosks (issue 14): an operator of a centre files for a citizen, with their consent.

An assisted session ties a kiosk, an operator of the kiosk's centre and a citizen. Nothing is filed for the
citizen before their consent is recorded: a 6-digit code sent by SMS to the citizen's phone and typed back
(only its HMAC is kept, a few codes per session, a few wrong tries per code), or a signed paper form
uploaded into the document store (owned by the citizen). Applications started in the session carry its id;
submitting one is refused unless the session has consent and is still open (`check_may_file`, called by the
submission itself, so no route can skip it). The application belongs to the citizen.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import force_locale
from flask_babel import gettext as _

from portal.data import assisted as assisted_data
from portal.data.db import utcnow
from portal.data.models import AssistedSession, CentreOperator
from portal.domain import audit
from portal.domain.i18n.formatting import digits
from portal.domain.identity.bound_codes import bound_digest
from portal.domain.notify.sms import send_sms

CODE_MINUTES = 10
MAX_CODES = 3
MAX_CODES_PER_CITIZEN_HOUR = 6  # across sessions: starting new sessions does not make a phone an SMS target
MAX_WRONG_CODES = 5
SMS_NAME_CHARS = 30  # the operator's name in the consent SMS: two parts at most (tests/unit/test_sms_lengths.py)


class AssistError(Exception):
    """A refusal the web layer words for the operator."""


class NotThisCentre(AssistError):
    """The operator does not belong to the kiosk's centre."""


class NoPhone(AssistError):
    """The citizen's account has no phone number to send a consent code to."""


class TooManyCodes(AssistError):
    pass


class WrongCode(AssistError):
    pass


class TooManyWrongCodes(AssistError):
    pass


class NoConsent(AssistError):
    """Filing in an assisted session without recorded consent, or after it ended."""


class OperatorChangeRefused(AssistError):
    """Adding or removing an operator was refused; nothing was written."""


class NeedsEmail(OperatorChangeRefused):
    """A new operator's account is made from an email address: their enrolment link goes there."""


class CannotBeOperator(OperatorChangeRefused):
    """A guest record or a deactivated account."""


class AlreadyOperator(OperatorChangeRefused):
    def __init__(self, centre):
        super().__init__(f"already an operator of {centre.slug}")
        self.centre = centre


class NotOperator(OperatorChangeRefused):
    pass


@dataclass(frozen=True)
class OperatorAdded:
    operator: CentreOperator
    new_account: bool
    enrolment_started: bool  # the person must choose a password and set up an authenticator with the link
    link_sent: bool  # the link went to the person's email address (else the caller hands it over)


def add_operator(admin, centre, contact_kind: str, contact_value: str, *, name_km: str | None = None,
                 name_latin: str | None = None, send_link: bool = True) -> OperatorAdded:
    """Makes the account with this contact (normalised, as `portal.domain.identity.contacts` gives it) an operator
    of `centre`, or, for an email address with no account, a new account (the staff accounts' rules and
    enrolment). An operator signs in with password and TOTP: a person without an authenticator gets an
    enrolment link, emailed when `send_link` and they have an address (else `enrolment.link` for the caller).
    `admin` None: the command line. The caller commits."""
    from portal.data import people
    from portal.domain import staff_accounts
    from portal.domain.identity import enrolment

    person = people.get_by_contact(contact_kind, contact_value)
    new = person is None
    if new:
        if contact_kind != "email":
            raise NeedsEmail
        person = staff_accounts.create_operator_account(email=contact_value, name_km=name_km, name_latin=name_latin)
    elif person.is_guest or not person.is_active:
        raise CannotBeOperator
    else:
        existing = assisted_data.operator_of(person.id)
        if existing is not None:
            raise AlreadyOperator(existing.centre)
    operator = CentreOperator(person_id=person.id, centre_id=centre.id)
    if not assisted_data.add_operator(operator):
        raise AlreadyOperator(assisted_data.operator_of(person.id).centre)
    enrol = new or not person.has_authenticator
    sent = False
    if enrol:
        sent = bool(send_link and person.email)
        (enrolment.send_link if sent else enrolment.start)(person)
    audit.record_kiosk_change(admin, "operator_added", "centre", centre.public_id, operator=person.public_id,
                              new_account=new, enrolment=enrol)
    return OperatorAdded(operator, new, enrol, sent)


def remove_operator(admin, person):
    """`person` is no longer an operator: their open assisted sessions end now, and their row is marked
    removed (kept: the sessions they ran, and the "filed with help by" of those filings, name it).
    Returns the centre. The caller commits."""
    operator = assisted_data.operator_of(person.id) if person is not None else None
    if operator is None:
        raise NotOperator
    for assisted in assisted_data.open_sessions(operator.id):
        end(assisted, "operator_removed")
    centre = operator.centre
    assisted_data.mark_removed(operator, utcnow())
    audit.record_kiosk_change(admin, "operator_removed", "centre", centre.public_id, operator=person.public_id)
    return centre


def operators() -> list[CentreOperator]:
    return assisted_data.operators()


def make_operator(person, centre) -> CentreOperator:
    """Makes `person` an operator of `centre` (the command line and the demo); the caller commits."""
    operator = CentreOperator(person_id=person.id, centre_id=centre.id)
    assisted_data.add(operator)
    audit.record_kiosk_change(None, "operator_added", "centre", centre.public_id, operator=person.public_id)
    return operator


def operator_of(person) -> CentreOperator | None:
    if person is None or not getattr(person, "is_authenticated", False):
        return None
    return assisted_data.operator_of(person.id)


def start(kiosk, operator: CentreOperator, citizen) -> AssistedSession:
    """A new session at `kiosk`; any session the operator left open is ended first (one at a time)."""
    if operator.centre_id != kiosk.centre_id:
        raise NotThisCentre
    for open_session in assisted_data.open_sessions(operator.id):
        end(open_session, "replaced")
    assisted = AssistedSession(kiosk_id=kiosk.id, operator_id=operator.id, citizen_id=citizen.id)
    assisted_data.add(assisted)
    _record(assisted, "started")
    return assisted


def send_consent_code(assisted: AssistedSession, secret_key: str) -> None:
    """Sends the citizen a new code (the previous one stops working); the caller commits after."""
    assisted = assisted_data.lock(assisted.id)
    if assisted.ended_at is not None:
        raise NoConsent
    if assisted.citizen.phone is None:
        raise NoPhone
    if (assisted.code_sent_count >= MAX_CODES or assisted_data.codes_sent_to(
            assisted.citizen_id, utcnow() - timedelta(hours=1)) >= MAX_CODES_PER_CITIZEN_HOUR):
        raise TooManyCodes
    code = f"{secrets.randbelow(1_000_000):06d}"
    assisted.code_digest = _digest(secret_key, assisted, code)
    assisted.code_expires_at = utcnow() + timedelta(minutes=CODE_MINUTES)
    assisted.code_sent_count += 1
    assisted.wrong_codes = 0
    locale = assisted.citizen.locale or "km"
    with force_locale(locale):
        send_sms(assisted.citizen.phone, consent_sms(code, assisted.operator.person.display_name[:SMS_NAME_CHARS],
                                                     digits(CODE_MINUTES, locale)))
    _record(assisted, "consent_code_sent")


def consent_sms(code: str, operator: str, minutes: str) -> str:
    return _("One Window: give code %(code)s to %(operator)s only if you agree they apply for you. "
             "It works for %(minutes)s minutes.", code=code, operator=operator, minutes=minutes)


def confirm_consent_code(assisted: AssistedSession, code: str, secret_key: str) -> None:
    """Records consent if `code` is the one sent; a wrong code is counted (the caller commits either way)."""
    assisted = assisted_data.lock(assisted.id)
    if assisted.ended_at is not None:
        raise NoConsent
    if assisted.wrong_codes >= MAX_WRONG_CODES:
        raise TooManyWrongCodes
    if (assisted.code_digest is None or assisted.code_expires_at is None or assisted.code_expires_at < utcnow()
            or not hmac.compare_digest(assisted.code_digest, _digest(secret_key, assisted, code))):
        assisted.wrong_codes += 1
        raise TooManyWrongCodes if assisted.wrong_codes >= MAX_WRONG_CODES else WrongCode
    assisted.code_digest = None  # used once
    _consent(assisted, "code")


def record_paper_consent(assisted: AssistedSession, document) -> None:
    """The signed paper form, already checked and stored (owned by the citizen) by the document store."""
    assisted = assisted_data.lock(assisted.id)
    if assisted.ended_at is not None:
        raise NoConsent
    assisted.consent_document_id = document.id
    _consent(assisted, "paper")


def _consent(assisted: AssistedSession, method: str, **details) -> None:
    assisted.consent_method = method
    assisted.consent_recorded_at = utcnow()
    _record(assisted, "consent_recorded", method=method, **details)


# --- registering a citizen who has no account, in the assisted flow -----------------------------------
# The registration's machinery (`portal.domain.identity.registration`): a pending registration row, the HMAC
# of a 6-digit code bound to it, five wrong tries, and `registration.confirm`, which makes the account (phone
# only, so verified by the code; no password: the citizen sets one later with "forgot password"). The code
# is sent at once, with the consent wording (the page shows the consent text, read aloud before sending):
# the same code records the citizen's consent to this operator applying for them (method `code`).

REGISTRATION_MINUTES = 10


class AccountExists(AssistError):
    """The phone number has an account: help the citizen with it instead."""


class NameRequired(AssistError):
    pass


@dataclass(frozen=True)
class Names:
    km: str | None
    latin: str | None


def clean_names(name_km: str | None, name_latin: str | None) -> Names:
    """The citizen's names by the portal's rules for names (`staff_accounts.rules`); at least one. Raises
    `staff_accounts.InvalidName` or `NameRequired`."""
    from portal.domain.staff_accounts.rules import clean_name_km, clean_name_latin

    names = Names(clean_name_km(name_km, required=False), clean_name_latin(name_latin, required=False))
    if not names.km and not names.latin:
        raise NameRequired
    return names


def start_registration(operator: CentreOperator, phone: str, locale: str, secret_key: str):
    """A pending registration for `phone` (E.164) and its code, sent now by SMS in `locale`; returns the
    pending registration (the caller keeps its public id and the names in the kiosk's session, and commits).
    The caller applies the registration's limits (`RegistrationThrottle`) first."""
    from portal.data import people, registrations
    from portal.domain.identity.passwords import UNUSABLE_HASH

    if people.get_by_contact("phone", phone) is not None:
        raise AccountExists
    registrations.remove_expired()
    pending = registrations.create(contact_kind="phone", contact_value=phone, password_hash=UNUSABLE_HASH,
                                   locale=locale, expires_at=utcnow() + timedelta(minutes=REGISTRATION_MINUTES))
    send_registration_code(operator, pending, secret_key)
    return pending


def send_registration_code(operator: CentreOperator, pending, secret_key: str) -> None:
    """A new code for the pending registration (only the newest works; five tries for each)."""
    from portal.domain.identity import registration

    code = registration.new_code()
    pending.code_digest = registration.code_digest(secret_key, pending, code)
    pending.wrong_codes = 0
    pending.expires_at = utcnow() + timedelta(minutes=REGISTRATION_MINUTES)
    with force_locale(pending.locale):
        send_sms(pending.contact_value, registration_sms(code, operator.person.display_name[:SMS_NAME_CHARS],
                                                         digits(REGISTRATION_MINUTES, pending.locale)))
    audit.record(audit.ASSISTED_SESSION, actor=operator.person, actor_role="operator", subject_type="centre",
                 subject_id=operator.centre.public_id, details={"change": "registration_code_sent"})


def registration_sms(code: str, operator: str, minutes: str) -> str:
    return _("One Window: give code %(code)s to %(operator)s only if you agree they open your account and apply "
             "for you. %(minutes)s minutes.", code=code, operator=operator, minutes=minutes)


def confirm_registration(kiosk, operator: CentreOperator, pending, code: str, names: Names,
                         secret_key: str) -> AssistedSession:
    """The account, if `code` is the one sent (else the registration's `RegistrationProblem`s; a wrong code is
    counted, the caller commits either way); then a session for it at `kiosk`, with consent recorded by that
    code. The caller commits."""
    from portal.domain.identity import registration

    citizen = registration.confirm(pending, code, secret_key)
    citizen.name_km, citizen.name_latin = names.km, names.latin
    audit.record(audit.ACCOUNT_CHANGE, actor=operator.person, actor_role="operator", subject_type="person",
                 subject_id=citizen.public_id, details={"change": "registered_at_kiosk", "kiosk": kiosk.public_id})
    assisted = start(kiosk, operator, citizen)
    _consent(assisted, "code", with_registration=True)
    return assisted


# --- reprinting a receipt at the centre, for someone who comes back with their reference ----------------
# The reference is not enough: a 6-digit code goes by SMS to the applicant's phone and is typed back. Only
# its HMAC is kept (in the kiosk's server-side session, with a random nonce it is bound to), 10 minutes,
# five wrong tries; the web layer limits sends per reference and hour (`throttle.ReprintThrottle`). An unknown
# reference gets a decoy (a digest no code matches), so the operator cannot tell it from a wrong code.

REPRINT_MINUTES = 10
REPRINT_WRONG_CODES = 5


class NoApplicantPhone(AssistError):
    """The applicant has no mobile number (a guest, a business member with email only): no code can go."""


@dataclass(frozen=True)
class ReprintCode:
    application: str | None  # public id; None for an unknown reference (a decoy)
    nonce: str
    digest: str


def reprint_target(reference: str):
    """The submitted application with this (normalised) reference, or None."""
    from portal.data import applications as application_data

    found = application_data.get_by_reference(reference)
    return found if found is not None and found.submitted_at is not None else None


def applicant_phone(application) -> str | None:
    from portal.data import people

    person = people.get_by_id(application.applicant_person_id)
    if person is None or person.is_guest or not person.is_active:
        return None
    return person.phone


def send_reprint_code(operator: CentreOperator, application, secret_key: str) -> ReprintCode:
    """A code to the applicant's phone, in their language; `application` None makes a decoy and sends nothing.
    The caller keeps the result in the session and commits."""
    from portal.data import people

    nonce = secrets.token_urlsafe(16)
    if application is None:
        return ReprintCode(None, nonce, _reprint_digest(secret_key, nonce, "", secrets.token_urlsafe(16)))
    phone = applicant_phone(application)
    if phone is None:
        raise NoApplicantPhone
    code = f"{secrets.randbelow(1_000_000):06d}"
    locale = people.get_by_id(application.applicant_person_id).locale or "km"
    with force_locale(locale):
        send_sms(phone, reprint_sms(code, application.reference, digits(REPRINT_MINUTES, locale)))
    audit.record(audit.ASSISTED_SESSION, actor=operator.person, actor_role="operator", subject_type="application",
                 subject_id=application.public_id, application=application,
                 details={"change": "reprint_code_sent", "centre": operator.centre.public_id})
    return ReprintCode(application.public_id, nonce, _reprint_digest(secret_key, nonce, application.public_id, code))


def reprint_sms(code: str, reference: str, minutes: str) -> str:
    return _("One Window: to reprint the receipt of %(reference)s at a centre, give code %(code)s to the "
             "operator. %(minutes)s minutes.", code=code, reference=reference, minutes=minutes)


def reprint_code_matches(secret_key: str, held: ReprintCode, code: str) -> bool:
    expected = _reprint_digest(secret_key, held.nonce, held.application or "", code)
    return held.application is not None and hmac.compare_digest(held.digest, expected)


def record_reprint(operator: CentreOperator, kiosk, application) -> None:
    audit.record(audit.RECEIPT_REPRINTED, actor=operator.person, actor_role="operator", subject_type="application",
                 subject_id=application.public_id, application=application,
                 details={"kiosk": kiosk.public_id, "centre": kiosk.centre.public_id})


def _reprint_digest(secret_key: str, nonce: str, application: str, code: str) -> str:
    return bound_digest(secret_key, "receipt-reprint", nonce, application, code)


def end(assisted: AssistedSession, reason: str = "ended") -> None:
    if assisted.ended_at is None:
        assisted.ended_at = utcnow()
        _record(assisted, "ended", reason=reason)


def is_live(assisted: AssistedSession | None) -> bool:
    return assisted is not None and assisted.ended_at is None


def has_consent(assisted: AssistedSession | None) -> bool:
    return is_live(assisted) and assisted.consent_recorded_at is not None


def check_may_file(application) -> None:
    """Called by the submission itself: an application started in an assisted session is filed only if
    the citizen's consent was recorded in that session. (After the session ended, only the citizen can
    reach the draft, on their own account, and may submit it; the operator gets a 404.)"""
    if application.assisted_session_id is None:
        return
    assisted = application.assisted_session
    if assisted is None or assisted.consent_recorded_at is None:
        raise NoConsent


def record_filing(application) -> None:
    assisted = application.assisted_session
    if assisted is not None:
        audit.record(audit.ASSISTED_FILING, actor=assisted.operator.person, actor_role="operator",
                     subject_type="application", subject_id=application.public_id, application=application,
                     details={"assisted_session": assisted.public_id, "kiosk": assisted.kiosk.public_id,
                              "centre": assisted.kiosk.centre.public_id})


@dataclass(frozen=True)
class HelpedBy:
    """What the applicant, clerks and the audit page are shown: who helped, at which kiosk and centre."""

    operator: str
    kiosk: str
    centre_km: str
    centre_en: str


def helped_by(application) -> HelpedBy | None:
    assisted = application.assisted_session if application is not None else None
    if assisted is None:
        return None
    centre = assisted.kiosk.centre
    return HelpedBy(assisted.operator.person.display_name, assisted.kiosk.name, centre.name_km, centre.name_en)


def helped_by_session(public_id: str | None) -> HelpedBy | None:
    assisted = assisted_data.session_by_public_id(public_id) if public_id else None
    if assisted is None:
        return None
    centre = assisted.kiosk.centre
    return HelpedBy(assisted.operator.person.display_name, assisted.kiosk.name, centre.name_km, centre.name_en)


def _digest(secret_key: str, assisted: AssistedSession, code: str) -> str:
    # Bound to this session: a code sent for another session does not work here.
    return bound_digest(secret_key, "assisted-consent", assisted.public_id, code)


def _record(assisted: AssistedSession, change: str, **details) -> None:
    audit.record(audit.ASSISTED_SESSION, actor=assisted.operator.person, actor_role="operator",
                 subject_type="assisted_session", subject_id=assisted.public_id,
                 details={"change": change, "kiosk": assisted.kiosk.public_id, "citizen": assisted.citizen.public_id,
                          **details})
