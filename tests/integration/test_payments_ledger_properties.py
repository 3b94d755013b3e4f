"""Property test on the real ledger (database, unique keys, the case's `paid` fact): any sequence of
counter payments, duplicates (the same receipt number again, or the same bank reference) and reversals
leaves the balance equal to what is owed minus the payments recorded once and not reversed, and the
case's `paid` fact true exactly when nothing is due. A new payment while nothing is due is not taken (an
overpayment comes from one payment larger than what is due, or from a correction that lowered the fees)."""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.data import payments as payment_data
from portal.data.db import db
from portal.domain.catalogue import get_catalogue
from portal.payments import account, assessments, counter
from tests.staff_cases import AGENCY, SLUG, services_fixture, submitted  # noqa: F401 - the `services` fixture

pytestmark = pytest.mark.usefixtures("services")

RECEIPTS = ["R1", "R2", "R3", "R4"]  # few: duplicates come up often
pays = st.tuples(st.just("pay"), st.integers(1, 400_000), st.sampled_from(RECEIPTS), st.booleans())
reversals = st.tuples(st.just("reverse"), st.sampled_from(RECEIPTS), st.just(0), st.just(False))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(st.one_of(pays, reversals), max_size=12))
def test_any_sequence_of_payments_duplicates_and_reversals_keeps_the_balance_true(factories, operations):
    applicant = factories.person()
    clerk = factories.staff(AGENCY, "clerk")
    chief = factories.staff(AGENCY, "supervisor")
    service = get_catalogue().get(SLUG)
    application = submitted(applicant, commit=False)
    assessments.freeze(service, application)
    owed = payment_data.latest_assessment(application.id).totals["KHR"]
    recorded: dict[str, int] = {}  # receipt -> amount of the payment recorded first
    reversed_: set[str] = set()
    for kind, amount_or_receipt, receipt, by_transfer in operations:
        if kind == "pay":
            due = owed - sum(a for r, a in recorded.items() if r not in reversed_)
            pay = functools.partial(
                counter.record, service, application, clerk, amount_minor=amount_or_receipt, currency="KHR",
                method="counter_transfer" if by_transfer else "counter_cash", receipt_number=receipt,
                # A transfer's bank reference follows the receipt: the same transfer told twice.
                transfer_reference=f"{application.public_id}-{receipt}" if by_transfer else None)
            if due <= 0 and receipt not in recorded:
                with pytest.raises(counter.NothingDue):  # nothing due: a new payment is not taken
                    pay()
                continue
            payment, _new = pay()
            recorded.setdefault(receipt, amount_or_receipt)
            assert payment.receipt_number == receipt and payment.amount_minor == recorded[receipt]
        else:
            payment = next((p for p in payment_data.for_application(application.id)
                            if p.receipt_number == amount_or_receipt), None)
            if payment is not None:
                done = counter.reverse(service, application, chief, payment, "a mistake")
                assert done == (amount_or_receipt not in reversed_)
                reversed_.add(amount_or_receipt)
        expected = owed - sum(a for r, a in recorded.items() if r not in reversed_)
        found = account.account(service, application)
        assert found.balance == {"KHR": expected}
        assert application.paid == (expected <= 0)
        assert len(payment_data.for_application(application.id)) == len(recorded)
        # One receipt asked for each payment recorded, none left for one reversed before it was issued.
        assert {p.receipt_number for p in payment_data.for_application(application.id)
                if p.receipt_request_id} == set(recorded) - reversed_
    db.session.rollback()
