"""KHQR payment requests (portal.payments.khqr_requests): one open request per application and currency,
for what is due; a confirmation that matches it records the payment once, one that does not changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import current_app

from portal.data import payment_requests as request_data
from portal.data import payments as payment_data
from portal.data.db import db
from portal.domain.applications.versions import definition_for
from portal.payments import khqr, khqr_requests
from tests import journey
from tests.integration.test_case_names_records_and_hand_over import apply_on_the_web, reload
from tests.staff_cases import services_fixture  # noqa: F401 - the `services` fixture

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def application(client, factories, services):
    return apply_on_the_web(client, factories.person(locale="en"))  # 320,000 riel owed


def service_of(application):
    return definition_for(application)


def ask(application, now=NOW, currency="KHR"):
    settings = current_app.config["PORTAL_SETTINGS"].khqr
    return khqr_requests.request_payment(service_of(application), application, currency, settings=settings, now=now)


def confirm(application, request, **overrides):
    fields = {"amount_minor": request.amount_minor, "currency": request.currency, "provider_reference": "tx-1",
              "paid_at": NOW + timedelta(minutes=1), **overrides}
    return khqr_requests.confirm(service_of(application), application, request_data.lock(request.id), **fields)


def test_a_request_asks_for_what_is_due_and_is_handed_out_again_while_valid(application):
    request = ask(application)
    decoded = khqr.decode(request.khqr)
    assert (decoded.amount, decoded.currency, decoded.bill_number) == (320000, "KHR", application.reference)
    assert request.md5 == khqr_requests.md5_of(request.khqr)
    assert ask(application, NOW + timedelta(minutes=5)).id == request.id
    later = ask(application, NOW + timedelta(minutes=29))  # too close to its expiry: a new one
    assert later.id != request.id and reload(request).state == "expired"
    assert ask(application, currency="USD") is None  # nothing is owed in dollars


def test_a_matching_confirmation_pays_once_and_a_wrong_one_changes_nothing(application):
    request = ask(application)
    assert confirm(application, request, amount_minor=1000).reason == "wrong_amount"
    assert confirm(application, request, currency="USD").reason == "wrong_currency"
    assert confirm(application, request, paid_at=NOW + timedelta(hours=1)).reason == "expired_request"
    assert payment_data.for_application(application.id) == [] and not reload(application).paid
    assert confirm(application, request).outcome == "accepted"
    assert confirm(application, request).outcome == "duplicate"
    db.session.commit()
    assert reload(application).paid and reload(request).state == "paid"
    assert [p.amount_minor for p in payment_data.for_application(application.id)] == [320000]
    assert ask(application) is None  # nothing more is due


def test_a_code_paid_after_the_case_was_decided_is_the_income_of_the_office_that_decided_it(application, factories):
    request = ask(application)
    clerk = factories.staff(application.current_agency, "clerk")
    office = application.current_agency
    journey.staff_act(application, clerk, "reject", reason_id="stall_taken")
    assert reload(application).current_agency is None  # it left every queue; the code was still open
    assert confirm(application, reload(request)).outcome == "accepted"
    payment, = payment_data.for_application(application.id)
    assert payment.recorded_agency == office  # in that office's finance report, and named on the receipt
