"""The second step for staff and administrators: a 6-digit TOTP code (RFC 6238).

One step of clock drift either way is accepted (`valid_window=1`). A code that was accepted
once is refused the second time (ASVS 2.8.4), which Redis remembers for as long as the code
could still be valid.
"""

from __future__ import annotations

import re
import time

import pyotp
import redis

from portal.i18n.formatting import to_latin_digits

CODE_LENGTH = 6
_CODE = re.compile(r"[0-9]{6}")
_SPACES = re.compile(r"[\s\-]")
USED_CODE_TTL = 3 * 30  # the window of steps -1, 0, +1


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


def check_code(client: redis.Redis, person_public_id: str, secret: str, code: str,
               now: float | None = None) -> bool:
    """True if `code` is right now and was not used before. Redis errors propagate (fail closed)."""
    step = _matching_step(secret, code, time.time() if now is None else now)
    if step is None:
        return False
    first_use = client.set(f"totp-used:{person_public_id}:{step}", 1, nx=True, ex=USED_CODE_TTL)
    return bool(first_use)
