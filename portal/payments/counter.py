"""Payments at the office counter: a clerk of the agency holding the case records cash or a bank
transfer with the receipt number they wrote; a supervisor of that agency reverses one with a reason.
Each is a case event (staff-only history) and an audit entry. The caller commits."""

from __future__ import annotations

from portal.data import payments as payment_data
from portal.domain.applications import case_records
from portal.domain.catalogue import Service, agency_roles, get_catalogue
from portal.domain.workflow.engine import SUPERVISOR
from portal.payments import account, assessments, receipts
from portal.payments.money import CURRENCIES

COUNTER_METHODS = ("counter_cash", "counter_transfer")


class NotAllowed(Exception):
    """This person may not do this on this case (not staff of the agency holding it, not a supervisor)."""


class ReferenceUsed(Exception):
    """The bank transfer's reference already paid for another application."""


class NothingToPay(Exception):
    """The service charges no fee, or nothing is owed in this currency: there is nothing to record."""


class NothingDue(NothingToPay):
    """Nothing is due in this currency any more (paid meanwhile, e.g. by KHQR while the counter's page was
    open): a new payment is not taken (nothing is written)."""


def _roles_at(person, agency: str | None) -> set[str]:
    # A role the agency declares counts as the built-in role it acts as (services/agencies.yaml).
    return {agency_roles.acts_as(get_catalogue(), agency, r.role) for r in person.staff_roles
            if agency and r.agency.slug == agency}


def can_record(person, application) -> bool:
    return bool(_roles_at(person, application.current_agency))


def can_reverse(person, application) -> bool:
    return SUPERVISOR in _roles_at(person, application.current_agency)


def currencies_accepted(service: Service, application) -> tuple[str, ...]:
    """The currencies the case owes in (what the counter form offers); the right currency only."""
    found = account.account(service, application)
    if found is None:
        return ()
    return tuple(c for c in CURRENCIES if c in found.assessment.totals or c in found.paid)


def record(service: Service, application, person, *, amount_minor: int, currency: str, method: str,
           receipt_number: str, transfer_reference: str | None = None):
    """Record a counter payment once (the same receipt number twice on a case is the same payment).
    Returns (payment, True if recorded now). Raises NotAllowed, NothingToPay, or NothingDue for a new payment
    when nothing is due in its currency any more (the same receipt again is still the payment recorded)."""
    if not can_record(person, application):
        raise NotAllowed
    if method not in COUNTER_METHODS or amount_minor <= 0:
        raise ValueError(method)
    payment_data.lock_case(application.id)
    if currency not in currencies_accepted(service, application):
        raise NothingToPay
    if payment_data.latest_assessment(application.id) is None:
        assessments.freeze(service, application)  # a case from before payments: what it owes is fixed now
    if currency not in account.account(service, application).due:  # read under the case's lock
        # Nothing due any more: the same receipt (or transfer) told again is the payment recorded; a new one
        # is not taken (paid meanwhile, e.g. by KHQR while the counter's page was open).
        found = payment_data.already_recorded(application.id, receipt_number=receipt_number,
                                              provider_reference=transfer_reference or None)
        if found is None:
            raise NothingDue
        if found.application_id != application.id:
            raise ReferenceUsed
        return found, False
    payment, recorded = payment_data.add(
        application.id, amount_minor=amount_minor, currency=currency, method=method,
        provider_reference=transfer_reference or None, receipt_number=receipt_number,
        recorded_by_id=person.id, recorded_agency=application.current_agency)
    if payment.application_id != application.id:
        raise ReferenceUsed
    if recorded:
        case_records.record(application, person, case_records.PAYMENT_RECORDED, {
            "payment": payment.public_id, "amount_minor": amount_minor, "currency": currency, "method": method,
            "receipt_number": receipt_number})
        account.sync_paid(service, application)
        receipts.ask_for(service, application, payment)
    return payment, recorded


def reverse(service: Service, application, person, payment, reason: str) -> bool:
    """A supervisor reverses a payment (a mistake, a bounced transfer): it stays in the ledger, no longer
    counted. False when it already was reversed."""
    if not can_reverse(person, application):
        raise NotAllowed
    if not reason.strip():
        raise ValueError("a reversal needs a reason")
    payment_data.lock_case(application.id)
    if not payment_data.reverse(payment, person.id, reason.strip()):
        return False
    case_records.record(application, person, case_records.PAYMENT_REVERSED, {
        "payment": payment.public_id, "amount_minor": payment.amount_minor, "currency": payment.currency,
        "reason": reason.strip()})
    account.sync_paid(service, application)
    receipts.withdraw(application, payment, person)
    return True
