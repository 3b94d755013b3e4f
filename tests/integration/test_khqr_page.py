"""The applicant pays by KHQR (portal/web/applicant/khqr_payment.py): "Pay by KHQR" on the application page
when something is due, the payment page with the QR code, the string to copy, the amount, what it pays for,
the payee and until when; a new code when the last one expired; the status the page polls turning to paid
once the provider's payment is confirmed; nothing of it for someone else, a free service or a paid one."""

from __future__ import annotations

import base64
import dataclasses
import re
import time
from datetime import timedelta

import pytest
from flask import current_app

from portal.data import organisations, people
from portal.data import payment_requests as request_data
from portal.data.db import db
from portal.domain import clock
from portal.domain.applications.versions import definition_for
from portal.payments import counter, khqr, khqr_requests
from tests import journey
from tests.integration.test_case_names_records_and_hand_over import apply_on_the_web, reload, signed_in
from tests.integration.test_kiosks import enrolled
from tests.sessions import sign_in_as
from tests.staff_cases import AGENCY, SLUG, services_fixture  # noqa: F401 - the `services` fixture

PAY_BUTTON = "main form[action$='/pay'] button"


@pytest.fixture
def applicant(factories):
    return factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")


@pytest.fixture
def application(client, applicant, services):
    return apply_on_the_web(client, applicant)  # 2 months of a stall: 320,000 riel owed


def page_url(application) -> str:
    return f"/applications/{application.public_id}/pay"


def ask_for_a_code(client, application):
    """"Pay by KHQR" on the application page, as the person presses it: the POST, then the page."""
    detail = client.get(f"/applications/{application.public_id}")
    posted = client.submit(detail, selector="main form[action$='/pay']")
    assert posted.status_code == 303 and posted.headers["Location"].endswith(page_url(application))
    return client.get(page_url(application))


def requests_of(application):
    db.session.expire_all()
    return request_data.for_application(application.id)


def text_of(page) -> str:
    return page.soup.select_one("main").get_text(" ", strip=True)


def status(client, application) -> dict:
    response = client.get(page_url(application) + "/status")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def test_the_applicant_sees_the_qr_code_the_string_to_copy_the_amount_and_what_it_pays_for(client, application):
    detail = client.get(f"/applications/{application.public_id}")
    assert detail.soup.select_one(PAY_BUTTON).get_text(strip=True) == "Pay by KHQR"
    assert f"at the office counter: give the reference {application.reference}" in text_of(detail)
    assert client.get(page_url(application)).status_code == 200 and requests_of(application) == []  # GET: nothing

    page = ask_for_a_code(client, application)
    [request] = requests_of(application)
    card = page.soup.select_one("main #khqr-khr")
    string = card.select_one("textarea.khqr-string")
    assert string.text == request.khqr and string.has_attr("readonly")
    decoded = khqr.decode(string.text)
    assert (decoded.amount, decoded.currency, decoded.bill_number) == (320000, "KHR", application.reference)
    image = card.select_one("img.khqr-code")
    assert image["src"].startswith("data:image/svg+xml;base64,") and image["alt"]
    assert base64.b64decode(image["src"].split(",", 1)[1]).startswith(b"<svg")
    facts = {div.dt.get_text(strip=True): div.dd.get_text(" ", strip=True) for div in card.select("dl.facts > div")}
    assert facts["Amount"] == "320,000 ៛"
    assert f"Market stall permit, application {application.reference}" in facts["Pays for"]
    assert "Application fee: 20,000 ៛ Stall rent × 2: 300,000 ៛" in facts["Pays for"]  # the assessment's lines
    assert facts["Paid to"] == "ONE WINDOW (ច្រកចេញចូលតែមួយ)"
    assert re.fullmatch(r"\d{1,2} \w+ \d{4}, \d{2}:\d{2}", facts["Code valid until"])
    assert card.select_one("button[data-copy]").has_attr("hidden")  # shown by khqr.js; selectable without
    waiting = page.soup.select_one("main [data-khqr-status]")
    assert waiting["data-khqr-status"] == page_url(application) + "/status"
    assert status(client, application) == {"state": "awaiting_payment", "requests": [request.public_id]}
    assert page.soup.select_one("script[src*='khqr']") is not None and not page.soup.select("script:not([src])")
    assert request.public_id not in page.request.path and application.reference not in page.request.path
    # In development and tests, the made-up bank pays this very code (docs/payments-khqr.md).
    bank = client.get(card.select_one("a[href*='/dev/khqr-bank/pay/']")["href"])
    assert bank.status_code == 200 and application.reference in text_of(bank)

    # Asking again while the code is valid gives the same code.
    again = ask_for_a_code(client, application)
    assert [r.id for r in requests_of(application)] == [request.id]
    assert again.soup.select_one("textarea.khqr-string").text == request.khqr


