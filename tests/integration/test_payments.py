"""What an application owes and what was paid for it (portal.payments): the fees frozen at submission,
counter payments recorded by a clerk and reversed by a supervisor, a balance after a fee-raising
correction, a refund owed after a fee-lowering one, and nothing at all about payment on a free service."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.data import payments as payment_data
from portal.data.db import db
from portal.data.models import ApplicationEvent, Payment
from tests import docfiles, journey
from tests.audit_log import entries
from tests.integration.test_case_names_records_and_hand_over import (
    STALL,
    apply_on_the_web,
    case_url,
    reload,
    signed_in,
)
from tests.integration.test_required_zero import address
from tests.sessions import sign_in_as
from tests.staff_cases import AGENCY, services_fixture  # noqa: F401 - the `services` fixture

PAYMENT_FORM = "main form[action$='/payments']"


@pytest.fixture
def applicant(factories):
    return factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")


def fill_residence_certificate(client, citizen) -> str:
    """`citizen` (who lives in the commune the answers name) fills in a residence certificate and attaches
    its documents, up to the review page; the application's URL."""
    sign_in_as(client, citizen)
    first = journey.start(client, "residence-certificate")
    end = journey.fill_steps(client, first, {
        "person": {},
        "residence": {**address("address"), "years": "១២", "book_type": "family_book", "book_number": "០២០៣១០-១២៣"},
        "purpose": {"purpose": "other", "purpose_other": "ដាក់ពាក្យសុំអាហារូបករណ៍", "equity_card": "no"},
        "declaration": {"declaration": "y"},
    })
    for requirement in ("id_card", "household_book"):
        journey.attach(client, end, requirement, docfiles.jpeg(), f"{requirement}.jpg")
    return end.removesuffix("/documents")


def pay(client, application, data: dict, status: int = 303):
    response = client.submit(client.get(case_url(application)), data, selector=PAYMENT_FORM)
    assert response.status_code == status, response.get_data(as_text=True)[:3000]
    return response


def payment_text(client, url: str) -> str:
    section = client.get(url).soup.select_one("main #payment")
    return section.get_text(" ", strip=True) if section else ""


def test_a_residence_certificate_is_paid_at_the_counter_and_both_sides_see_the_balance(client, factories):
    citizen = factories.person(
        locale="km", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy", national_id="012345678",
        date_of_birth=__import__("datetime").date(1990, 4, 13), province_code="02", district_code="0203",
        commune_code="020310", village_code="02031001", street="ផ្ទះលេខ ១២")
    url = fill_residence_certificate(client, citizen)
    # Before submission, in Khmer: the fee itemised, riel without decimals, Khmer digits.
    review = client.get(url + "/review").soup.select_one("#fees").get_text(" ", strip=True)
    assert "១០,០០០ ៛" in review
    journey.submit(client, url)
    application = journey.application_for(url)
    frozen = payment_data.latest_assessment(application.id)
    assert (frozen.number, frozen.reason, frozen.totals) == (1, "submitted", {"KHR": 10000})
    assert not application.paid
    assert "១០,០០០ ៛" in client.get(url).soup.select_one("#payment .balance-due").get_text()

    clerk = factories.staff(application.current_agency, "clerk", locale="en")
    signed_in(client, clerk)
    page = client.get(case_url(application))
    assert page.soup.select_one("main form[action$='/facts/paid']") is None
    token = client.form_values(page, PAYMENT_FORM)[1]["csrf_token"]
    ticked = client.post(f"/staff/cases/{application.public_id}/facts/paid",
                         data={"csrf_token": token, "seen_state": application.state})
    assert ticked.status_code == 404 and not reload(application).paid  # only the ledger says paid
    assert page.soup.select_one(PAYMENT_FORM + " input[name=amount]")["value"] == "10000"
    pay(client, application, {"receipt_number": "SP-000123"})
    application = reload(application)
    assert application.paid
    payment, = payment_data.for_application(application.id)
    assert (payment.amount_minor, payment.currency, payment.method, payment.receipt_number,
            payment.recorded_by_id) == (10000, "KHR", "counter_cash", "SP-000123", clerk.id)
    assert entries("case_recorded")[-1].details["action"] == "case:payment"
    # Paid in full: the counter form is gone. The same receipt sent again from the page as it was (a double
    # click) is the same payment; another receipt is refused, as nothing is due any more.
    assert client.get(case_url(application)).soup.select_one(PAYMENT_FORM) is None
    again = client.submit(page, {"amount": "10000", "receipt_number": "SP-000123"}, selector=PAYMENT_FORM)
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1
    assert again.status_code == 303
    extra = client.submit(page, {"amount": "10000", "receipt_number": "SP-000124"}, selector=PAYMENT_FORM)
    assert extra.status_code == 400 and "Nothing is due" in extra.soup.select_one(".error-summary").get_text()
    assert db.session.scalar(select(func.count()).select_from(Payment)) == 1

    sign_in_as(client, citizen)
    client.expected_lang = None
    shown = payment_text(client, url + "?lang=en")
    assert "Paid 10,000 ៛" in shown and "Paid in full" in shown and "Balance due" not in shown


