"""QR codes as data URIs (the CSP allows `img-src data:`), for setting up an authenticator app."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import segno

from portal.domain.identity import totp


def svg_data_uri(text: str) -> str:
    qr = segno.make(text, error="m")
    buffer = io.BytesIO()
    # A white quiet zone drawn in the image itself, so that it scans on a dark page too.
    qr.save(buffer, kind="svg", scale=5, border=4, xmldecl=False, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@dataclass(frozen=True)
class AuthenticatorSetup:
    """What a set-up page shows the person (and only them): the QR code, and the secret to type instead."""

    qr_code: str
    secret_groups: str


def authenticator_setup(secret: str, account_name: str) -> AuthenticatorSetup:
    groups = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return AuthenticatorSetup(svg_data_uri(totp.otpauth_uri(secret, account_name)), groups)
