"""The finance page in a real browser, in Khmer, on the demo data: the demo cashier signs in, lands on his
office's finance page (he has no queue), reads the last month's payments with Khmer digits at desktop
width and on a phone without sideways scrolling, and downloads the CSV with its byte order mark.
Screenshots go to the directory named by PORTAL_E2E_SHOTS, when it is set."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest

from portal.domain.clock import today
from tests.e2e.conftest import PHONE
from tests.e2e.test_back_office_in_browser import (  # noqa: F401 - demo_totp is a fixture
    DESKTOP,
    UTF8_BOM,
    demo_totp,
    km,
    shot,
    sign_in,
)

FINANCE = "/staff/finance"


@pytest.fixture(scope="module")
def cashier_email(demo_totp):  # noqa: F811 - the fixture imported above
    email = next((e for e in demo_totp if e.startswith("cashier.")), None)
    assert email is not None, "the demo data has no cashier"
    return email


@pytest.fixture(scope="module")
def cashier_state(browser, portal_url, demo_totp, cashier_email):  # noqa: F811 - the fixture imported above
    return sign_in(browser, portal_url, cashier_email, demo_totp[cashier_email], FINANCE)


@pytest.fixture
def cashier_page(browser, cashier_state):
    contexts = []

    def open_page(viewport: dict):
        context = browser.new_context(viewport=viewport, storage_state=cashier_state)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def last_month() -> str:
    return f"{FINANCE}?start={(today() - timedelta(days=30)).isoformat()}&end={today().isoformat()}"


@pytest.mark.parametrize(("viewport", "name"), [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_the_cashier_reads_the_month_in_khmer_without_scrolling_sideways(cashier_page, portal_url, viewport, name):
    page = cashier_page(viewport)
    page.goto(portal_url + "/staff/queue")
    page.wait_for_url(portal_url + FINANCE)  # a cashier has no queue
    page.goto(portal_url + last_month())
    assert page.get_by_role("heading", level=1).inner_text().startswith(km("Finance"))
    net = page.locator("#totals .net").first.inner_text()
    assert "៛" in net and any(digit in net for digit in "០១២៣៤៥៦៧៨៩"), net
    assert page.locator("#per-day tbody tr").count() > 0
    sideways = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert sideways <= 0, f"the finance page scrolls sideways by {sideways} px at {viewport['width']} px"
    shot(page, f"finance-{name}")


def test_the_csv_downloads_with_a_byte_order_mark(cashier_page, portal_url):
    page = cashier_page(DESKTOP)
    page.goto(portal_url + last_month())
    with page.expect_download() as download:
        page.get_by_role("link", name=km("Download this report as a spreadsheet (CSV)")).click()
    body = download.value.path().read_bytes()
    assert body.startswith(UTF8_BOM) and b"section,day,method" in body


def test_the_cashier_finds_a_case_by_reference_and_sees_only_its_payment(cashier_page, portal_url, portal_instance,
                                                                          cashier_email):
    office = cashier_email.split("@")[0].removeprefix("cashier.")  # demo accounts: <role>.<office>@...
    with sqlite3.connect(portal_instance / "portal.sqlite3") as connection:
        reference = connection.execute(
            "SELECT reference FROM applications WHERE current_agency = ? AND paid = 0 AND reference IS NOT NULL "
            "ORDER BY id LIMIT 1", (office,)).fetchone()
    assert reference, f"the demo data has no unpaid case at {office}"
    page = cashier_page(PHONE)
    page.goto(portal_url + FINANCE)
    page.fill("#reference", reference[0].lower())
    with page.expect_navigation():
        page.get_by_role("button", name=km("Find the case")).click()
    payment = page.locator("#payment")
    assert payment.get_by_role("heading", level=2).inner_text() == km("Payment")
    assert payment.get_by_role("button", name=km("Record the payment")).is_visible()
    headings = page.locator("main h2").all_inner_texts()
    assert km("Answers") not in headings and km("Notes and messages") not in headings
    sideways = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert sideways <= 0, f"the cashier's case scrolls sideways by {sideways} px at 390 px"
    shot(page, "cashier-case-phone")