def test_in_khmer_the_amount_has_khmer_digits(client, application, applicant):
    people.set_locale(applicant, "km")  # the person's saved choice, as the language switch keeps it
    db.session.commit()
    client.expected_lang = None  # the POST's redirect is Werkzeug's own little page, in English
    ask_for_a_code(client, application)
    client.expected_lang = "km"
    page = client.get(page_url(application))
    assert "៣២០,០០០ ៛" in page.soup.select_one("main #khqr-khr h2").get_text()
    assert "បង់ប្រាក់តាម KHQR" in page.soup.select_one("main h1").get_text()


def test_the_status_turns_to_paid_when_the_payment_is_confirmed_and_the_page_says_thank_you(client, application):
    ask_for_a_code(client, application)
    [request] = requests_of(application)
    assert status(client, application)["state"] == "awaiting_payment"
    service = definition_for(application)
    outcome = khqr_requests.confirm(service, reload(application), request_data.lock(request.id),
                                    amount_minor=320000, currency="KHR", provider_reference="bakong-tx-1",
                                    paid_at=clock.now())
    db.session.commit()
    assert outcome.outcome == khqr_requests.ACCEPTED
    assert status(client, application) == {"state": "paid", "requests": []}
    page = client.get(page_url(application))
    assert "Paid, thank you." in text_of(page) and "320,000 ៛" in text_of(page)
    assert page.soup.select_one(f"main a[href='/applications/{application.public_id}']")
    assert page.soup.select_one("main [data-khqr-status], main textarea, main img.khqr-code") is None
    assert client.get(f"/applications/{application.public_id}").soup.select_one(PAY_BUTTON) is None


def test_an_expired_code_is_shown_as_expired_and_a_post_makes_a_new_one(client, application):
    settings = current_app.config["PORTAL_SETTINGS"].khqr
    old = khqr_requests.request_payment(definition_for(application), application, "KHR", settings=settings,
                                        now=clock.now() - timedelta(minutes=settings.request_minutes + 1))
    db.session.commit()
    page = client.get(page_url(application))
    assert "Your last QR code expired" in text_of(page)
    assert page.soup.select_one("main textarea.khqr-string") is None and old.khqr not in page.get_data(as_text=True)
    assert status(client, application) == {"state": "new_code_needed", "requests": []}
    assert page.soup.select_one("main [data-khqr-status]") is None  # nothing to wait for

    renewed = client.submit(page, selector="main #khqr-khr form")
    assert renewed.status_code == 303
    old_row, new = requests_of(application)
    assert (old_row.id, old_row.state, new.state) == (old.id, "expired", "open")
    assert client.get(page_url(application)).soup.select_one("textarea.khqr-string").text == new.khqr


def test_a_code_for_an_amount_no_longer_due_is_replaced(client, application, factories):
    ask_for_a_code(client, application)
    clerk = factories.staff(AGENCY, "clerk")
    counter.record(definition_for(application), reload(application), clerk, amount_minor=20000, currency="KHR",
                   method="counter_cash", receipt_number="R-1")
    db.session.commit()
    page = client.get(page_url(application))
    assert "The amount due has changed" in text_of(page)
    client.submit(page, selector="main #khqr-khr form")
    new = requests_of(application)[-1]
    assert (khqr.decode(new.khqr).amount, requests_of(application)[0].state) == (300000, "superseded")
    assert "Already paid: 20,000 ៛" in text_of(client.get(page_url(application)))


def test_someone_else_gets_404_and_nothing_is_made(client, application, factories):
    signed_in(client, factories.person(locale="en"))
    token = client.csrf_token()
    for response in (client.get(page_url(application)), client.get(page_url(application) + "/status"),
                     client.post(page_url(application), data={"csrf_token": token})):
        assert response.status_code == 404
    assert requests_of(application) == []


def test_a_post_without_its_csrf_token_is_refused(client, application):
    assert client.post(page_url(application), data={}).status_code == 400
    assert requests_of(application) == []


