"""Assisted service in a real browser (issue 14): on an enrolled kiosk, an operator of its centre signs in
with password and TOTP, finds the citizen by phone, records consent with the code the citizen got by SMS,
starts an application for the citizen, and ends the session; the application is the citizen's and says
who helped. axe-core at kiosk size (1080x1920) on the new kiosk pages: no serious or critical problems."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid

import pyotp
import pytest

from tests.e2e.conftest import FLASK, PROJECT_ROOT, _free_port, _stop, _wait_until_up, portal_env, shots_folder
from tests.e2e.test_public_pages_in_browser import serious_problems
from tests.messages import six_digit_codes, texts_to

KIOSK_SIZE = {"width": 1080, "height": 1920}
SHOTS = shots_folder("assisted")
PASSWORD = "operator-test-password-7"
CITIZEN_PHONE = "+85512555123"

MAKE_KIOSK_OPERATOR_AND_CITIZEN = f"""
import sys
from portal import create_app
from portal.data import people
from portal.data.db import db
from portal.domain import assisted, kiosks
from portal.domain.identity import totp
from portal.domain.identity.passwords import hash_password
with create_app().app_context():
    place = dict(province="02", district="0203", commune="020301")
    centre = kiosks.create_centre(None, slug="e2e-ctc", name_km="មជ្ឈមណ្ឌលបច្ចេកវិទ្យាសហគមន៍បាត់ដំបង",
                                  name_en="Battambang CTC", kind="tech_center", **place)
    kiosk, secret = kiosks.register_kiosk(None, centre=centre, name="Kiosk 1", printer_kind="a4", **place)
    operator = people.create(email=sys.argv[1], password_hash=hash_password({PASSWORD!r}), name_km="ចាន់ ដារ៉ា",
                             name_latin="Chan Dara")
    totp.store(operator, sys.argv[2])
    assisted.make_operator(operator, centre)
    people.create(phone={CITIZEN_PHONE!r}, password_hash=hash_password({PASSWORD!r}), name_km="សុខ ចាន់ធី",
                  name_latin="Sok Chanthy", locale="km")
    db.session.commit()
    print(secret)
"""


@pytest.fixture(scope="module")
def assisted_portal(tmp_path_factory):
    instance = tmp_path_factory.mktemp("assist-instance")
    env = portal_env(instance)
    subprocess.run([*FLASK, "db", "upgrade"], cwd=PROJECT_ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    log = instance / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*FLASK, "serve", "--port", str(port)], cwd=PROJECT_ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        env["REDIS_URL"] = f"unix://{instance / 'redis' / 'redis.sock'}"
        email, secret = f"operator-{uuid.uuid4().hex[:8]}@example.com", pyotp.random_base32()
        done = subprocess.run([sys.executable, "-c", MAKE_KIOSK_OPERATOR_AND_CITIZEN, email, secret],
                              cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=True)
        yield url, done.stdout.strip().splitlines()[-1], email, secret, instance
    finally:
        _stop(process, instance)


def test_an_assisted_filing_with_consent_by_code(browser, assisted_portal, axe_script):
    url, enrolment, email, totp_secret, instance = assisted_portal
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=KIOSK_SIZE, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{url}/kiosk/enrol/{enrolment}")
    assert page.url == f"{url}/kiosk"

    # The operator signs in as staff do: password, then the authenticator's code.
    page.goto(f"{url}/sign-in")
    page.fill("#contact", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/sign-in/code"))
    page.fill("#code", pyotp.TOTP(totp_secret).now())
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
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
    page.goto(application_url)
    helped = page.locator("[data-helped-by]").inner_text()
    assert "ចាន់ ដារ៉ា" in helped and "Kiosk 1" in helped
    page.screenshot(path=str(SHOTS / "application-helped-by-km-1080x1920.png"), full_page=True)
    assert serious_problems(page, axe_script) == []

    # "End assisted session": the application is no longer the operator's to open.
    page.locator(".kiosk-bar form[action='/kiosk/assist/end'] button").click()
    page.wait_for_url(f"{url}/kiosk/assist")
    assert page.goto(application_url).status == 404

    # The citizen, on their own phone, finds it in their account.
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    mine = phone.new_page()
    mine.goto(f"{url}/sign-in")
    mine.fill("#contact", "012 555 123")
    mine.fill("#password", PASSWORD)
    mine.locator("main form button[type=submit]").first.click()
    mine.wait_for_load_state()
    mine.goto(application_url)
    assert "ចាន់ ដារ៉ា" in mine.locator("[data-helped-by]").inner_text()
    mine.screenshot(path=str(SHOTS / "citizen-application-helped-by-km-390.png"), full_page=True)
    phone.close()
    context.close()
