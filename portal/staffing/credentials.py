"""Initial passwords and TOTP secrets for accounts an administrator creates."""

from __future__ import annotations

import secrets

import pyotp

ISSUER = "One Window"
# No look-alike characters (0/o, 1/l/i): the password is read off a screen and typed by hand.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_password() -> str:
    """Four groups of four, about 79 bits: strong, and easy to read out and type once."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))


def new_totp_secret() -> str:
    return pyotp.random_base32()


def otpauth_uri(secret: str, account_name: str) -> str:
    """The link an authenticator app reads (from a QR code) to set up the account."""
    return pyotp.TOTP(secret).provisioning_uri(name=account_name, issuer_name=ISSUER)
