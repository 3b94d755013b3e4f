"""Asking the provider about requests still open, in case a callback never came (docs/payments-khqr.md).

A periodic job (`schedule_polls`, every `KHQR_POLL_INTERVAL` seconds) schedules, through the outbox, one
`poll_request` job per open request not asked about for that long; its job id names the request, how many
times it was asked and the round, so several workers' cron threads schedule it once, and none is scheduled
while the request's last poll job has not finished (no pile-up behind a slow worker).

The job asks the status endpoint in Bakong's shape (`POST {status_url}/v1/check_transaction_by_md5`,
bearer token, `{"md5": ...}`). A transaction found is confirmed like a callback
(`callbacks.record_confirmation`, a `payment_callbacks` row of source `poll`); a request past its expiry
that was not paid is closed as expired after that last look. A provider that is down or answers nonsense
changes nothing: the job fails, RQ retries, and the next round asks again."""

from __future__ import annotations

import json
import logging
import urllib.request
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy.exc import IntegrityError

from portal.data import outbox as outbox_data
from portal.data import payment_callbacks as callback_data
from portal.data import payment_requests as request_data
from portal.data.db import db, utcnow
from portal.data.models import PaymentRequest
from portal.domain import links
from portal.jobs import names
from portal.jobs.outbox import schedule
from portal.jobs.queues import DEFAULT
from portal.jobs.registry import job
from portal.payments import callbacks, khqr_requests

log = logging.getLogger(__name__)
TIMEOUT = 10  # seconds; a slow provider is asked again next round
FOUND, NOT_FOUND = 0, 1  # Bakong's responseCode
# A code closed early (superseded, or a new one asked for near its expiry) may still be paid by a bank app
# until its own expiry; the provider may settle a little later. Polled until this long after that expiry.
STILL_PAID_FOR = timedelta(minutes=10)
DEVELOPMENT_GATEWAY_PATH = "/dev/khqr-bank"  # the test bank's status endpoint (portal.web.dev_bank)


class ProviderUnavailable(Exception):
    """The status endpoint did not answer, or not in its documented shape: try again later."""


def _settings():
    return current_app.config["PORTAL_SETTINGS"].khqr


def status_url(settings) -> str:
    """Where to ask: the configured endpoint, else (development) the portal's own test bank."""
    return settings.status_url or links.base_url() + DEVELOPMENT_GATEWAY_PATH


@job(DEFAULT, timeout=120, retry_intervals=(), name=names.SCHEDULE_KHQR_POLLS)
def schedule_polls() -> int:
    """The periodic job: one poll job per open request due for one; returns how many were scheduled."""
    settings = _settings()
    if settings is None:
        return 0
    now = utcnow()
    round_number = int(now.replace(tzinfo=UTC).timestamp()) // settings.poll_interval
    scheduled = 0
    for request_id, polls in request_data.due_for_poll(now - timedelta(seconds=settings.poll_interval), now,
                                                       STILL_PAID_FOR):
        prefix = f"khqr-poll-{request_id}-"
        if outbox_data.unfinished_with_prefix(prefix):
            continue  # its last poll has not run yet (a slow worker): one is enough
        try:
            with db.session.begin_nested():  # another worker's cron scheduled the same one this instant
                schedule(poll_request, request_id, job_id=f"{prefix}{polls}-{round_number}")
                db.session.flush()
        except IntegrityError:
            continue
        scheduled += 1
    db.session.commit()
    return scheduled


def _still_payable(request) -> bool:
    """Open, or closed early (expired before its code's own expiry, superseded) while a bank app may still
    have paid the code: a payment whose callback was lost is then found by the poll all the same."""
    if request.state == request_data.OPEN:
        return True
    return (request.state in (request_data.EXPIRED, request_data.SUPERSEDED)
            and request.expires_at > utcnow() - STILL_PAID_FOR)


