"""Rows of what applications owe (frozen assessments) and what was paid for them (the payments ledger).
The money rules are `portal.payments`'. Callers commit."""

from __future__ import annotations

from sqlalchemy import select, update

from portal.data.db import db, utcnow
from portal.data.inserts import insert_or_get
from portal.data.models import Application, FeeAssessment, Payment


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
    """Record a payment once: a second one with the same provider reference (or the same receipt number on
    the same application) is the first one again. Returns (payment, True if this call recorded it)."""
    values = {"amount_minor": amount_minor, "currency": currency, "method": method,
              "recorded_by_id": recorded_by_id, "recorded_agency": recorded_agency, "recorded_at": utcnow()}
    if provider_reference:
        return insert_or_get(Payment, {"provider_reference": provider_reference}, application_id=application_id,
                             receipt_number=receipt_number, **values)
    if not receipt_number:
        raise ValueError("a payment needs a provider reference or a receipt number")
    return insert_or_get(Payment, {"application_id": application_id, "receipt_number": receipt_number}, **values)


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