def test_nothing_due_means_no_khqr(client, application, factories):
    counter.record(definition_for(application), reload(application), factories.staff(AGENCY, "clerk"),
                   amount_minor=320000, currency="KHR", method="counter_cash", receipt_number="R-2")
    db.session.commit()
    detail = client.get(f"/applications/{application.public_id}")
    assert detail.soup.select_one(PAY_BUTTON) is None and "Pay by KHQR" not in text_of(detail)
    client.post(page_url(application), data={"csrf_token": client.csrf_token()})
    assert requests_of(application) == []
    assert "Paid, thank you." in text_of(client.get(page_url(application)))


def test_a_free_service_shows_nothing(client, applicant, services):
    services.edit(lambda d: d.update(fees=[], waivers=[]))
    application = apply_on_the_web(client, applicant)
    detail = client.get(f"/applications/{application.public_id}")
    assert detail.soup.select_one(PAY_BUTTON) is None and "KHQR" not in text_of(detail)
    assert client.get(page_url(application)).status_code == 404
    assert client.get(page_url(application) + "/status").status_code == 404


def test_without_khqr_configured_the_counter_is_the_way_to_pay(client, application, monkeypatch):
    settings = current_app.config["PORTAL_SETTINGS"]
    monkeypatch.setitem(current_app.config, "PORTAL_SETTINGS", dataclasses.replace(settings, khqr=None))
    detail = client.get(f"/applications/{application.public_id}")
    assert detail.soup.select_one(PAY_BUTTON) is None
    assert "pay at the office counter" in text_of(detail)
    assert client.get(page_url(application)).status_code == 404


def test_a_draft_has_nothing_to_pay_yet(client, applicant, services):
    signed_in(client, applicant)
    first = journey.start(client, SLUG)
    public_id = first.split("/applications/")[1].split("/")[0]
    assert client.get(f"/applications/{public_id}/pay").status_code == 404
    assert client.post(f"/applications/{public_id}/pay", data={"csrf_token": client.csrf_token()}).status_code == 404


def test_a_member_of_the_business_may_pay_its_application(client, applicant, factories, services):
    member = factories.person(locale="en")
    business = factories.business(applicant)
    organisations.add_member(business, member)
    db.session.commit()
    application = apply_on_the_web(client, applicant)
    application.organisation_id = business.id  # as if made for the business: its members see it
    db.session.commit()
    signed_in(client, member)
    assert client.get(page_url(application)).status_code == 200
    client.post(page_url(application), data={"csrf_token": client.csrf_token()})
    assert len(requests_of(application)) == 1


def test_a_rejected_application_is_not_asked_to_pay(client, application, factories):
    ask_for_a_code(client, application)
    journey.staff_act(reload(application), factories.staff(AGENCY, "clerk"), "reject", reason_id="stall_taken")
    detail = client.get(f"/applications/{application.public_id}")
    assert detail.soup.select_one(PAY_BUTTON) is None
    assert client.get(page_url(application)).status_code == 404
    assert client.post(page_url(application), data={"csrf_token": client.csrf_token()}).status_code == 404
    assert [r.state for r in requests_of(application)] == ["open"]  # it expires; no new one is made


def test_the_pages_own_status_check_never_keeps_an_abandoned_session_alive(client, application, applicant):
    ask_for_a_code(client, application)
    sign_in_as(client, applicant, seen_ago=14 * 60)  # the person walked away from the page 14 minutes ago
    assert status(client, application)["state"] == "awaiting_payment"
    with client.session_transaction() as session:
        assert time.time() - session["_seen"] >= 14 * 60  # the script's check is not the person being there
    sign_in_as(client, applicant, seen_ago=15 * 60 + 5)
    checked = client.get(page_url(application) + "/status")
    assert checked.status_code == 302 and checked.location.startswith("/sign-in")  # the script then reloads


def test_on_a_kiosk_the_status_check_does_not_move_the_kiosks_idle_clock_either(client, application, applicant,
                                                                                factories):
    enrolled(client, factories)
    sign_in_as(client, applicant)
    ask_for_a_code(client, application)
    walked_away = int(time.time()) - 60
    with client.session_transaction() as session:
        session["_kiosk_seen"] = walked_away
    assert status(client, application)["state"] == "awaiting_payment"
    with client.session_transaction() as session:
        assert session["_kiosk_seen"] == walked_away  # the next person must not find this one signed in