def test_a_fee_raising_correction_leaves_a_balance_the_counter_settles(client, factories, applicant, services):
    services.edit(lambda d: d["workflow"]["transitions"][0].update(guards=["paid"]))  # approve needs it paid
    application = apply_on_the_web(client, applicant)  # 20,000 + 2 months × 150,000
    assert payment_data.latest_assessment(application.id).totals == {"KHR": 320000}
    clerk = signed_in(client, factories.staff(AGENCY, "clerk", locale="en"))
    pay(client, application, {"receipt_number": "PP-1"})
    assert reload(application).paid
    journey.staff_act(application, clerk, "request_info", editable_fields=("months",), reason_text="ប៉ុន្មានខែ?")

    signed_in(client, applicant)
    url = f"/applications/{application.public_id}"
    step = client.get(url + "/steps/stall")
    assert client.submit(step, {"months": "4"}, selector="main form[enctype]").status_code == 302
    review = client.get(url + "/review")
    assert "620,000" in review.soup.select_one("#fees").get_text(" ", strip=True)  # seen before resubmitting
    client.submit(review, {}, selector="main form[action$='/act/resubmit']")
    application = reload(application)
    assert application.state == "submitted" and not application.paid
    latest = payment_data.latest_assessment(application.id)
    assert (latest.number, latest.reason, latest.totals) == (2, "answers_changed", {"KHR": 620000})
    assert "300,000" in client.get(url).soup.select_one("#payment .balance-due").get_text()

    signed_in(client, clerk)
    page = client.get(case_url(application))
    assert page.soup.select_one("main form[action$='/act/approve']") is None  # "paid" no longer holds
    assert page.soup.select_one(PAYMENT_FORM + " input[name=amount]")["value"] == "300000"
    history = page.soup.select_one("main ol.timeline").get_text(" ", strip=True)
    assert "Fees reassessed after the answers changed" in history
    partial = pay(client, application, {"amount": "100000", "receipt_number": "PP-2"})
    assert partial.status_code == 303 and not reload(application).paid
    pay(client, application, {"amount": "២០០,០០០", "receipt_number": "PP-3"})
    assert reload(application).paid
    assert client.get(case_url(application)).soup.select_one("main form[action$='/act/approve']") is not None


def test_a_fee_lowering_correction_shows_a_refund_owed(client, factories, applicant, services):
    application = apply_on_the_web(client, applicant)
    clerk = signed_in(client, factories.staff(AGENCY, "clerk", locale="en"))
    pay(client, application, {"receipt_number": "PP-9"})
    journey.staff_act(application, clerk, "request_info", editable_fields=("months",), reason_text="ប៉ុន្មានខែ?")
    signed_in(client, applicant)
    url = f"/applications/{application.public_id}"
    client.submit(client.get(url + "/steps/stall"), {"months": "1"}, selector="main form[enctype]")
    client.submit(client.get(url + "/review"), {}, selector="main form[action$='/act/resubmit']")
    assert reload(application).paid  # overpaid is settled; the refund is the finance office's
    signed_in(client, clerk)
    assert "Refund owed 150,000 ៛" in payment_text(client, case_url(application))


