"""Registering a citizen inside the assisted flow (issue 14): a number with no account leads the operator to
register the citizen at the kiosk; the registration's code, sent by SMS with the consent wording, opens the
account (phone only, no password) and records consent; the citizen sets a password later by SMS."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.data import people
from portal.data.db import db
from portal.data.models import AssistedSession, AuditEntry, PendingRegistration
from portal.domain import audit
from portal.domain.identity import registration
from portal.domain.identity.passwords import UNUSABLE_HASH
from portal.domain.identity.throttle import REGISTRATION_CODES_PER_CONTACT
from tests import docfiles, journey
from tests.integration import test_assisted_service as assisted_tests
from tests.integration.test_application_lifecycle import SLUG, STALL
from tests.integration.test_password_reset import NEW_PASSWORD, ask_for_link, link_in, new_password_page, run_jobs
from tests.integration.test_password_reset import sign_in as sign_in_with_password
from tests.messages import six_digit_codes, texts_to

NEW_PHONE = "+85512606070"
services, operator = assisted_tests.services, assisted_tests.operator  # fixtures


def sms_to(app, number: str = NEW_PHONE) -> list[str]:
    return texts_to(app.config["PORTAL_SETTINGS"].instance_path, number)


def register_page(client, phone: str = "012 606 070"):
    page = client.get("/kiosk/assist")
    response = client.submit(page, {"phone": phone})
    assert response.status_code == 302 and response.headers["Location"].endswith("/kiosk/assist/register")
    page = client.get("/kiosk/assist/register")
    assert page.status_code == 200
    return page


def send_code(app, client, **names):
    page = register_page(client)
    assert page.soup.select_one("input[name=phone]")["value"] == NEW_PHONE  # carried in the session, not the URL
    assert page.soup.select_one("[data-consent-text]") is not None
    before = len(sms_to(app))
    sent = client.submit(page, {"name_km": "ស្រី ពៅ", "name_latin": "Srey Pov", **names})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/kiosk/assist/register/code")
    texts = sms_to(app)
    assert len(texts) == before + 1
    return texts[-1]


def test_a_citizen_without_an_account_is_registered_with_consent_and_helped(app, client, services, operator):
    sms = send_code(app, client)
    assert "Dara" in sms or "ដារា" in sms  # who the code is for, as the consent code says
    [code] = six_digit_codes(sms)
    page = client.get("/kiosk/assist/register/code")
    wrong = client.submit(page, {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400 and people.get_by_contact("phone", NEW_PHONE) is None
    assert db.session.scalar(select(PendingRegistration)).wrong_codes == 1
    done = client.submit(client.get("/kiosk/assist/register/code"), {"code": code})
    assert done.status_code == 302
    citizen = people.get_by_contact("phone", NEW_PHONE)
    assert citizen.password_hash == UNUSABLE_HASH and citizen.name_km == "ស្រី ពៅ" and citizen.name_latin == "Srey Pov"
    assert citizen.email is None and not citizen.needs_totp
    assert db.session.scalar(select(PendingRegistration)) is None
    row = db.session.scalar(select(AssistedSession))
    assert row.citizen_id == citizen.id and row.consent_method == "code" and row.consent_recorded_at is not None
    changes = [e.details["change"] for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.in_((audit.ASSISTED_SESSION, audit.ACCOUNT_CHANGE))).order_by(AuditEntry.seq))]
    assert changes == ["registration_code_sent", "registered_at_kiosk", "started", "consent_recorded"]
    # The operator applies for the new citizen at once; the application is the citizen's.
    first = journey.start(client, SLUG)
    documents = journey.fill_steps(client, first, {"trader": {"national_id": "012345678"}, "stall": STALL,
                                                   "declaration": {"declaration": "y"}})
    journey.attach(client, documents, "id_card", docfiles.png(), "id.png")
    url = documents.removesuffix("/documents")
    journey.submit(client, url)
    application = journey.application_for(url)
    assert application.state == "submitted" and application.applicant_person_id == citizen.id
    # Later, on their own phone, the citizen sets a password with "forgot password" by SMS and signs in.
    own = app.test_client()
    own.expected_lang = None
    ask_for_link(own, "012 606 070")
    run_jobs(app)
    page = new_password_page(own, link_in(sms_to(app)[-1]))
    assert own.submit(page, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert sign_in_with_password(own, "012606070", NEW_PASSWORD).status_code == 302
    assert own.get(url).status_code == 200


def test_names_are_needed_and_checked_and_nothing_is_sent_for_bad_input(app, client, services, operator):
    page = register_page(client)
    # The kiosk speaks Khmer: "enter the citizen's name", "in Khmer script only", "in Latin letters only".
    for names, message in (({"name_km": "", "name_latin": ""}, "សូមបញ្ចូលឈ្មោះពលរដ្ឋ"),
                           ({"name_km": "Latin", "name_latin": ""}, "ជាអក្សរខ្មែរតែប៉ុណ្ណោះ"),
                           ({"name_km": "", "name_latin": "ស្រី"}, "ជាអក្សរឡាតាំងតែប៉ុណ្ណោះ")):
        refused = client.submit(page, names)
        assert refused.status_code == 400 and message in refused.soup.get_text()
    refused = client.submit(page, {"name_latin": "Srey Pov", "phone": "12"})
    assert refused.status_code == 400
    no_token = client.post("/kiosk/assist/register", data={"name_latin": "Srey Pov", "phone": "012606070"})
    assert no_token.status_code == 400
    assert sms_to(app) == [] and db.session.scalar(select(PendingRegistration)) is None


def test_codes_follow_the_registration_limits(app, client, services, operator):
    send_code(app, client)
    for _ in range(REGISTRATION_CODES_PER_CONTACT - 1):
        page = client.get("/kiosk/assist/register/code")
        assert client.submit(page, selector="main form[action$='/new-code']").status_code == 302
    page = client.get("/kiosk/assist/register/code")
    assert client.submit(page, selector="main form[action$='/new-code']").status_code == 429
    assert len(sms_to(app)) == REGISTRATION_CODES_PER_CONTACT
    # Only the newest code works.
    first, newest = six_digit_codes(sms_to(app)[0])[0], six_digit_codes(sms_to(app)[-1])[0]
    if first != newest:
        refused = client.submit(client.get("/kiosk/assist/register/code"), {"code": first})
        assert refused.status_code == 400


def test_a_number_that_got_an_account_meanwhile_is_not_registered_again(app, client, services, operator, factories):
    sms = send_code(app, client)
    factories.person(phone=NEW_PHONE)
    [code] = six_digit_codes(sms)
    done = client.submit(client.get("/kiosk/assist/register/code"), {"code": code})
    assert done.status_code == 302 and done.headers["Location"].endswith("/kiosk/assist")
    assert db.session.scalar(select(AssistedSession)) is None


def test_off_a_kiosk_or_for_a_non_operator_the_pages_are_404(app, client, factories):
    person = factories.person(email="someone@ctc.test")
    from tests.sessions import sign_in_as

    sign_in_as(client, person)
    assert client.get("/kiosk/assist/register").status_code == 404
    assert client.get("/kiosk/assist/register/code").status_code == 404


@pytest.fixture(autouse=True)
def _no_old_messages(app):
    import shutil

    shutil.rmtree(app.config["PORTAL_SETTINGS"].instance_path / "sms", ignore_errors=True)
    assert registration.MAX_WRONG_CODES == 5
