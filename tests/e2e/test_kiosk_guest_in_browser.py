"""Applying without an account in a real browser (issue 14): on an enrolled kiosk at 1080x1920, in Khmer, a
guest applies for a residence certificate (the walk fills that service's form; the kiosk home offers
whichever services say `without_account: true`), submits, and the receipt shows the reference and the
tracking secret; then, on a phone-size browser, the receipt QR's link (reference and secret in the fragment)
opens /track, which shows the state. axe-core: no serious or critical problems on each new page."""

from __future__ import annotations

import re
import shutil
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import docfiles
from tests.e2e.conftest import shots_folder
from tests.e2e.own_portal import kiosk_script, own_portal
from tests.e2e.test_address_picker_in_browser import wait_for_option
from tests.e2e.test_kiosk_receipt_in_browser import _tool, codes_in
from tests.e2e.test_public_pages_in_browser import serious_problems

KIOSK_SIZE = {"width": 1080, "height": 1920}
PHONE_SIZE = {"width": 390, "height": 844}
SHOTS = shots_folder("guest")
SLUG = "residence-certificate"


@pytest.fixture(scope="module")
def guest_portal(tmp_path_factory):
    with own_portal(tmp_path_factory.mktemp("guest-instance"), kiosk_script(hall=True)) as portal:
        yield portal.url, portal.printed[-1], portal.instance


def save_and_continue(page):
    page.locator("main form[enctype] .button-group button[type=submit]").first.click()
    page.wait_for_load_state()