def test_a_supervisor_reverses_a_payment_with_a_reason_and_a_clerk_cannot(client, factories, applicant, services):
    application = apply_on_the_web(client, applicant)
    signed_in(client, factories.staff(AGENCY, "clerk", locale="en"))
    pay(client, application, {"receipt_number": "PP-5"})
    payment, = payment_data.for_application(application.id)
    reverse_url = f"/staff/cases/{application.public_id}/payments/{payment.public_id}/reverse"
    page = client.get(case_url(application))
    assert page.soup.select_one(f"main form[action='{reverse_url}']") is None
    token = client.csrf_token()
    assert client.post(reverse_url, data={"csrf_token": token, "reason": "x"}).status_code == 403

    chief = signed_in(client, factories.staff(AGENCY, "supervisor", locale="en"))
    page = client.get(case_url(application))
    blank = client.submit(page, {"reason": ""}, selector=f"main form[action='{reverse_url}']")
    assert blank.status_code == 400 and reload(application).paid
    done = client.submit(page, {"reason": "Wrong case: the money was for PP-6"},
                         selector=f"main form[action='{reverse_url}']")
    assert done.status_code == 303
    application = reload(application)
    assert not application.paid
    db.session.refresh(payment)
    assert payment.reversed_by_id == chief.id and payment.reversal_reason == "Wrong case: the money was for PP-6"
    event = db.session.scalars(select(ApplicationEvent).where(ApplicationEvent.application_id == application.id)
                               .order_by(ApplicationEvent.id.desc())).first()
    assert event.action == "case:payment_reversed"
    assert entries("case_recorded")[-1].details["reason"] == "Wrong case: the money was for PP-6"
    assert "320,000" in client.get(case_url(application)).soup.select_one("#payment .balance-due").get_text()
    # Without the CSRF token: refused, nothing changes.
    client.expected_lang = None
    assert client.post(reverse_url, data={"reason": "again"}).status_code == 400


def test_a_wrong_amount_is_told_in_the_clerks_language(client, factories, applicant, services):
    application = apply_on_the_web(client, applicant)
    signed_in(client, factories.staff(AGENCY, "clerk", locale="en"))
    for typed in ("ten thousand", "0", "12.5", "-5"):
        refused = pay(client, application, {"amount": typed, "receipt_number": "PP-7"}, status=400)
        assert "Write an amount" in refused.soup.select_one(".error-summary").get_text()
    forged = pay(client, application, {"currency": "USD", "receipt_number": "PP-7"}, status=400)
    assert forged.soup.select_one(".error-summary")
    assert payment_data.for_application(application.id) == [] and not reload(application).paid


def test_a_free_service_shows_nothing_about_payment(client, factories, applicant, services):
    services.edit(lambda d: d.update(fees=[], waivers=[]))
    application = apply_on_the_web(client, applicant)
    assert reload(application).paid  # nothing is owed: the guard `paid` holds
    url = f"/applications/{application.public_id}"
    for page in (client.get(url + "?lang=en"), client.get(url + "/review?lang=en")):
        assert page.soup.select_one("main #fees, main #payment") is None
        headings = [h.get_text(strip=True) for h in page.soup.select("main h2")]
        assert "Fees" not in headings and "Fees and payment" not in headings
        text = page.soup.select_one("main").get_text(" ", strip=True)
        assert not any(word in text for word in ("To pay", "Balance", "Paid in full", "Owed", "Nothing to pay"))
    signed_in(client, factories.staff(AGENCY, "clerk", locale="en"))
    page = client.get(case_url(application))
    assert page.soup.select_one("main #payment") is None
    assert page.soup.select_one("main form[action$='/facts/paid']") is None
    text = page.soup.select_one("main").get_text(" ", strip=True)
    assert "Mark as paid" not in text and "Payment" not in text
    token = client.form_values(page, "main form[action$='/facts/documents_checked']")[1]["csrf_token"]
    posted = client.post(f"/staff/cases/{application.public_id}/payments",
                         data={"csrf_token": token, "amount": "1000", "currency": "KHR", "method": "counter_cash",
                               "receipt_number": "X"})
    assert posted.status_code == 404
    assert STALL  # the same answers as the paid permit
