"""Assisted service in a real browser (issue 14): on an enrolled kiosk, an operator of its centre signs in
with password and TOTP, finds the citizen by phone, records consent with the code the citizen got by SMS,
starts an application for the citizen and submits it, and ends the session; the application is the
citizen's and says who helped, and the operator can no longer open it. Then the operator registers a new
citizen at the kiosk (the registration code records consent) and reprints the first application's receipt
with the code sent to its applicant. axe-core at kiosk size (1080x1920) on these kiosk pages: no serious or
critical problems.

The answers and documents of the application are put in by a script (the same `journey` calls the demo
cases use), between starting it in the browser and reviewing and submitting it there: the browser part
under test is the assisted session, consent, submission and who may open it afterwards."""

from __future__ import annotations

import re
import time
import uuid
from urllib.parse import urlsplit

import pyotp
import pytest

from tests.e2e.conftest import flask_command, shots_folder
from tests.e2e.own_portal import kiosk_script, own_portal, run_in
from tests.e2e.test_public_pages_in_browser import serious_problems
from tests.messages import six_digit_codes, texts_to

KIOSK_SIZE = {"width": 1080, "height": 1920}
SHOTS = shots_folder("assisted")
NEW_CITIZEN_PHONE = "+85512555987"
PASSWORD = "operator-test-password-7"
CITIZEN_PHONE = "+85512555123"

PEOPLE = f"""
    operator = people.create(email=sys.argv[1], password_hash=hash_password({PASSWORD!r}), name_km="ចាន់ ដារ៉ា",
                             name_latin="Chan Dara")
    totp.store(operator, sys.argv[2])
    assisted.make_operator(operator, centre)
    admin = people.create(email="admin-" + sys.argv[1], password_hash=hash_password({PASSWORD!r}), is_admin=True,
                          name_latin="Admin")
    totp.store(admin, sys.argv[2])
    people.create(phone="+85512555444", password_hash=hash_password({PASSWORD!r}), name_km="ម៉ៅ វណ្ណា")
    people.create(phone={CITIZEN_PHONE!r}, password_hash=hash_password({PASSWORD!r}), name_km="សុខ ចាន់ធី",
                  name_latin="Sok Chanthy", locale="km", national_id="020310001")
    print(kiosk.public_id)
"""

# The answers and documents of the draft the operator started (as `flask demo load` makes its cases).
ANSWER_THE_DRAFT = """
import sys
from datetime import UTC, datetime
from portal import create_app
from portal.cli.demo_cases import BATTAMBANG, Files, required_documents
from portal.data import applications as application_data
from portal.data import people
from portal.data.db import db
from portal.domain.applications import journey, versions
with create_app().app_context():
    application = application_data.get_by_public_id(sys.argv[1])
    service = versions.definition_for(application)
    citizen = people.get_by_id(application.applicant_person_id)
    answers = {"name_km": citizen.name_km, "name_latin": citizen.name_latin, "date_of_birth": "1990-04-14",
               "national_id": citizen.national_id, "phone": citizen.phone, "address": dict(BATTAMBANG),
               "years": 8, "book_type": "family_book", "book_number": "020310-0457", "purpose": "bank",
               "purpose_other": None, "equity_card": "no", "declaration": True}
    journey.save_answers(application, answers)
    files = Files()
    for requirement in required_documents(service, answers):
        document = files.for_requirement(requirement, person=citizen, organisation=None, at=datetime.now(UTC))
        application_data.attach(application, requirement.id, document.id)
    db.session.commit()
"""
USED_CODES: set[str] = set()


