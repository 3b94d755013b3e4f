"""An application's account: what it owes, what was paid, the balance; and the `paid` fact the workflow
guard reads, kept equal to "nothing is due" after every change to either."""

from __future__ import annotations

from dataclasses import dataclass

from portal.data import payments as payment_data
from portal.domain.catalogue import Service
from portal.payments import ledger
from portal.payments.assessments import Assessment, charges_fees, owed


@dataclass(frozen=True)
class Account:
    assessment: Assessment
    payments: tuple  # the ledger's rows, reversed ones included (shown struck through)
    paid: dict[str, int]
    balance: dict[str, int]

    @property
    def due(self) -> dict[str, int]:
        return ledger.due(self.balance)

    @property
    def refund_owed(self) -> dict[str, int]:
        return ledger.refund_owed(self.balance)

    @property
    def settled(self) -> bool:
        """Nothing due, and no fee still to be assessed: a fee not worked out yet is never taken as paid."""
        return ledger.is_settled(self.balance) and not self.assessment.to_be_assessed

    @property
    def currencies(self) -> tuple[str, ...]:
        return tuple(self.balance)


def account(service: Service, application) -> Account | None:
    """None for a service without fees: its pages say nothing about payment."""
    if not charges_fees(service):
        return None
    assessment = owed(service, application)
    payments = tuple(payment_data.for_application(application.id)) if application.id else ()
    return Account(assessment, payments, ledger.settled(payments), ledger.balance(assessment.totals, payments))


def sync_paid(service: Service, application) -> bool:
    """Set the `paid` fact to what the ledger says (a free service: paid, nothing is owed). The caller commits."""
    found = account(service, application)
    settled = found is None or found.settled
    payment_data.set_paid(application, settled)
    return settled


def receiving_agency(service: Service, application) -> str:
    """The office a payment made now is the income of: the one holding the case; once the case has left
    every queue (decided while a KHQR code was still open), the office it was routed to, else the service's
    first. The finance report and the receipt both name it."""
    return application.current_agency or application.routed_agency or service.agencies[0]

