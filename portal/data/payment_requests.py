"""Rows of KHQR payment requests. The rules are `portal.payments.khqr_requests`'. Callers commit."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from portal.data.db import db, utcnow
from portal.data.models import PaymentRequest
from portal.data.payments import lock_case

OPEN, PAID, EXPIRED, SUPERSEDED = "open", "paid", "expired", "superseded"


def open_for(application_id: int, currency: str) -> PaymentRequest | None:
    return db.session.scalar(select(PaymentRequest).where(
        PaymentRequest.application_id == application_id, PaymentRequest.currency == currency,
        PaymentRequest.state == OPEN))


def for_application(application_id: int) -> list[PaymentRequest]:
    return list(db.session.scalars(select(PaymentRequest).where(PaymentRequest.application_id == application_id)
                                   .order_by(PaymentRequest.created_at, PaymentRequest.id)))


def get_for_application(public_id: str, application_id: int) -> PaymentRequest | None:
    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(select(PaymentRequest).where(PaymentRequest.public_id == public_id,
                                                          PaymentRequest.application_id == application_id))


def by_md5(md5: str) -> PaymentRequest | None:
    if not md5 or len(md5) != 32:
        return None
    return db.session.scalar(select(PaymentRequest).where(PaymentRequest.md5 == md5.lower()))


def lock(request_id: int) -> PaymentRequest | None:
    """The request, locked until commit: a callback and a poll confirming it at once are counted once.
    Its application's row is locked first (`payments.lock_case`), the order every payment change takes
    (asking for a new code locks the case, then closes the open request): the other order could deadlock
    a confirmation with a person asking for a new code at the same moment."""
    application_id = db.session.scalar(select(PaymentRequest.application_id).where(PaymentRequest.id == request_id))
    if application_id is None:
        return None
    lock_case(application_id)
    return db.session.scalar(select(PaymentRequest).where(PaymentRequest.id == request_id).with_for_update()
                             .execution_options(populate_existing=True))


def add(application_id: int, *, currency: str, amount_minor: int, bill_number: str, khqr: str, md5: str,
        created_at: datetime, expires_at: datetime) -> PaymentRequest:
    request = PaymentRequest(application_id=application_id, currency=currency, amount_minor=amount_minor,
                             bill_number=bill_number, khqr=khqr, md5=md5, state=OPEN, created_at=created_at,
                             expires_at=expires_at, polls=0)
    db.session.add(request)
    db.session.flush()
    return request


def close(request: PaymentRequest, state: str, payment_id: int | None = None) -> None:
    request.state = state
    request.closed_at = utcnow()
    if payment_id is not None:
        request.payment_id = payment_id
    db.session.flush()


def open_ids(limit: int = 500) -> list[int]:
    """Open requests, the least recently polled first (what the status poll asks about)."""
    return list(db.session.scalars(select(PaymentRequest.id).where(PaymentRequest.state == OPEN)
                                   .order_by(PaymentRequest.polled_at.is_not(None), PaymentRequest.polled_at,
                                             PaymentRequest.id).limit(limit)))


def still_payable(now: datetime, grace: timedelta):
    """Requests a bank app may still have paid: open ones, and those closed early (a new code asked for near
    the expiry, or the amount due changed: expired, superseded) until `grace` after their code's expiry."""
    return or_(PaymentRequest.state == OPEN,
               and_(PaymentRequest.state.in_((EXPIRED, SUPERSEDED)), PaymentRequest.expires_at > now - grace))


def due_for_poll(asked_before: datetime, now: datetime, grace: timedelta,
                 limit: int = 500) -> list[tuple[int, int]]:
    """(id, polls) of still payable requests never asked about, or last asked before `asked_before`, the least
    recently asked first."""
    return list(db.session.execute(select(PaymentRequest.id, PaymentRequest.polls).where(
        still_payable(now, grace),
        or_(PaymentRequest.polled_at.is_(None), PaymentRequest.polled_at <= asked_before))
        .order_by(PaymentRequest.polled_at.is_not(None), PaymentRequest.polled_at, PaymentRequest.id).limit(limit)))


def mark_polled(request_id: int) -> None:
    db.session.execute(update(PaymentRequest).where(PaymentRequest.id == request_id)
                       .values(polled_at=utcnow(), polls=PaymentRequest.polls + 1))
