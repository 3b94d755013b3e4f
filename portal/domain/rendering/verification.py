"""Checking an issued document from the token in its QR code, and a file against it: the one verdict that the
public page (/verify) and partner systems (the API's verifications) both give."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from portal.data import documents as document_data
from portal.domain import clock
from portal.domain.rendering import signing
from portal.domain.rendering.documents import get_keyring
from portal.domain.rendering.issuing import matches

MAX_CHECK_BYTES = 20 * 1024 * 1024
STATES = ("valid", "expired", "revoked", "superseded", "invalid")
FILE_RESULTS = ("identical", "changed_after_issue", "different")


@dataclass(frozen=True)
class Verdict:
    state: str  # one of STATES
    token: str
    payload: signing.Payload | None = None
    document: object | None = None

    @property
    def is_valid(self) -> bool:
        return self.state == "valid"


def judge(token: str) -> Verdict:
    try:
        payload = signing.verify(token, get_keyring().public_keys())
    except signing.InvalidToken:
        return Verdict("invalid", token)
    document = document_data.get_by_verification_id(payload.document_id.hex())
    if document is None:
        return Verdict("invalid", token, payload)
    if document.status == "revoked":
        return Verdict("revoked", token, payload, document)
    if document.status == "superseded":
        return Verdict("superseded", token, payload, document)
    if payload.is_expired(clock.today()):
        return Verdict("expired", token, payload, document)
    return Verdict("valid", token, payload, document)


def compare_file(verdict: Verdict, data: bytes) -> str:
    """Whether `data` (a PDF someone was given) is the document the signed token names: one of FILE_RESULTS.
    Only for a verdict with a signed payload."""
    if verdict.document is not None and hashlib.sha256(data).hexdigest() == verdict.document.sha256:
        return "identical"
    if matches(data, verdict.payload.sha256):
        return "changed_after_issue"
    return "different"
