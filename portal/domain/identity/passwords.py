"""Password hashing (Argon2id) and the password policy (ASVS 2.1).

Length is counted in Unicode code points, so a Khmer passphrase is as welcome as a Latin one.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 128

_hasher = PasswordHasher()
# Verifying against this keeps the time of a sign-in for an unknown account the same as for a known one.
_DUMMY_HASH = _hasher.hash("not a real password, only spends the same time")


def normalise(password: str) -> str:
    # The same Khmer text typed on two keyboards can differ in code point order; NFC makes them equal.
    return unicodedata.normalize("NFC", password)


def hash_password(password: str) -> str:
    return _hasher.hash(normalise(password))


# Stored for an account whose owner has not chosen a password yet (staff waiting to enrol): no password
# matches it, and checking one takes as long as for a real hash.
UNUSABLE_HASH = "!"


def verify_password(stored_hash: str | None, password: str) -> bool:
    usable = stored_hash if stored_hash != UNUSABLE_HASH else None
    try:
        return _hasher.verify(usable or _DUMMY_HASH, normalise(password)) and usable is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


@cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords of public breach corpora.
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    lowered = normalise(password).casefold()
    return lowered in _common_passwords() or len(set(lowered)) <= 2
