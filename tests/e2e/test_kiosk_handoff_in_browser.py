""""Continue on my phone" in a real browser (issue 14): on an enrolled kiosk (1080x1920) a citizen starts a
draft and answers a step, taps "Continue on my phone"; the QR code on the kiosk page is read from a screenshot
with zbarimg; a second browser at phone size (390x844) opens the link, signs in, confirms, and sees the draft
with the answer; meanwhile the kiosk's page learns the link was used, finishes (Clear-Site-Data) and is back at
its home, and its Back shows nothing of the person. axe-core on the new kiosk page: nothing serious or critical.
Screenshots go to PORTAL_E2E_SHOTS/kiosk-handoff when set."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid

import pytest

from tests.e2e.conftest import PHONE, shots_folder
from tests.e2e.own_portal import kiosk_script, own_portal
from tests.e2e.test_kiosk_in_browser import KIOSK_SIZE, PASSWORD
from tests.e2e.test_public_pages_in_browser import serious_problems

SHOTS = shots_folder("kiosk-handoff")
NATIONAL_ID = "012345678"

CITIZEN = f"""
    people.create(email=sys.argv[1], phone="+85512444321", password_hash=hash_password({PASSWORD!r}), locale="km",
                  name_km="សុខ ចាន់ធី", name_latin="SOK CHANTHY", date_of_birth=date(1990, 4, 13))
"""


@pytest.fixture(scope="module")
def handoff_portal(tmp_path_factory):
    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg is not installed")
    email = f"handoff-{uuid.uuid4().hex[:8]}@example.com"
    with own_portal(tmp_path_factory.mktemp("handoff-instance"), kiosk_script(CITIZEN), email) as portal:
        yield portal.url, portal.printed[-1], email


def read_qr(png) -> str:
    result = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sbinary", str(png)], capture_output=True, timeout=60,
                            check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode("utf-8").strip()


def sign_in(page, url: str, email: str) -> None:
    page.fill("#contact", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()


def test_a_draft_moves_from_the_kiosk_to_the_citizens_phone(browser, handoff_portal, axe_script):
    url, secret, email = handoff_portal
    kiosk = browser.new_context(viewport=KIOSK_SIZE, bypass_csp=True)  # axe is injected as an inline script
    page = kiosk.new_page()
    page.set_default_timeout(20_000)
    cleared = []
    page.on("response", lambda r: cleared.append(r.all_headers().get("clear-site-data"))
            if "/kiosk/finish" in r.url else None)
    page.goto(f"{url}/kiosk/enrol/{secret}")
    assert page.url == f"{url}/kiosk"
    page.goto(f"{url}/sign-in")
    sign_in(page, url, email)

    # A draft, with the first step answered (the national ID is not in the profile: typed here).
    page.goto(f"{url}/services/residence-certificate/start")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/steps/person$"))
    application_url = re.sub(r"/steps/.*$", "", page.url)
    page.fill("#national_id", NATIONAL_ID)
    page.locator("#step-form button.button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/steps/residence$"))
    page.screenshot(path=str(SHOTS / "step-with-offer-km-1080x1920.png"), full_page=True)

    page.locator("form.handoff-offer button").click()
    page.locator("img.handoff-qr").wait_for()
    assert page.get_attribute("html", "lang") == "km"
    shot = SHOTS / "handoff-qr-km-1080x1920.png"
    page.screenshot(path=str(shot), full_page=True)
    assert serious_problems(page, axe_script) == []
    link = read_qr(shot)
    assert re.fullmatch(re.escape(url) + r"/continue/[A-Za-z0-9_-]{43}", link), link

    # The citizen's own phone.
    phone = browser.new_context(viewport=PHONE, bypass_csp=True)
    mine = phone.new_page()
    mine.set_default_timeout(20_000)
    mine.goto(link)
    assert "/sign-in" in mine.url  # signed in first, then back to the link
    sign_in(mine, url, email)
    mine.wait_for_url(link)
    mine.screenshot(path=str(SHOTS / "phone-confirm-km-390.png"), full_page=True)
    assert serious_problems(mine, axe_script) == []
    mine.locator("main form button[type=submit]").click()
    mine.wait_for_url(application_url)
    mine.screenshot(path=str(SHOTS / "phone-draft-km-390.png"), full_page=True)
    mine.goto(f"{application_url}/steps/person")
    assert mine.input_value("#national_id") == NATIONAL_ID

    # The kiosk learned it and cleared itself.
    page.wait_for_url(f"{url}/kiosk", timeout=20_000)
    assert '"cache", "storage"' in cleared
    assert page.locator("form[action='/sign-out']").count() == 0
    page.screenshot(path=str(SHOTS / "kiosk-home-after-km-1080x1920.png"), full_page=True)
    page.go_back()
    page.wait_for_load_state()
    assert NATIONAL_ID not in page.content() and "handoff-qr" not in page.content()
    assert page.locator("form[action='/sign-out']").count() == 0
    page.goto(application_url)
    assert "/sign-in" in page.url
    # The link was used: opening it again says so.
    again = phone.new_page()
    assert again.goto(link).status == 410
    phone.close()
    kiosk.close()
