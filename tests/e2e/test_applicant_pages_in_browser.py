"""The applicant's own application pages on a phone (390 px, Khmer), on the demo data: the list of who
in government looked at the application stays short however often they looked (issue 12, point 9).
With PORTAL_E2E_SHOTS set, full-page screenshots of the pages issue 12 changed are saved there."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from portal.cli import demo
from tests.e2e.conftest import FLASK, PHONE, PROJECT_ROOT, flask_command, portal_env

VIEWS = 60  # a clerk who opened the case sixty times: on main, sixty table rows

# Run inside `flask shell` against the session's portal: the demo citizen's submitted applications,
# one of them looked at VIEWS times by a clerk of the office handling it.
LOOKS = f"""
import json
from sqlalchemy import select
from portal.data.db import db
from portal.data.models import Agency, Application, Person, StaffRole
from portal.domain import audit

def clerks_of(slug):
    return db.session.scalars(select(Person).join(StaffRole, StaffRole.person_id == Person.id)
        .join(Agency, Agency.id == StaffRole.agency_id).where(Agency.slug == slug, StaffRole.role == "clerk")).all()

sokha = db.session.scalar(select(Person).where(Person.email == {demo.CITIZEN["email"]!r}))
mine = db.session.scalars(select(Application).where(Application.applicant_person_id == sokha.id,
    Application.state != "draft", Application.current_agency.is_not(None)).order_by(Application.id)).all()
target = next(a for a in mine if clerks_of(a.current_agency))
clerk = clerks_of(target.current_agency)[0]
for _ in range({VIEWS}):
    audit.record_staff_view(clerk, target)
db.session.commit()
tax = next((a.public_id for a in mine if a.service_slug == "tax-filing"), None)
print("RESULT" + json.dumps({{"looked_at": target.public_id, "tax": tax}}))
"""  # noqa: S608 - Python for `flask shell`, not SQL


def shot(page, name: str) -> None:
    directory = os.environ.get("PORTAL_E2E_SHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"applicant-{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def demo_applications(portal_url, portal_instance) -> dict:
    flask_command(portal_instance, "demo", "load")
    env = portal_env(portal_instance)
    socket_path = portal_instance / "redis" / "redis.sock"
    if socket_path.exists():
        env["REDIS_URL"] = f"unix://{socket_path}"
    # One line for the interactive shell, which would otherwise want a blank line after each block.
    result = subprocess.run([*FLASK, "shell"], input=f"exec({LOOKS!r})\n", cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    found = [line for line in result.stdout.splitlines() if "RESULT" in line]
    assert found, result.stdout[-2000:] + result.stderr[-3000:]
    return json.loads(found[-1].split("RESULT", 1)[1])


@pytest.fixture
def citizen_page(browser, portal_url):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{portal_url}/sign-in")
    page.fill("#contact", demo.CITIZEN["email"])
    page.fill("#password", demo.CITIZEN_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url
    yield page
    context.close()


def test_who_looked_stays_short_on_a_phone(citizen_page, portal_url, demo_applications):
    page = citizen_page
    page.goto(f"{portal_url}/applications/{demo_applications['looked_at']}")
    assert page.get_attribute("html", "lang") == "km"
    shot(page, "who-looked")
    # Sixty looks at a row each made this page 4,500 px and more on a phone.
    page_height = page.evaluate("document.documentElement.scrollHeight")
    assert page_height < 3000, f"the application page is {page_height} px tall at 390 px"
    section = page.locator("#who-looked")
    assert section.count() == 1
    height = section.bounding_box()["height"]
    assert height < 500, f"the list of who looked is {height:.0f} px tall at 390 px"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_changed_pages_on_a_phone(citizen_page, portal_url, demo_applications):
    """Looked at by a person (screenshots); checked here only for sideways scrolling."""
    page = citizen_page
    pages = {"application": demo_applications["looked_at"]}
    if demo_applications["tax"]:
        pages["tax-filing"] = demo_applications["tax"]
    for name, public_id in pages.items():
        for suffix in ("", "/documents", "/review"):
            page.goto(f"{portal_url}/applications/{public_id}{suffix}")
            shot(page, f"{name}{suffix.replace('/', '-')}")
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_a_tax_month_not_yet_ended_is_refused_in_khmer(citizen_page, portal_url, demo_applications):
    from portal.domain import clock

    page = citizen_page
    today = clock.today()
    page.goto(f"{portal_url}/services/tax-filing/start")
    choice = page.locator("[name=applicant]")  # the demo citizen's business, however the choice is drawn
    if choice.first.evaluate("e => e.tagName") == "SELECT":
        choice.first.select_option(index=choice.first.locator("option").count() - 1)
    elif choice.first.get_attribute("type") != "hidden":
        choice.last.check(force=True)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/steps/taxpayer")
    for name, value in (("taxpayer_name_km", "ហាងលក់គ្រឿងទេស"), ("taxpayer_name_en", "Spice Shop"),
                        ("tin", "K001-901234567")):
        if not page.input_value(f"input[name={name}]"):
            page.fill(f"input[name={name}]", value)
    page.locator("main form[enctype] button[type=submit]:not(.visually-hidden)").first.click()
    page.wait_for_url("**/steps/period")
    page.select_option("select[name=month]", f"{today.month:02d}")
    page.fill("input[name=year]", str(today.year))
    page.locator("main form[enctype] button[type=submit]:not(.visually-hidden)").first.click()
    page.wait_for_load_state()
    shot(page, "tax-period-not-ended")
    assert "រយៈពេលនេះមិនទាន់ចប់នៅឡើយទេ" in page.locator("main").inner_text()
