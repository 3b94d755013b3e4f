"""Applying without an account at a kiosk (issue 14, docs/kiosks.md "Applying without an account").

A service whose definition says `without_account: true` may be applied for at an enrolled kiosk by a
*guest*: a Person with `is_guest`, no email or phone, an unusable password hash (no password ever matches
it, and sign-in finds people by contact, which a guest has none of). The guest applies through the ordinary
applicant functions. When their application is submitted a tracking secret is made (12 characters of an
alphabet without look-alikes, shown grouped as `K7QP-3MXD-9RWT`); only its HMAC under the portal's secret key
is kept (`applications.tracking_digest`), as the consent code's in assisted.py. The reference and the secret
together open the public `/track` page.
"""

from __future__ import annotations

import hmac
import re
import secrets

from portal.data import applications as application_data
from portal.data import people
from portal.domain import audit
from portal.domain.identity.bound_codes import bound_digest
from portal.domain.identity.passwords import UNUSABLE_HASH

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V: what is read off paper and typed on a phone.
ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
SECRET_LENGTH = 12
GROUP = 4
REFERENCE = re.compile(r"^[A-Z0-9-]{1,20}$")  # what a reference can be (reference.py); anything else is not looked up


class NotForGuests(Exception):
    """The service cannot be applied for without an account."""


def allows_guests(service) -> bool:
    """Whether a guest may apply for `service` now (its current definition)."""
    return service is not None and service.without_account and service.takes_applications \
        and "citizen" in service.audience


def guest_services(catalogue) -> list:
    return [s for s in catalogue.live() if allows_guests(s)]


def new_guest(locale: str, kiosk):
    """A guest person (no contact, no usable password); the caller commits and signs them in."""
    person = people.create(password_hash=UNUSABLE_HASH, is_guest=True, locale=locale)
    audit.record(audit.GUEST_STARTED, actor=person, actor_role="guest", subject_type="kiosk",
                 subject_id=kiosk.public_id)
    return person


def issue_tracking_secret(application, secret_key: str) -> str:
    """A new tracking secret for a guest's submitted application; only its HMAC is kept. The caller
    commits and shows the secret (grouped) to the person once, on this kiosk."""
    secret = "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))
    application.tracking_digest = _digest(secret_key, application, secret)
    return grouped(secret)


def grouped(secret: str) -> str:
    return "-".join(secret[i:i + GROUP] for i in range(0, len(secret), GROUP))


def normalise_secret(typed: str) -> str:
    """What the person typed, without spaces or dashes, upper case."""
    return "".join(c for c in (typed or "").upper() if c.isalnum())


def normalise_reference(typed: str) -> str:
    return "".join((typed or "").split()).upper()


def tracked(reference: str, secret: str, secret_key: str):
    """The application with this reference whose tracking secret is `secret`, or None (an unknown
    reference and a wrong secret are the same answer; the HMAC is computed either way)."""
    reference, secret = normalise_reference(reference), normalise_secret(secret)
    application = application_data.get_by_reference(reference) if REFERENCE.match(reference) else None
    stored = application.tracking_digest if application is not None else None
    candidate = _digest(secret_key, application, secret)
    if stored is None or len(secret) != SECRET_LENGTH or not hmac.compare_digest(stored, candidate):
        return None
    return application


def _digest(secret_key: str, application, secret: str) -> str:
    public_id = application.public_id if application is not None else "-"
    return bound_digest(secret_key, "guest-tracking", public_id, secret)
