"""Rows the finance office reconciles: one agency's payments and reversals between two instants, the
balances of the cases it took money for, and the provider confirmations that were refused. The report
itself (days, totals, who) is `portal.payments.reconciliation`'s."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from portal.data.db import db
from portal.data.models import (
    Application,
    ApplicationEvent,
    FeeAssessment,
    Payment,
    PaymentCallback,
    PaymentRequest,
)

REFUSED = "refused"


def _of_agency(agency: str):
    """The payment was taken by `agency` (recorded there, or held there when the provider confirmed it);
    a payment recorded before `recorded_agency` was kept counts for the office holding its case."""
    return func.coalesce(Payment.recorded_agency, Application.current_agency) == agency


def payments_recorded(agency: str, start: datetime, end: datetime) -> list[tuple[Payment, Application]]:
    """Payments the agency took in [start, end) (naive UTC), oldest first, with their application."""
    return [tuple(row) for row in db.session.execute(
        select(Payment, Application).join(Application, Application.id == Payment.application_id)
        .where(_of_agency(agency), Payment.recorded_at >= start, Payment.recorded_at < end)
        .order_by(Payment.recorded_at, Payment.id))]


def payments_reversed(agency: str, start: datetime, end: datetime) -> list[tuple[Payment, Application]]:
    """The agency's payments reversed in [start, end), whenever they were recorded."""
    return [tuple(row) for row in db.session.execute(
        select(Payment, Application).join(Application, Application.id == Payment.application_id)
        .where(_of_agency(agency), Payment.reversed_at >= start, Payment.reversed_at < end)
        .order_by(Payment.reversed_at, Payment.id))]


def settled_by_application(agency: str) -> dict[int, dict[str, int]]:
    """Application id -> currency -> what its payments that are not reversed add up to, for every
    application the agency took a payment for (the candidates for a refund owed)."""
    took = select(Payment.application_id).join(Application, Application.id == Payment.application_id) \
        .where(_of_agency(agency), Payment.reversed_at.is_(None))
    found: dict[int, dict[str, int]] = {}
    for application_id, currency, total in db.session.execute(
            select(Payment.application_id, Payment.currency, func.sum(Payment.amount_minor))
            .where(Payment.reversed_at.is_(None), Payment.application_id.in_(took))
            .group_by(Payment.application_id, Payment.currency)):
        found.setdefault(application_id, {})[currency] = int(total)
    return found


def latest_totals(application_ids: Collection[int]) -> dict[int, dict[str, int]]:
    """Application id -> what its latest frozen assessment says it owes (applications without one left out)."""
    if not application_ids:
        return {}
    latest = (select(FeeAssessment.application_id, func.max(FeeAssessment.number).label("number"))
              .where(FeeAssessment.application_id.in_(sorted(application_ids)))
              .group_by(FeeAssessment.application_id).subquery())
    rows = db.session.execute(select(FeeAssessment.application_id, FeeAssessment.totals).join(
        latest, and_(latest.c.application_id == FeeAssessment.application_id,
                     latest.c.number == FeeAssessment.number)))
    return {application_id: {c: int(a) for c, a in totals.items()} for application_id, totals in rows}


def applications(application_ids: Collection[int]) -> list[Application]:
    if not application_ids:
        return []
    return list(db.session.scalars(select(Application).where(Application.id.in_(sorted(application_ids)))
                                   .order_by(Application.reference, Application.id)))


def _concerns(agency: str):
    """The application is the agency's as its staff see it (`queues.case_for_staff`): in its queue, routed
    to it, acted on by its staff, or paid for there."""
    acted = select(ApplicationEvent.id).where(
        ApplicationEvent.application_id == Application.id,
        ApplicationEvent.actor_role.startswith(f"{agency}.", autoescape=True)).exists()
    paid_there = select(Payment.id).where(Payment.application_id == Application.id,
                                          Payment.recorded_agency == agency).exists()
    return or_(Application.current_agency == agency, Application.routed_agency == agency, acted, paid_there)


def refused_callbacks(agency: str, start: datetime, end: datetime) -> list[tuple[PaymentCallback, Application]]:
    """Provider confirmations received in [start, end) and refused, about a payment request of one of the
    agency's applications."""
    return [tuple(row) for row in db.session.execute(
        select(PaymentCallback, Application)
        .join(PaymentRequest, PaymentRequest.id == PaymentCallback.request_id)
        .join(Application, Application.id == PaymentRequest.application_id)
        .where(PaymentCallback.outcome == REFUSED, PaymentCallback.received_at >= start,
               PaymentCallback.received_at < end, _concerns(agency))
        .order_by(PaymentCallback.received_at, PaymentCallback.id))]


def unplaced_callbacks(start: datetime, end: datetime) -> list[PaymentCallback]:
    """Refused confirmations received in [start, end) that match no payment request at all (forged,
    malformed, an unknown request): no agency's, so the administrators'."""
    return list(db.session.scalars(
        select(PaymentCallback).where(PaymentCallback.outcome == REFUSED, PaymentCallback.request_id.is_(None),
                                      PaymentCallback.received_at >= start, PaymentCallback.received_at < end)
        .order_by(PaymentCallback.received_at, PaymentCallback.id)))