def check_transaction(settings, md5: str) -> dict | None:
    """Bakong's answer for `md5`: the transaction's `data`, or None when it knows none (not paid yet)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if settings.status_token:
        headers["Authorization"] = f"Bearer {settings.status_token}"
    asked = urllib.request.Request(  # noqa: S310 - KHQR_STATUS_URL is checked to be http(s)
        status_url(settings) + "/v1/check_transaction_by_md5",
        method="POST", data=json.dumps({"md5": md5}).encode(), headers=headers)
    try:
        with urllib.request.urlopen(asked, timeout=TIMEOUT) as response:  # noqa: S310 - an http(s) setting
            answer = json.loads(response.read(64 * 1024))
    except (OSError, ValueError) as error:  # URLError, HTTPError, timeouts are OSErrors
        raise ProviderUnavailable(f"KHQR status endpoint: {error}") from None
    if not isinstance(answer, dict) or answer.get("responseCode") not in (FOUND, NOT_FOUND):
        raise ProviderUnavailable("KHQR status endpoint: an answer without a known responseCode")
    if answer["responseCode"] == NOT_FOUND:
        if answer.get("errorCode") not in (None, NOT_FOUND):
            # Bakong answers its own errors (a token expired: errorCode 6) with responseCode 1 too: that is
            # not "not paid yet", and must not close codes as expired after their last look.
            raise ProviderUnavailable(f"KHQR status endpoint: error {answer.get('errorCode')!r}")
        return None
    data = answer.get("data")
    if not isinstance(data, dict):
        raise ProviderUnavailable("KHQR status endpoint: a transaction without data")
    return data


def _amount_text(value) -> str | None:
    """Bakong gives the amount as a JSON number (major units): read it exactly, never through a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    text = value if isinstance(value, str) else repr(value)
    try:
        Decimal(text)
    except ArithmeticError:
        return None
    return text


@job(DEFAULT, timeout=60, retry_intervals=(10, 30), name=names.POLL_KHQR_REQUEST)
def poll_request(request_id: int) -> str | None:
    """Ask about one request and act on the answer; returns what happened (for the job's result)."""
    settings = _settings()
    request = db.session.get(PaymentRequest, request_id)
    if settings is None or request is None or not _still_payable(request):
        db.session.rollback()
        return None
    md5, expired = request.md5, request.expires_at <= utcnow()
    db.session.rollback()  # no lock held while the provider is asked
    found = check_transaction(settings, md5)
    request = request_data.lock(request_id)
    request_data.mark_polled(request_id)
    outcome = _confirm(settings, request, found) if found is not None else None
    if expired and request.state == request_data.OPEN:
        # Past its expiry and, after this last look, not paid (or paid wrongly: refused above): no more polls.
        request_data.close(request, request_data.EXPIRED)
        outcome = outcome or request_data.EXPIRED
    db.session.commit()
    return outcome


def _confirm(settings, request, found: dict) -> str:
    reference, currency = found.get("hash"), found.get("currency")
    amount, paid_ms = _amount_text(found.get("amount")), found.get("createdDateMs")
    if not (isinstance(reference, str) and callbacks.REFERENCE.fullmatch(reference) and isinstance(currency, str)
            and amount is not None and isinstance(paid_ms, int) and 0 < paid_ms < 10**14):
        raise ProviderUnavailable("KHQR status endpoint: a transaction without hash, currency, amount or time")
    if callback_data.refused_before(request.id, reference, callback_data.POLL):
        return "refused_before"  # each round finds it again: recorded and audited once
    row = callback_data.add(source=callback_data.POLL, outcome=khqr_requests.REFUSED)
    if found.get("toAccountId") != settings.account_id:
        # Money that went to someone else's account is not a payment to us, whatever the MD5 says.
        row.provider_reference, row.currency = reference, currency
        row.request_id = request.id
        return callbacks.refuse(callbacks.WRONG_ACCOUNT, row=row, request=request).reason
    received = callbacks.record_confirmation(
        row, request.id, amount_text=amount, currency=currency, provider_reference=reference,
        paid_at=datetime.fromtimestamp(paid_ms / 1000, UTC))
    return received.reason or received.outcome
