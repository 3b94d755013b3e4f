"""The stored form of a short secret a person types back (an SMS code, a tracking secret): an HMAC under the
portal's secret key, bound to what it was made for, so a code made for one purpose or record fails for
another, and a copy of the table does not let anyone check guesses offline."""

from __future__ import annotations

import hashlib
import hmac


def bound_digest(secret_key: str, purpose: str, *bound_to: str) -> str:
    """HMAC-SHA256 (hex) of "purpose:bound_to...:code" — the last of `bound_to` is the code itself."""
    message = ":".join((purpose, *bound_to))
    return hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()
