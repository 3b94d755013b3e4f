"""A kiosk in a real browser (issue 14, first step): enrolled through its one-time link, a citizen signs in
on it and walks away; after the (short, for the test) idle time the warning counts down, the session ends
on the server, `Clear-Site-Data` comes over the wire, the kiosk home replaces the page, Back and a fresh
request show nothing of the person, and the kiosk is still enrolled. axe-core at kiosk size (1080x1920
portrait) on the kiosk home and the warning."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from tests.e2e.conftest import (
    FLASK,
    PROJECT_ROOT,
    _free_port,
    _stop,
    _wait_until_up,
    flask_command,
    portal_env,
    shots_folder,
)
from tests.e2e.test_public_pages_in_browser import serious_problems

KIOSK_SIZE = {"width": 1080, "height": 1920}
IDLE = 12  # the smallest KIOSK_IDLE_SECONDS allowed; its countdown is half of it
SHOTS = shots_folder("kiosk")
PASSWORD = "kiosk-test-password-7"

MAKE_KIOSK_AND_CITIZEN = f"""
import sys
from portal import create_app
from portal.data import people
from portal.data.db import db
from portal.domain import kiosks
from portal.domain.identity.passwords import hash_password
with create_app().app_context():
    place = dict(province="02", district="0203", commune="020301")
    centre = kiosks.create_centre(None, slug="e2e-ctc", name_km="មជ្ឈមណ្ឌលបច្ចេកវិទ្យាសហគមន៍បាត់ដំបង",
                                  name_en="Battambang CTC", kind="tech_center", **place)
    kiosk, secret = kiosks.register_kiosk(None, centre=centre, name="Kiosk 1", printer_kind="a4", **place)
    people.create(email=sys.argv[1], password_hash=hash_password({PASSWORD!r}), locale="km")
    db.session.commit()
    print(secret)
"""


@pytest.fixture(scope="module")
def kiosk_portal(tmp_path_factory):
    """A portal of its own, with a short kiosk idle time."""
    instance = tmp_path_factory.mktemp("kiosk-instance")
    env = portal_env(instance) | {"KIOSK_IDLE_SECONDS": str(IDLE)}
    flask_command(instance, "db", "upgrade")
    port = _free_port()
    log = instance / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*FLASK, "serve", "--port", str(port)], cwd=PROJECT_ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        env["REDIS_URL"] = f"unix://{instance / 'redis' / 'redis.sock'}"
        email = f"kiosk-{uuid.uuid4().hex[:8]}@example.com"
        done = subprocess.run([sys.executable, "-c", MAKE_KIOSK_AND_CITIZEN, email], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=120, check=True)
        yield url, done.stdout.strip().splitlines()[-1], email
    finally:
        _stop(process, instance)


def test_a_citizen_walks_away_and_the_next_person_finds_nothing(browser, kiosk_portal, axe_script):
    url, secret, email = kiosk_portal
    # axe is injected as an inline script, which our CSP rightly blocks: bypassed for this context only.
    context = browser.new_context(viewport=KIOSK_SIZE, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    cleared = []
    page.on("response", lambda r: cleared.append(r.all_headers().get("clear-site-data")) if "/kiosk/finish" in r.url
            else None)

    page.goto(f"{url}/kiosk/enrol/{secret}")
    assert page.url == f"{url}/kiosk"
    assert page.get_attribute("html", "lang") == "km"
    assert "Kiosk 1" in page.locator(".kiosk-bar").inner_text()
    page.screenshot(path=str(SHOTS / "kiosk-home-km-1080x1920.png"))
    assert serious_problems(page, axe_script) == []

    page.locator("a.kiosk-action[href='/sign-in']").click()
    page.fill("#contact", email)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    page.goto(f"{url}/applications")
    assert page.locator("form[action='/sign-out']").count() == 1  # signed in, in the kiosk layout
    assert page.locator(".kiosk-finish").is_visible()

    # Walks away: the warning comes after IDLE minus its countdown, then the kiosk home.
    page.locator("#kiosk-idle:not([hidden])").wait_for(timeout=(IDLE + 5) * 1000)
    page.screenshot(path=str(SHOTS / "kiosk-idle-warning-km-1080x1920.png"))
    assert serious_problems(page, axe_script) == []
    page.wait_for_url(f"{url}/kiosk", timeout=(IDLE + 5) * 1000)
    assert '"cache", "storage"' in cleared

    assert page.locator("form[action='/sign-out']").count() == 0
    page.go_back()
    page.wait_for_load_state()
    assert email not in page.content() and page.locator("form[action='/sign-out']").count() == 0
    page.goto(f"{url}/applications")
    assert "/sign-in" in page.url  # a fresh request is not signed in
    assert any(c["name"] == "kiosk" for c in context.cookies())
    page.goto(f"{url}/kiosk")
    assert "Kiosk 1" in page.locator(".kiosk-bar").inner_text()  # still enrolled
    context.close()
