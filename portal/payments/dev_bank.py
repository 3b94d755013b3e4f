"""The test bank: a made-up bank inside the portal, for development and tests only (never production:
`KhqrSettings.development_gateway`), so the whole KHQR flow works under `make run` (docs/payments-khqr.md).

It does what a bank app and Bakong do, no more: reads a KHQR string, "pays" it (a transaction in its own
store, Redis keys under `dev-khqr-bank:`, one per string: a dynamic KHQR is paid once), tells the portal
by a signed callback over HTTP (a job, through the outbox, as a provider would from outside), and answers
the status poll from its store in Bakong's shape (`portal.web.dev_bank`). It never touches the portal's
payment rows itself: what the portal records, it records from the callback or the poll, as in production."""

from __future__ import annotations

import json
import logging
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from portal.domain import links
from portal.extensions import redis_connection
from portal.jobs import names
from portal.jobs.outbox import schedule
from portal.jobs.queues import DEFAULT
from portal.jobs.registry import job
from portal.payments import callbacks, khqr, money

log = logging.getLogger(__name__)
KEY_PREFIX = "dev-khqr-bank:"
KEPT_FOR = 7 * 24 * 3600  # seconds: long enough for every poll of a request
PAYER_ACCOUNT = "tester@devb"
CALLBACK_PATH = "/payments/khqr/callback"
TIMEOUT = 10


class AlreadyPaid(Exception):
    """This KHQR string was paid before: a dynamic KHQR is paid once."""


class Expired(Exception):
    """The KHQR string's expiry has passed: bank apps refuse it."""


@dataclass(frozen=True)
class Transaction:
    md5: str
    hash: str
    from_account: str
    to_account: str
    currency: str
    amount_minor: int
    created_ms: int
    bill_number: str | None

    def bakong_data(self) -> dict:
        """The transaction as Bakong's check_transaction_by_md5 gives it (`data`), the amount a JSON number."""
        major = money.to_major(self.amount_minor, self.currency)
        return {"hash": self.hash, "fromAccountId": self.from_account, "toAccountId": self.to_account,
                "currency": self.currency, "amount": int(major) if major == major.to_integral_value()
                else float(major), "description": None, "createdDateMs": self.created_ms,
                "acknowledgedDateMs": self.created_ms, "externalRef": self.bill_number}


def enabled() -> bool:
    settings = current_app.config["PORTAL_SETTINGS"]
    return settings.khqr is not None and settings.khqr.development_gateway and not settings.production


def read(string: str) -> khqr.Khqr:
    """The KHQR string as a bank app reads it; raises khqr.KhqrError when it is not one."""
    return khqr.decode(string.strip())


def transaction(md5: str) -> Transaction | None:
    stored = redis_connection.client.get(KEY_PREFIX + md5.lower())
    return Transaction(**json.loads(stored)) if stored else None


def pay(string: str, now: datetime) -> Transaction:
    """Pay the string: the transaction is stored, and the callback job scheduled in the caller's
    transaction (the caller commits; a callback lost with it is made up by the poll, which reads the store)."""
    decoded = read(string)
    if decoded.expired(now):
        raise Expired
    paid = Transaction(md5=khqr.md5(string.strip()), hash=secrets.token_hex(32), from_account=PAYER_ACCOUNT,
                       to_account=decoded.payee.bakong_account_id, currency=decoded.currency,
                       amount_minor=decoded.amount, created_ms=khqr.milliseconds(now),
                       bill_number=decoded.bill_number)
    if not redis_connection.client.set(KEY_PREFIX + paid.md5, json.dumps(paid.__dict__), nx=True, ex=KEPT_FOR):
        raise AlreadyPaid
    schedule(deliver_callback, paid.md5)
    return paid


def signed_callback(paid: Transaction, secret: bytes, now_seconds: int) -> tuple[dict[str, str], bytes]:
    """The headers and body of the callback telling the portal about `paid` (the documented protocol)."""
    body = json.dumps({"md5": paid.md5, "hash": paid.hash,
                       "amount": str(money.to_major(paid.amount_minor, paid.currency)),
                       "currency": paid.currency, "paid_at_ms": paid.created_ms}).encode()
    timestamp, nonce = str(now_seconds), secrets.token_urlsafe(24)
    return {"Content-Type": "application/json", callbacks.TIMESTAMP: timestamp, callbacks.NONCE: nonce,
            callbacks.SIGNATURE: callbacks.signature(secret, timestamp, nonce, body)}, body


@job(DEFAULT, timeout=60, retry_intervals=(5, 30, 120), name=names.DELIVER_DEV_BANK_CALLBACK)
def deliver_callback(md5: str) -> int | None:
    """POST the signed callback to the portal, as a provider would (each attempt signed afresh); returns
    the portal's answer. A refusal (4xx) is final; no answer or a 5xx raises, so RQ tries again."""
    paid = transaction(md5) if enabled() else None
    if paid is None:
        return None
    headers, body = signed_callback(paid, current_app.config["PORTAL_SETTINGS"].khqr.callback_secret,
                                    int(time.time()))
    sent = urllib.request.Request(  # noqa: S310 - the portal's own http(s) address
        links.base_url() + CALLBACK_PATH, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(sent, timeout=TIMEOUT) as response:  # noqa: S310 - the portal's own address
            return response.status
    except urllib.error.HTTPError as error:
        if error.code >= 500:
            raise
        log.warning("test bank: the portal refused the callback for %s (%s)", md5, error.code)
        return error.code
