"""Paying by KHQR on a phone (390 px, Khmer), on the demo data: the demo citizen presses "Pay by KHQR" on an
application of theirs that still owes something; the QR code drawn on the page, read back by zbarimg, is
exactly the string in the copy field, and that string asks for what is due with the reference as its bill
number. Once the payment is confirmed (as the provider's callback would, through `khqr_requests.confirm`),
the page notices by itself and says thank you. With PORTAL_E2E_SHOTS set, screenshots are saved there."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from portal.cli import demo
from portal.payments import khqr
from tests.e2e.conftest import FLASK, PHONE, PROJECT_ROOT, _unavailable, flask_command, portal_env

# Run inside `flask shell` against the session's portal. The demo citizen's first application in progress
# that owes something (whatever the service: the demo's stories may change).
OWING = f"""
import json
from sqlalchemy import select
from portal.data.db import db
from portal.data.models import Application, Person
from portal.domain.applications.versions import definition_for
from portal.payments import account
from portal.web.applicant.khqr_offer import in_progress

def due(application):
    service = definition_for(application)
    found = account.account(service, application)
    return found.due if found and in_progress(service, application) else {{}}

citizen = db.session.scalar(select(Person).where(Person.email == {demo.CITIZEN["email"]!r}))
mine = db.session.scalars(select(Application).where(Application.applicant_person_id == citizen.id,
    Application.reference.is_not(None)).order_by(Application.id)).all()
target = next(a for a in mine if due(a))
print("RESULT" + json.dumps({{"public_id": target.public_id, "reference": target.reference, "due": due(target)}}))
"""  # noqa: S608 - Python for `flask shell`, not SQL

# The provider says every open request of the application was paid (what the signed callback ends in).
CONFIRM = """
import json
from sqlalchemy import select
from portal.data import payment_requests
from portal.data.db import db
from portal.data.models import Application
from portal.domain import clock
from portal.domain.applications.versions import definition_for
from portal.payments import khqr_requests

application = db.session.scalar(select(Application).where(Application.public_id == {public_id!r}))
outcomes = []
for request in payment_requests.for_application(application.id):
    if request.state == "open":
        outcomes.append(khqr_requests.confirm(
            definition_for(application), application, payment_requests.lock(request.id),
            amount_minor=request.amount_minor, currency=request.currency,
            provider_reference="e2e-" + request.md5, paid_at=clock.now()).outcome)
db.session.commit()
print("RESULT" + json.dumps(outcomes))
"""


def in_shell(instance: Path, code: str):
    env = portal_env(instance)
    socket_path = instance / "redis" / "redis.sock"
    if socket_path.exists():
        env["REDIS_URL"] = f"unix://{socket_path}"
    result = subprocess.run([*FLASK, "shell"], input=f"exec({code!r})\n", cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    found = [line for line in result.stdout.splitlines() if "RESULT" in line]
    assert found, result.stdout[-2000:] + result.stderr[-3000:]
    return json.loads(found[-1].split("RESULT", 1)[1])


def shot(page, name: str) -> None:
    directory = os.environ.get("PORTAL_E2E_SHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"khqr-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def zbarimg() -> str:
    found = shutil.which("zbarimg")
    if found is None:
        _unavailable("zbarimg was not found (install Debian's zbar-tools)")
    return found


@pytest.fixture(scope="module")
def owing(portal_url, portal_instance) -> dict:
    flask_command(portal_instance, "demo", "load")
    return in_shell(portal_instance, OWING)


def sign_in(browser, portal_url, viewport):
    context = browser.new_context(viewport=viewport)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=portal_url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{portal_url}/sign-in")
    page.fill("#contact", demo.CITIZEN["email"])
    page.fill("#password", demo.CITIZEN_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url
    return context, page


def read_qr(zbarimg: str, png: bytes, tmp_path: Path) -> str:
    path = tmp_path / "khqr.png"
    path.write_bytes(png)
    # Binary: the bytes as they are in the code (UTF-8, the Khmer of tag 64 included), no charset guessing.
    result = subprocess.run([zbarimg, "--quiet", "--raw", "-Sbinary", str(path)], capture_output=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout.decode("utf-8").removesuffix("\n")


def test_pay_by_khqr_on_a_phone_in_khmer(browser, portal_url, portal_instance, owing, zbarimg, tmp_path):
    from playwright.sync_api import expect

    context, page = sign_in(browser, portal_url, PHONE)
    try:
        page.goto(f"{portal_url}/applications/{owing['public_id']}")
        assert page.get_attribute("html", "lang") == "km"
        shot(page, "application-km-390")
        page.locator("main form[action$='/pay'] button").click()
        page.wait_for_url(f"**/applications/{owing['public_id']}/pay")
        assert page.get_attribute("html", "lang") == "km"
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        [currency] = list(owing["due"])  # the demo's fees are in one currency
        card = page.locator(f"#khqr-{currency.lower()}")
        string = card.locator("textarea.khqr-string").input_value()
        qr = card.locator("img.khqr-code")
        qr.scroll_into_view_if_needed()
        assert read_qr(zbarimg, qr.screenshot(), tmp_path) == string
        decoded = khqr.decode(string)
        assert (decoded.amount, decoded.currency, decoded.bill_number) == (
            owing["due"][currency], currency, owing["reference"])
        assert "៛" in card.locator("h2").inner_text() or currency != "KHR"

        copy = card.locator("button[data-copy]")
        assert copy.is_visible()  # khqr.js shows it
        copy.click()
        expect(page.locator(f"[data-copy-status='khqr-string-{currency.lower()}']")).to_have_text("បានចម្លងរួច")
        assert page.evaluate("navigator.clipboard.readText()") == string
        page.locator("h1").click()  # out of the field: the screenshot shows the page as it is read
        shot(page, "pay-km-390")

        assert in_shell(portal_instance, CONFIRM.format(public_id=owing["public_id"])) == ["accepted"]
        # The page polls its status every few seconds and reloads when it changes.
        page.locator("main .notice-success").wait_for(timeout=20_000)
        assert "បានបង់ប្រាក់ហើយ សូមអរគុណ។" in page.locator("main").inner_text()
        shot(page, "paid-km-390")
    finally:
        context.close()


def test_the_payment_page_in_english_on_a_desktop(browser, portal_url, portal_instance, owing):
    """Looked at by a person (screenshot); checked here for the English words and the code's presence."""
    context, page = sign_in(browser, portal_url, {"width": 1280, "height": 900})
    try:
        other = in_shell(portal_instance, OWING)  # the first test paid the first owing application
        page.goto(f"{portal_url}/applications/{other['public_id']}?lang=en")
        page.locator("main form[action$='/pay'] button").click()
        page.wait_for_url(f"**/applications/{other['public_id']}/pay")
        page.goto(f"{portal_url}/applications/{other['public_id']}/pay?lang=en")  # the person's own choice is km
        assert page.locator("h1").inner_text() == "Pay by KHQR"
        assert page.locator("main img.khqr-code").count() == len(other["due"])
        shot(page, "pay-en-desktop")
    finally:
        context.close()
