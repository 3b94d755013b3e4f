"""A payment provider's signed callback: "this KHQR request was paid" (docs/payments-khqr.md, the protocol).

    X-KHQR-Timestamp: unix seconds          X-KHQR-Nonce: 16 to 100 of [A-Za-z0-9_-]
    X-KHQR-Signature: v1=<hex HMAC-SHA256(callback secret, "<timestamp>.<nonce>." + raw body)>
    {"md5": ..., "hash": ..., "amount": "320000", "currency": "KHR", "paid_at_ms": 1765011600000}

Checked in this order, each refusal changing nothing but its `payment_callbacks` row and an audit entry:
the signature (forged), the timestamp (late), the nonce (replayed; stored only once the signature is
good, so a forger cannot burn nonces), the body (malformed), the request (unknown_request), then
`khqr_requests.confirm` (wrong_amount, wrong_currency, expired_request, reference_used). Only a SHA-256 of
the body is kept. `record_confirmation` is shared with the status poll (`portal.payments.polling`).
The caller commits."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from portal.config import KhqrSettings
from portal.data import payment_callbacks as callback_data
from portal.data import payment_requests as request_data
from portal.data.db import db
from portal.data.models import Application
from portal.domain import audit
from portal.domain.applications.versions import definition_for
from portal.payments import khqr_requests, money

BODY_LIMIT = 8 * 1024  # a callback is a few hundred bytes
AHEAD_AT_MOST = 60  # seconds a provider's clock may run ahead of ours
TIMESTAMP, NONCE, SIGNATURE = "X-KHQR-Timestamp", "X-KHQR-Nonce", "X-KHQR-Signature"
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,100}")
_TIMESTAMP = re.compile(r"\d{1,12}")
_MD5 = re.compile(r"[0-9a-fA-F]{32}")
_AMOUNT = re.compile(r"\d{1,13}(\.\d{1,6})?")
# Bakong's transaction hashes are hex; other providers' ids are at least printable and short.
REFERENCE = re.compile(r"[\x21-\x7e]{1,100}")

FORGED, LATE, REPLAYED, MALFORMED, UNKNOWN_REQUEST, WRONG_ACCOUNT = (
    "forged", "late", "replayed", "malformed", "unknown_request", "wrong_account")
TOO_LARGE = MALFORMED  # a body over BODY_LIMIT is refused unread, as malformed

# The HTTP status the provider gets for each outcome (it retries on 5xx only).
STATUS = {khqr_requests.ACCEPTED: 200, khqr_requests.DUPLICATE: 200, FORGED: 401, LATE: 401, REPLAYED: 409,
          MALFORMED: 400, UNKNOWN_REQUEST: 422}
REFUSED_BY_CONFIRM = 422


@dataclass(frozen=True)
class Received:
    outcome: str  # accepted, duplicate, refused
    reason: str | None = None

    @property
    def status(self) -> int:
        return STATUS.get(self.reason or self.outcome, REFUSED_BY_CONFIRM)


def signature(secret: bytes, timestamp: str, nonce: str, body: bytes) -> str:
    """The X-KHQR-Signature value a provider sends (and the test bank signs with)."""
    digest = hmac.new(secret, f"{timestamp}.{nonce}.".encode() + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def _signed(secret: bytes, timestamp: str, nonce: str, body: bytes, header: str) -> bool:
    expected = signature(secret, timestamp, nonce, body)
    # Several values, comma-separated, let a provider sign with an old and a new secret while they change.
    return any(hmac.compare_digest(expected.encode(), part.strip().encode()) for part in header.split(","))


def is_signed(headers: Mapping[str, str], body: bytes, settings: KhqrSettings) -> bool:
    """The callback carries a well-formed timestamp and nonce and a good signature over them and `body`."""
    timestamp, nonce = headers.get(TIMESTAMP, ""), headers.get(NONCE, "")
    return bool(_TIMESTAMP.fullmatch(timestamp) and _NONCE.fullmatch(nonce)
                and _signed(settings.callback_secret, timestamp, nonce, body, headers.get(SIGNATURE, "")))


def receive(headers: Mapping[str, str], body: bytes | None, *, settings: KhqrSettings, now: datetime) -> Received:
    """Check and act on one callback (`body` None: it was larger than BODY_LIMIT)."""
    digest = hashlib.sha256(body).hexdigest() if body is not None else None
    timestamp, nonce = headers.get(TIMESTAMP, ""), headers.get(NONCE, "")
    if body is None:
        return refuse(MALFORMED, body_sha256=None)
    if not is_signed(headers, body, settings):
        return refuse(FORGED, body_sha256=digest)
    sent_at = datetime.fromtimestamp(int(timestamp), UTC) if int(timestamp) < 10**11 else None
    age = now.timestamp() - int(timestamp)
    if sent_at is None or age > settings.callback_max_age or age < -AHEAD_AT_MOST:
        return refuse(LATE, body_sha256=digest)
    row = callback_data.claim_nonce(nonce, source=callback_data.CALLBACK, outcome=khqr_requests.REFUSED,
                                    sent_at=_naive(sent_at), body_sha256=digest)
    if row is None:
        return refuse(REPLAYED, sent_at=_naive(sent_at), body_sha256=digest)
    told = _parse(body)
    if told is None:
        return refuse(MALFORMED, row=row)
    md5, reference, amount, currency, paid_at = told
    row.provider_reference, row.currency = reference, currency
    found = request_data.by_md5(md5)
    if found is None:
        return refuse(UNKNOWN_REQUEST, row=row)
    return record_confirmation(row, found.id, amount_text=amount, currency=currency, provider_reference=reference,
                               paid_at=paid_at)


def record_confirmation(row, request_id: int, *, amount_text: str, currency: str, provider_reference: str,
                        paid_at: datetime) -> Received:
    """What a provider said about one request, callback or poll: confirmed (`khqr_requests.confirm`) or
    refused, written on `row` (its `payment_callbacks` row), a refusal audited."""
    request = request_data.lock(request_id)
    row.request_id, row.provider_reference, row.currency = request.id, provider_reference, currency
    if currency not in money.CURRENCIES:
        return refuse(khqr_requests.WRONG_CURRENCY, row=row, request=request)
    try:
        amount_minor = money.to_minor(Decimal(amount_text), currency)
    except (InvalidOperation, ValueError):
        amount_minor = None  # a fraction of a riel or cent: no request asks for that
    if amount_minor is None or amount_minor <= 0:
        return refuse(khqr_requests.WRONG_AMOUNT, row=row, request=request)
    row.amount_minor = amount_minor
    application = db.session.get(Application, request.application_id)
    confirmed = khqr_requests.confirm(definition_for(application), application, request, amount_minor=amount_minor,
                                      currency=currency, provider_reference=provider_reference, paid_at=paid_at)
    if confirmed.outcome == khqr_requests.REFUSED:
        return refuse(confirmed.reason, row=row, request=request)
    row.outcome, row.reason, row.payment_id = confirmed.outcome, None, confirmed.payment.id
    db.session.flush()
    return Received(confirmed.outcome)


def _parse(body: bytes) -> tuple[str, str, str, str, datetime] | None:
    """(md5, provider reference, amount text, currency, paid at) from the body, or None if it is not that."""
    try:
        told = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(told, dict):
        return None
    md5, reference, amount = told.get("md5"), told.get("hash"), told.get("amount")
    currency, paid_ms = told.get("currency"), told.get("paid_at_ms")
    if not (isinstance(md5, str) and _MD5.fullmatch(md5) and isinstance(reference, str)
            and REFERENCE.fullmatch(reference) and isinstance(amount, str) and _AMOUNT.fullmatch(amount)
            and isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency)
            and isinstance(paid_ms, int) and not isinstance(paid_ms, bool) and 0 < paid_ms < 10**14):
        return None
    return md5.lower(), reference, amount, currency, datetime.fromtimestamp(paid_ms / 1000, UTC)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def refuse(reason: str, *, row=None, request=None, sent_at: datetime | None = None,
            body_sha256: str | None = None) -> Received:
    """Refused: the row says why (a new one when there is none yet) and the audit log has an entry."""
    if row is None:
        row = callback_data.add(source=callback_data.CALLBACK, outcome=khqr_requests.REFUSED, reason=reason,
                                sent_at=sent_at, body_sha256=body_sha256)
    row.outcome, row.reason = khqr_requests.REFUSED, reason
    db.session.flush()
    details = {"source": row.source, "reason": reason, "callback": row.id}
    if row.provider_reference:
        details["provider_reference"] = row.provider_reference[:100]
    audit.record(audit.PAYMENT_CONFIRMATION_REFUSED, actor_role=khqr_requests.PROVIDER_ROLE,
                 subject_type="payment_request" if request is not None else None,
                 subject_id=request.public_id if request is not None else None,
                 application=request.application_id if request is not None else None, details=details)
    return Received(khqr_requests.REFUSED, reason)
