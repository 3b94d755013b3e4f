"""The second step for staff and administrators: a 6-digit TOTP code (RFC 6238).

One step of clock drift either way is accepted (`valid_window=1`). A code that was accepted
once is refused the second time (ASVS 2.8.4): the database remembers the time steps used
(`portal.data.totp_steps`), so staff can sign in while Redis is away.

Secrets are kept sealed with a data key (`portal.domain.keys.data_keys`), bound to the person's
public id; `secret_of` opens them. Secrets from before migration 0013 may still be in plain text
until `flask data-keys reseal` has run: they are read as they are, with a warning in the log.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from dataclasses import dataclass

import pyotp

from portal.data import people, totp_steps
from portal.domain.i18n.formatting import to_latin_digits
from portal.domain.keys.data_keys import current_ring, key_id_of

log = logging.getLogger(__name__)
ISSUER = "One Window"

CODE_LENGTH = 6
_CODE = re.compile(r"[0-9]{6}")
_SPACES = re.compile(r"[\s\-]")


def normalise_code(text: str | None) -> str | None:
    """`១២៣ ៤៥៦` and `123 456` both become `123456`; anything else is None."""
    code = _SPACES.sub("", to_latin_digits(text or ""))
    return code if _CODE.fullmatch(code) else None


def _matching_step(secret: str, code: str, now: float) -> int | None:
    totp = pyotp.TOTP(secret)
    if not totp.verify(code, for_time=now, valid_window=1):
        return None
    current = totp.timecode(now)
    return next(step for step in (current - 1, current, current + 1)
                if pyotp.utils.strings_equal(code, totp.generate_otp(step)))


def check_code(person, secret: str, code: str, now: float | None = None) -> bool:
    """True if `code` is right now and was not used before; its step is then used (the caller commits)."""
    step = _matching_step(secret, code, time.time() if now is None else now)
    return step is not None and totp_steps.use(person, step)


def matches(secret: str, code: str, now: float | None = None) -> bool:
    """True if `code` is right now for `secret`; marks nothing used."""
    return _matching_step(secret, code, time.time() if now is None else now) is not None


def confirm_new_secret(person, secret: str, code: str, now: float | None = None) -> bool:
    """True if `code` is right now for a secret being set up. Its time step is then marked used, so the
    code typed to set the app up cannot be replayed to sign in. (Not `check_code`: when an app is
    replaced, the current app's code of the same step was just marked used, and this one must pass.)"""
    step = _matching_step(secret, code, time.time() if now is None else now)
    if step is None:
        return False
    totp_steps.use(person, step)
    return True


def new_secret() -> str:
    return pyotp.random_base32()


def otpauth_uri(secret: str, account_name: str) -> str:
    """The link an authenticator app reads (from a QR code) to set up the account."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)


def _context(person) -> str:
    return f"totp:{person.public_id}"


def seal(person, secret: str) -> str:
    """The secret as the database keeps it, for this person only."""
    return current_ring().seal(secret, _context(person))


def new_sealed(person) -> str:
    """A new random secret, sealed for the person: what a set-up page keeps in the session until the
    person has confirmed it with a code (so the clear secret is never stored anywhere)."""
    return seal(person, new_secret())


def open_sealed(person, sealed: str) -> str:
    return current_ring().open(sealed, _context(person))


def store(person, secret: str) -> None:
    """Give the person this secret (sealed); the caller commits. The person must have been flushed."""
    people.set_totp_secret(person, seal(person, secret))


def secret_of(person) -> str | None:
    """The person's secret in clear, or None if they have none. `DataKeyError` if it cannot be opened
    (a key missing from DATA_KEYS_PATH): an operator must act, nobody can sign in with it meanwhile."""
    if person.totp_secret_sealed:
        return open_sealed(person, person.totp_secret_sealed)
    if person.totp_secret_plain:
        log.warning("a TOTP secret is still kept in plain text; run `flask data-keys reseal`")
        return person.totp_secret_plain
    return None


def check_person_code(person, code: str) -> bool:
    """`check_code` against the person's own secret; False if they have none."""
    secret = secret_of(person)
    return secret is not None and check_code(person, secret, code)


PLAIN = "plain text"


def secrets_by_key() -> Counter:
    """How many TOTP secrets each data key seals (and how many are still in plain text, under PLAIN)."""
    return Counter(key_id_of(sealed) if sealed else PLAIN for sealed, _plain in people.stored_totp_secrets())


@dataclass(frozen=True)
class Resealed:
    from_plain: int
    from_older_keys: int
    already: int


def reseal_all() -> Resealed:
    """Seal every TOTP secret with the active data key: those still in plain text from before
    migration 0013, and those sealed with an older key (after `flask data-keys generate`). Safe to run
    again, and while the portal runs: the rows are locked until the caller commits, so a secret
    changed meanwhile is not overwritten with the old one. The caller commits."""
    active = current_ring().active_id()
    counts = Counter()
    for person in people.with_totp_secrets_for_update():
        if person.totp_secret_sealed and not person.totp_secret_plain \
                and key_id_of(person.totp_secret_sealed) == active:
            counts["already"] += 1
            continue
        if person.totp_secret_sealed:
            counts["from_older_keys"] += 1
            secret = open_sealed(person, person.totp_secret_sealed)
        else:
            counts["from_plain"] += 1
            secret = person.totp_secret_plain
        people.set_totp_secret(person, seal(person, secret))
    return Resealed(counts["from_plain"], counts["from_older_keys"], counts["already"])
