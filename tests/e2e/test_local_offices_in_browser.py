"""Local offices in a real browser, in Khmer, on the demo data: the administrator's "Unstaffed offices"
list shows the Siem Reap sangkat office where a demo case waits with nobody working there, and the staff
form's agency list shows a province's district and commune offices once that province is chosen. axe finds
no serious or critical problem on either page. Screenshots go to PORTAL_E2E_SHOTS/local-offices."""

from __future__ import annotations

import pytest

from portal.cli import demo
from tests.e2e.conftest import shots_folder
from tests.e2e.test_back_office_in_browser import DESKTOP, demo_totp, km, unused_code  # noqa: F401 - fixture
from tests.e2e.test_public_pages_in_browser import serious_problems

ADMIN = demo.ADMIN["email"]
SHOTS = shots_folder("local-offices")


@pytest.fixture(scope="module")
def admin_state(browser, portal_url, demo_totp):  # noqa: F811 - the imported fixture
    """The demo administrator signed in through the forms (password, then code)."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{portal_url}/sign-in?next=/admin/unstaffed-offices")
        page.fill("#contact", ADMIN)
        page.fill("#password", demo.ADMIN_PASSWORD)
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(portal_url + "/sign-in/code")
        page.fill("#code", unused_code(ADMIN, demo_totp[ADMIN]))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(portal_url + "/admin/unstaffed-offices")
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture
def admin_page(browser, admin_state):
    context = browser.new_context(viewport=DESKTOP, storage_state=admin_state, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_administrator_sees_the_unstaffed_sangkat_office_in_khmer(admin_page, portal_url, axe_script):
    page = admin_page
    page.goto(portal_url + "/admin/unstaffed-offices")
    assert page.get_attribute("html", "lang") == "km"
    assert page.get_by_role("heading", level=1).inner_text() == km("Unstaffed offices")
    rows = page.locator("main tbody tr")
    names = rows.locator("th").all_inner_texts()
    assert "រដ្ឋបាលសង្កាត់ស្លក្រាម ក្រុងសៀមរាប" in names
    row = rows.nth(names.index("រដ្ឋបាលសង្កាត់ស្លក្រាម ក្រុងសៀមរាប"))
    assert row.locator("td").all_inner_texts()[0] == "សៀមរាប"
    assert row.locator("a").count() == 0
    page.screenshot(path=str(SHOTS / "unstaffed-offices-km.png"), full_page=True)
    assert serious_problems(page, axe_script) == []


def test_the_staff_form_lists_a_provinces_offices_grouped_by_district(admin_page, portal_url, axe_script):
    page = admin_page
    page.goto(portal_url + "/admin/staff/new")
    assert page.locator("select[name=agency] option[value=commune-171001]").count() == 0
    page.select_option("#province", "17")
    with page.expect_navigation():
        page.get_by_role("button", name=km("Show its offices")).click()
    assert page.url.endswith("province=17")
    group = page.locator("select[name=agency] optgroup[label='រដ្ឋបាលក្រុងសៀមរាប ខេត្តសៀមរាប']")
    assert group.locator("option").first.get_attribute("value") == "district-1710"
    assert group.locator("option[value=commune-171001]").inner_text() == "រដ្ឋបាលសង្កាត់ស្លក្រាម ក្រុងសៀមរាប"
    page.screenshot(path=str(SHOTS / "staff-new-province-17-km.png"), full_page=True)
    assert serious_problems(page, axe_script) == []