def test_a_guest_applies_in_khmer_and_follows_it_from_a_phone(browser, guest_portal, axe_script, tmp_path):
    url, enrolment, _instance = guest_portal
    for tool in ("pdftoppm", "zbarimg"):
        _tool(tool)
    context = browser.new_context(viewport=KIOSK_SIZE, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{url}/kiosk/enrol/{enrolment}")
    assert page.url == f"{url}/kiosk" and page.get_attribute("html", "lang") == "km"
    offered = page.locator("[data-guest-start]")
    assert offered.count() >= 1
    if page.locator(f"[data-guest-start='{SLUG}']").count() == 0:
        pytest.skip(f"{SLUG} does not allow applying without an account any more: this walk fills its form")
    page.screenshot(path=str(SHOTS / "kiosk-home-guest-km-1080x1920.png"), full_page=True)
    assert serious_problems(page, axe_script) == []

    page.locator(f"[data-guest-start='{SLUG}']").click()
    page.wait_for_url(re.compile(r".*/steps/person$"))
    assert page.get_attribute("html", "lang") == "km"
    assert page.input_value("#name_km") == ""  # nothing prefilled: a guest has no profile
    assert page.locator("button[name=save_draft]").count() == 0  # no "continue later" without an account
    assert page.locator("form[action='/sign-out']").count() == 1 and page.locator("a[href='/account']").count() == 0
    page.screenshot(path=str(SHOTS / "guest-step-person-km-1080x1920.png"), full_page=True)
    assert serious_problems(page, axe_script) == []
    application_url = re.sub(r"/steps/.*$", "", page.url)

    page.fill("#name_km", "សុខ ចាន់ធី")
    page.fill("#name_latin", "Sok Chanthy")
    fill_date(page, "date_of_birth", "1990", "04", "17")
    page.fill("#national_id", "012345678")
    page.fill("#phone", "012 777 889")
    save_and_continue(page)
    assert page.url.endswith("/steps/residence"), page.locator("main").inner_text()[:500]

    pick_address(page)
    page.fill("#years", "5")
    choose_first(page, "book_type")
    page.fill("#book_number", "BB-1234")
    save_and_continue(page)
    assert page.url.endswith("/steps/purpose"), page.locator("main").inner_text()[:500]

    choose_first(page, "purpose", avoid="other")
    choose_value(page, "equity_card", "no")
    save_and_continue(page)
    assert page.url.endswith("/steps/declaration"), page.locator("main").inner_text()[:500]
    page.locator("input[name=declaration]").check()
    save_and_continue(page)

    # Documents: the ID card and the family book, uploaded here.
    for requirement in ("id_card", "household_book"):
        page.goto(f"{application_url}/documents")
        tile = page.locator(f"input[name=requirement][value='{requirement}']")  # on a kiosk, lists are tiles
        if tile.count() == 0:
            continue
        tile.check()
        image = tmp_path / f"{requirement}.png"
        image.write_bytes(docfiles.png())
        page.set_input_files("input[type=file]", str(image))
        page.locator("main form[enctype] button[type=submit]").last.click()
        page.wait_for_load_state()

    page.goto(f"{application_url}/review")
    page.locator("input[name=declaration]").check()
    page.locator("main form[action$='/submit'] button[type=submit]").click()
    page.wait_for_url(application_url)
    reference = page.locator("[data-reference]").first.inner_text().strip()
    secret = page.locator("[data-tracking-secret]").inner_text().strip()
    assert re.match(r"^RC-", reference) and re.match(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$", secret)
    page.screenshot(path=str(SHOTS / "guest-confirmation-km-1080x1920.png"), full_page=True)
    assert serious_problems(page, axe_script) == []

    page.locator("a.kiosk-print-receipt").click()
    page.wait_for_url(re.compile(r".*/receipt$"))
    assert page.locator("[data-reference]").inner_text().strip() == reference
    assert page.locator("[data-tracking-secret]").inner_text().strip() == secret
    page.screenshot(path=str(SHOTS / "guest-receipt-km-1080x1920.png"), full_page=True)
    assert serious_problems(page, axe_script) == []
    printed_address = page.locator(".receipt-link").inner_text().strip()
    assert printed_address == f"{url}/track" and secret not in page.locator(".receipt-link").inner_text()

    # The printed receipt (thermal 80 mm) and the follow-up QR code as a phone reads it.
    pdf = tmp_path / "receipt.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    subprocess.run(["pdftoppm", "-r", "200", "-png", str(pdf), str(tmp_path / "printed")], check=True, timeout=120)
    pngs = sorted(tmp_path.glob("printed*.png"))
    for number, png in enumerate(pngs, 1):
        shutil.copy(png, SHOTS / f"guest-receipt-printed-thermal80-page{number}.png")
    read = [code.strip() for code in codes_in(pngs)]
    follow = next(code for code in "\n".join(read).split() if "/track" in code)
    parts = urlsplit(follow)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{url}/track" and not parts.query
    assert parse_qs(parts.fragment) == {"ref": [reference], "secret": [secret]}

    # Finish and clear: the kiosk forgets the guest.
    page.locator(".kiosk-finish").first.click()
    page.wait_for_url(f"{url}/kiosk")
    assert page.goto(application_url).url.startswith(f"{url}/sign-in")
    context.close()

    # On a phone: the QR's link fills the form from its fragment (never sent to the server).
    phone = browser.new_context(viewport=PHONE_SIZE, bypass_csp=True, locale="km-KH")
    mine = phone.new_page()
    mine.set_default_timeout(20_000)
    sent = []
    mine.on("request", lambda r: sent.append(r.url))
    mine.goto(follow)  # the QR's own link: its language is the browser's, Khmer
    assert mine.get_attribute("html", "lang") == "km"
    assert mine.input_value("#reference") == reference and mine.input_value("#secret") == secret
    assert all(secret not in s for s in sent)
    assert "#" not in mine.url  # the fragment is taken off the address bar
    mine.screenshot(path=str(SHOTS / "track-form-km-390.png"), full_page=True)
    assert serious_problems(mine, axe_script) == []
    mine.locator("main form[data-track-form] button[type=submit]").click()
    mine.wait_for_load_state()
    result = mine.locator("[data-track-result]").inner_text()
    assert reference in result
    assert all(secret not in s for s in sent)
    mine.screenshot(path=str(SHOTS / "track-result-km-390.png"), full_page=True)
    assert serious_problems(mine, axe_script) == []
    phone.close()


def fill_date(page, name: str, year: str, month: str, day: str) -> None:
    """A date field, whichever way the form draws it (one date input, or day, month and year)."""
    single = page.locator(f"input[name={name}]")
    if single.count():
        kind = single.get_attribute("type")
        single.fill(f"{year}-{month}-{day}" if kind == "date" else f"{day}/{month}/{year}")
        return
    for part, value in (("day", day), ("month", month), ("year", year)):
        box = page.locator(f"[name={name}-{part}], [name={name}_{part}]").first
        if box.evaluate("e => e.tagName") == "SELECT":
            box.select_option(value.lstrip("0") if box.locator(f"option[value='{value}']").count() == 0 else value)
        else:
            box.fill(value)


def pick_address(page) -> None:
    selects = {part: page.locator(f"select[name$={part}]").first for part in ("province", "district", "commune",
                                                                                "village")}
    selects["province"].select_option("02")
    district = selects["district"].get_attribute("id")
    wait_for_option(page, f"#{district}", "0203")
    selects["district"].select_option("0203")
    commune = selects["commune"].get_attribute("id")
    wait_for_option(page, f"#{commune}", "020310")
    selects["commune"].select_option("020310")
    village = selects["village"].get_attribute("id")
    wait_for_option(page, f"#{village}", "02031004")
    selects["village"].select_option("02031004")


def choose_first(page, name: str, avoid: str | None = None) -> None:
    radios = page.locator(f"input[type=radio][name={name}]")
    if radios.count():
        for i in range(radios.count()):
            if radios.nth(i).get_attribute("value") != avoid:
                radios.nth(i).check()
                return
    select = page.locator(f"select[name={name}]")
    values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v and v != avoid]
    select.select_option(values[0])


def choose_value(page, name: str, value: str) -> None:
    radios = page.locator(f"input[type=radio][name={name}][value='{value}']")
    if radios.count():
        radios.check()
    else:
        page.select_option(f"select[name={name}]", value)
