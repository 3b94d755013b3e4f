"""The signed payload behind an issued document's QR code (Ed25519).

Layout, before base64url (no padding), 123 bytes in all:
  version (1) | document id (16) | SHA-256 of the PDF (32) | issued (2) | expires (2) |
  key id length (1) + key id (1-8, ASCII) | signature (64) over everything before it.
Dates are days since 1970-01-01; expires 0 means "no expiry". Compact so the QR code stays
small enough to scan from a phone held over a printed page.
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass
from datetime import date, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = 1
EPOCH = date(1970, 1, 1)
_HEAD = struct.Struct(">B16s32sHH")
SIGNATURE_LENGTH = 64


class InvalidToken(ValueError):
    """The token is malformed, signed by an unknown key, or its signature does not match."""


@dataclass(frozen=True)
class Payload:
    document_id: bytes  # 16 bytes
    sha256: bytes  # 32 bytes
    issued: date
    expires: date | None
    key_id: str

    def is_expired(self, today: date) -> bool:
        return self.expires is not None and today > self.expires


def _days(value: date | None) -> int:
    return 0 if value is None else (value - EPOCH).days


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    """The bytes of a token written exactly as `_b64encode` writes them, and only then.

    Python's decoder is lenient: it takes `=` padding, skips characters outside the alphabet, and
    ignores the unused low bits of the last character, so many strings decode to the same bytes. Each
    document must have exactly one valid URL (a QR code, a link, a cache key or a log line must not have
    look-alikes), so anything that does not encode back to itself is refused."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise InvalidToken("not base64url") from None
    if _b64encode(raw) != text:
        raise InvalidToken("not the canonical base64url encoding")
    return raw


def sign(payload: Payload, private_key: Ed25519PrivateKey) -> str:
    key_id = payload.key_id.encode("ascii")
    if not 1 <= len(key_id) <= 8 or len(payload.document_id) != 16 or len(payload.sha256) != 32:
        raise ValueError("payload fields have the wrong size")
    body = _HEAD.pack(VERSION, payload.document_id, payload.sha256, _days(payload.issued), _days(payload.expires))
    body += bytes([len(key_id)]) + key_id
    return _b64encode(body + private_key.sign(body))


def verify(token: str, public_keys: dict[str, Ed25519PublicKey]) -> Payload:
    """The payload of a genuine token; InvalidToken for anything else."""
    if not token or len(token) > 400:
        raise InvalidToken("wrong length")
    raw = _b64decode(token)
    if len(raw) < _HEAD.size + 2 + SIGNATURE_LENGTH:
        raise InvalidToken("too short")
    body, signature = raw[:-SIGNATURE_LENGTH], raw[-SIGNATURE_LENGTH:]
    version, document_id, sha256, issued, expires = _HEAD.unpack_from(body)
    key_length = body[_HEAD.size]
    key_id_bytes = body[_HEAD.size + 1:]
    if version != VERSION or len(key_id_bytes) != key_length:
        raise InvalidToken("unknown layout")
    try:
        key_id = key_id_bytes.decode("ascii")
    except UnicodeDecodeError:
        raise InvalidToken("bad key id") from None
    key = public_keys.get(key_id)
    if key is None:
        raise InvalidToken("unknown key")
    try:
        key.verify(signature, body)
    except InvalidSignature:
        raise InvalidToken("signature does not match") from None
    return Payload(
        document_id=document_id,
        sha256=sha256,
        issued=EPOCH + timedelta(days=issued),
        expires=None if expires == 0 else EPOCH + timedelta(days=expires),
        key_id=key_id,
    )