def operator_signs_in(page, url: str, email: str, totp_secret: str) -> None:
    """Password, then the authenticator's code (a new one: a code works once)."""
    page.goto(f"{url}/sign-in")
    page.fill("#contact", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/sign-in/code"))
    while (code := pyotp.TOTP(totp_secret).now()) in USED_CODES:
        time.sleep(1)
    USED_CODES.add(code)
    page.fill("#code", code)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.fixture(scope="module")
def assisted_portal(tmp_path_factory):
    email, secret = f"operator-{uuid.uuid4().hex[:8]}@example.com", pyotp.random_base32()
    with own_portal(tmp_path_factory.mktemp("assist-instance"), kiosk_script(PEOPLE), email, secret) as portal:
        kiosk_id, enrolment = portal.printed[-2:]
        yield {"url": portal.url, "enrolment": enrolment, "kiosk": kiosk_id, "email": email, "secret": secret,
               "instance": portal.instance, "env": portal.env}


def test_an_assisted_filing_with_consent_by_code(browser, assisted_portal, axe_script):
    url, instance = assisted_portal["url"], assisted_portal["instance"]
    context = browser.new_context(viewport=KIOSK_SIZE, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{url}/kiosk/enrol/{assisted_portal['enrolment']}")
    assert page.url == f"{url}/kiosk"

    # The operator signs in as staff do: password, then the authenticator's code.
    operator_signs_in(page, url, assisted_portal["email"], assisted_portal["secret"])
    page.goto(f"{url}/kiosk")
    page.locator("a.kiosk-action[href='/kiosk/assist']").click()
    assert serious_problems(page, axe_script) == []
    page.fill("#phone", "012 555 123")
    page.locator("main form[action='/kiosk/assist'] button[type=submit]").click()
    page.wait_for_url(f"{url}/kiosk/assist/consent")
    assert page.get_attribute("html", "lang") == "km"
    page.screenshot(path=str(SHOTS / "consent-step-km-1080x1920.png"), full_page=True)
    assert serious_problems(page, axe_script) == []

    page.locator("form[action='/kiosk/assist/consent/send'] button").click()
    page.wait_for_url(f"{url}/kiosk/assist/consent")
    [sms] = texts_to(instance, CITIZEN_PHONE)
    [code] = six_digit_codes(sms)
    page.fill("#code", code)
    page.locator("form[action='/kiosk/assist/consent/code'] button[type=submit]").click()  # not a key of the pad
    page.wait_for_url(f"{url}/")

    # Acting for the citizen through the ordinary applicant pages.
    page.goto(f"{url}/services/residence-certificate/start")
    assert "សុខ ចាន់ធី" in page.locator("main").inner_text()  # "Myself" is the citizen
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/steps/"))
    application_url = re.sub(r"/steps/.*$", "", page.url)
    public_id = application_url.rsplit("/", 1)[1]
    run_in(assisted_portal["env"], ANSWER_THE_DRAFT, public_id)

    # Reviewed and submitted in the browser, with consent recorded: the kiosk shows the receipt.
    page.goto(f"{application_url}/review")
    page.locator("main form[action$='/submit'] input[name=declaration]").check()
    page.locator("main form[action$='/submit'] button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(application_url)
    assert "/review" not in page.url
    reference = page.locator("main").inner_text()
    found = re.search(r"\b[A-Z]{2,3}-[0-9A-Z]{4}-[0-9A-Z]{4}\b", reference)
    assert found, reference
    assisted_portal["reference"] = found.group(0)
    helped = page.locator("[data-helped-by]").inner_text()
    assert "ចាន់ ដារ៉ា" in helped and "Kiosk 1" in helped
    page.screenshot(path=str(SHOTS / "application-submitted-helped-by-km-1080x1920.png"), full_page=True)
    assert serious_problems(page, axe_script) == []

    # "End assisted session": the application is no longer the operator's to open.
    page.locator(".kiosk-bar form[action='/kiosk/assist/end'] button").click()
    page.wait_for_url(f"{url}/kiosk/assist")
    assert page.goto(application_url).status == 404
    assert page.goto(f"{application_url}/review").status == 404

    # The citizen, on their own phone, finds it submitted in their account, filed with help.
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    mine = phone.new_page()
    mine.goto(f"{url}/sign-in")
    mine.fill("#contact", "012 555 123")
    mine.fill("#password", PASSWORD)
    mine.locator("main form button[type=submit]").first.click()
    mine.wait_for_load_state()
    mine.goto(application_url)
    assert "ចាន់ ដារ៉ា" in mine.locator("[data-helped-by]").inner_text()
    assert assisted_portal["reference"] in mine.locator("main").inner_text()
    mine.screenshot(path=str(SHOTS / "citizen-application-helped-by-km-390.png"), full_page=True)
    phone.close()
    context.close()


def test_registering_a_citizen_and_reprinting_a_receipt_at_the_kiosk(browser, assisted_portal, axe_script):
    url, instance = assisted_portal["url"], assisted_portal["instance"]
    link = flask_command(instance, "kiosks", "link", assisted_portal["kiosk"]).stdout.strip().splitlines()[-1]
    context = browser.new_context(viewport=KIOSK_SIZE, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(url + urlsplit(link).path)  # the command prints it on the configured base URL
    operator_signs_in(page, url, assisted_portal["email"], assisted_portal["secret"])

    # A number with no account: the operator registers the citizen here.
    page.goto(f"{url}/kiosk/assist")
    page.fill("#phone", "012 555 987")
    page.locator("main form[action='/kiosk/assist'] button[type=submit]").click()
    page.wait_for_url(f"{url}/kiosk/assist/register")
    assert page.input_value("#phone") == NEW_CITIZEN_PHONE
    page.fill("#name_km", "កែវ សុភាព")
    page.fill("#name_latin", "Keo Sopheap")
    page.screenshot(path=str(SHOTS / "register-citizen-km-1080x1920.png"), full_page=True)
    assert serious_problems(page, axe_script) == []
    page.locator("main form[action='/kiosk/assist/register'] button[type=submit]").click()
    page.wait_for_url(f"{url}/kiosk/assist/register/code")
    page.screenshot(path=str(SHOTS / "register-citizen-code-km-1080x1920.png"), full_page=True)
    assert serious_problems(page, axe_script) == []
    [sms] = texts_to(instance, NEW_CITIZEN_PHONE)
    assert "ចាន់ ដារ៉ា" in sms
    [code] = six_digit_codes(sms)
    page.fill("#code", code)
    page.locator("main form[action='/kiosk/assist/register/code'] button[type=submit]").click()
    page.wait_for_url(f"{url}/")
    assert page.locator(".kiosk-bar form[action='/kiosk/assist/end']").count() == 1  # acting for the citizen
    page.locator(".kiosk-bar form[action='/kiosk/assist/end'] button").click()
    page.wait_for_url(f"{url}/kiosk/assist")

    # Reprint: the reference of the first test's application, and the code its applicant received.
    reference = assisted_portal["reference"]
    page.goto(f"{url}/kiosk/assist/filings")
    assert reference in page.locator("main").inner_text()
    page.screenshot(path=str(SHOTS / "filings-reprint-km-1080x1920.png"), full_page=True)
    assert serious_problems(page, axe_script) == []
    before = len(texts_to(instance, CITIZEN_PHONE))
    page.fill("#reference", reference.lower())
    page.locator("main form[action='/kiosk/assist/reprint'] button[type=submit]").click()
    page.wait_for_url(f"{url}/kiosk/assist/reprint/code")
    assert reference not in page.url
    page.screenshot(path=str(SHOTS / "reprint-code-km-1080x1920.png"), full_page=True)
    assert serious_problems(page, axe_script) == []
    sent = texts_to(instance, CITIZEN_PHONE)
    assert len(sent) == before + 1
    [code] = six_digit_codes(sent[-1].split(reference)[1])
    page.fill("#code", code)
    page.locator("main form[action='/kiosk/assist/reprint/code'] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/kiosk/applications/[^/]+/receipt$"))
    assert page.locator("[data-reference]").inner_text().strip() == reference
    page.screenshot(path=str(SHOTS / "reprinted-receipt-km-1080x1920.png"), full_page=True)
    assert serious_problems(page, axe_script) == []
    context.close()


def test_the_admin_operator_pages(browser, assisted_portal, axe_script):
    url = assisted_portal["url"]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    operator_signs_in(page, url, "admin-" + assisted_portal["email"], assisted_portal["secret"])
    page.goto(f"{url}/admin/kiosks")
    assert "ចាន់ ដារ៉ា" in page.locator("[data-operators='e2e-ctc']").inner_text()
    page.screenshot(path=str(SHOTS / "admin-kiosks-operators-km.png"), full_page=True)
    assert serious_problems(page, axe_script) == []
    page.goto(f"{url}/admin/kiosks/operators/new")
    page.select_option("#centre", "e2e-ctc")
    page.fill("#contact", "012 555 444")  # an account with a phone only
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{url}/admin/kiosks/operators/new")
    assert page.locator(".kiosk-link code").count() == 1  # no email address: the enrolment link, shown once
    assert "ម៉ៅ វណ្ណា" in page.locator("[data-operators='e2e-ctc']").inner_text()
    page.screenshot(path=str(SHOTS / "admin-operator-added-link-km.png"), full_page=True)
    assert serious_problems(page, axe_script) == []
    context.close()
