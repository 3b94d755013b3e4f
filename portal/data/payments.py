"""Rows of what applications owe (frozen assessments) and what was paid for them (the payments ledger).
The money rules are `portal.payments`'. Callers commit."""

from __future__ import annotations

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from portal.data.db import db, utcnow
from portal.data.inserts import insert_or_get
from portal.data.models import Application, FeeAssessment, Payment, new_public_id

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def lock_case(application_id: int) -> None:
    """Hold the application's row until the transaction ends (PostgreSQL; SQLite writes one at a time anyway):
    two payments recorded at once are then counted one after the other, and the second sees the first when
    it decides whether the case is paid. FOR NO KEY UPDATE: rows that merely refer to the application (a worker
    storing a payment receipt for it) are not held up, so a reversal waiting for that worker cannot deadlock
    with it."""
    db.session.execute(select(Application.id).where(Application.id == application_id)
                       .with_for_update(key_share=True))


def latest_assessment(application_id: int) -> FeeAssessment | None:
    return db.session.scalar(select(FeeAssessment).where(FeeAssessment.application_id == application_id)
                             .order_by(FeeAssessment.number.desc()).limit(1))


def assessments(application_id: int) -> list[FeeAssessment]:
    return list(db.session.scalars(select(FeeAssessment).where(FeeAssessment.application_id == application_id)
                                   .order_by(FeeAssessment.number)))


def add_assessment(application_id: int, number: int, reason: str, totals: dict, lines: list) -> FeeAssessment | None:
    """The assessment numbered `number`; None when a concurrent request wrote that number first."""
    row, inserted = insert_or_get(FeeAssessment, {"application_id": application_id, "number": number},
                                  reason=reason, totals=totals, lines=lines, assessed_at=utcnow())
    return row if inserted else None


def for_application(application_id: int) -> list[Payment]:
    return list(db.session.scalars(select(Payment).where(Payment.application_id == application_id)
                                   .order_by(Payment.recorded_at, Payment.id)))


def get_for_application(public_id: str, application_id: int) -> Payment | None:
    if not public_id or len(public_id) > 32:
        return None
    return db.session.scalar(select(Payment).where(Payment.public_id == public_id,
                                                   Payment.application_id == application_id))


def add(application_id: int, *, amount_minor: int, currency: str, method: str, provider_reference: str | None,
        receipt_number: str | None, recorded_by_id: int | None, recorded_agency: str | None) -> tuple[Payment, bool]:
    """Record a payment once: one with the same provider reference, or the same receipt number on the same
    application, is the payment already recorded. Returns (payment, True if this call recorded it).

    One statement decides between concurrent requests: `INSERT ... ON CONFLICT DO NOTHING` without a target
    covers both unique keys (a cash receipt retyped as a transfer meets the receipt key, a bank reference told
    twice the reference key), then the row is read back by whichever key matched."""
    if not provider_reference and not receipt_number:
        raise ValueError("a payment needs a provider reference or a receipt number")
    dialect = db.session.get_bind().dialect.name
    insert = (_INSERTS[dialect](Payment).values(
        public_id=new_public_id(), application_id=application_id, amount_minor=amount_minor, currency=currency,
        method=method, provider_reference=provider_reference or None, receipt_number=receipt_number or None,
        recorded_by_id=recorded_by_id, recorded_agency=recorded_agency, recorded_at=utcnow(),
    ).on_conflict_do_nothing().returning(Payment.id))
    inserted = db.session.execute(insert).scalar()
    if inserted is not None:
        return db.session.get(Payment, inserted), True
    found = already_recorded(application_id, receipt_number=receipt_number, provider_reference=provider_reference)
    if found is None:  # pragma: no cover - a conflict on a key we did not look at
        raise LookupError("payment neither inserted nor found")
    return found, False


def already_recorded(application_id: int, *, receipt_number: str | None,
                     provider_reference: str | None) -> Payment | None:
    """The payment these keys name if it is recorded: the same provider reference (any application), or the
    same receipt number on this application."""
    keys = []
    if provider_reference:
        keys.append(Payment.provider_reference == provider_reference)
    if receipt_number:
        keys.append(and_(Payment.application_id == application_id, Payment.receipt_number == receipt_number))
    if not keys:
        return None
    return db.session.scalar(select(Payment).where(or_(*keys)).order_by(Payment.id).limit(1)
                             .execution_options(populate_existing=True))


def reverse(payment: Payment, reversed_by_id: int, reason: str) -> bool:
    """Mark the payment reversed unless it already is (compare and set): False when it was."""
    result = db.session.execute(
        update(Payment).where(Payment.id == payment.id, Payment.reversed_at.is_(None))
        .values(reversed_at=utcnow(), reversed_by_id=reversed_by_id, reversal_reason=reason)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        return False
    db.session.refresh(payment)
    return True


def set_paid(application: Application, paid: bool) -> None:
    """The `paid` fact the workflow guard reads, kept equal to "the balance is settled" by the payments
    domain (the only writer since payments were built)."""
    if application.paid != paid:
        db.session.execute(update(Application).where(Application.id == application.id)
                           .values(paid=paid, updated_at=utcnow()).execution_options(synchronize_session=False))
        db.session.refresh(application)


def link_receipt(payment: Payment, request_id: int | None) -> None:
    """The payment receipt asked for this payment (None: it was cancelled before it was issued)."""
    db.session.execute(update(Payment).where(Payment.id == payment.id).values(receipt_request_id=request_id)
                       .execution_options(synchronize_session=False))
    db.session.refresh(payment)
