"""Rows of what payment providers told us (`PaymentCallback`): signed callbacks and status polls, accepted
or refused with a reason. The rules are `portal.payments.callbacks`' and `portal.payments.polling`'.
Callers commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.data.db import db
from portal.data.models import PaymentCallback

CALLBACK, POLL = "callback", "poll"


def add(*, source: str, outcome: str, reason: str | None = None, nonce: str | None = None,
        sent_at: datetime | None = None, body_sha256: str | None = None) -> PaymentCallback:
    row = PaymentCallback(source=source, outcome=outcome, reason=reason, nonce=nonce, sent_at=sent_at,
                          body_sha256=body_sha256)
    db.session.add(row)
    db.session.flush()
    return row


def claim_nonce(nonce: str, **fields) -> PaymentCallback | None:
    """The callback's row holding `nonce`, or None when another callback already used it (a replay). In a
    savepoint: the unique key decides, so two identical callbacks at the same instant are one and a replay
    (PostgreSQL makes the second wait for the first's commit, then refuses it)."""
    try:
        with db.session.begin_nested():
            return add(nonce=nonce, **fields)
    except IntegrityError:
        return None


def refused_before(request_id: int, provider_reference: str, source: str) -> bool:
    """Whether `source` already told us about this transaction for this request and it was refused."""
    return db.session.scalar(select(PaymentCallback.id).where(
        PaymentCallback.request_id == request_id, PaymentCallback.provider_reference == provider_reference,
        PaymentCallback.source == source, PaymentCallback.outcome == "refused").limit(1)) is not None


def for_request(request_id: int) -> list[PaymentCallback]:
    return list(db.session.scalars(select(PaymentCallback).where(PaymentCallback.request_id == request_id)
                                   .order_by(PaymentCallback.id)))
