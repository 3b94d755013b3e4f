"""A citizen applies alone in Khmer at a kiosk and walks away (issue 14), in a real browser at kiosk size
(1080x1920, touch), axe-core on every page visited: signs in by tapping the digit pad (the mobile number;
the password is typed, as it must be), starts a service, fills a step with the pad and the choice tiles,
saves it; then walks away: the idle warning, the kiosk home, Back and the history show nothing of the
person's answers, and a fresh request is not signed in. The portal and its kiosk as in
test_kiosk_in_browser.py, with a citizen who signs in with a phone number."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import shots_folder
from tests.e2e.own_portal import kiosk_script, own_portal
from tests.e2e.test_kiosk_in_browser import KIOSK_SIZE, PASSWORD
from tests.e2e.test_public_pages_in_browser import serious_problems

IDLE = 20  # short, as test_kiosk_in_browser's, with room for axe between taps; the warning comes after 10 s
SHOTS = shots_folder("kiosk")
PHONE = "012345678"
KHMER = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
SERVICE = "vehicle-registration"  # a step with long lists (tiles) and whole numbers (pads)
YEAR = "2019"

CITIZEN = f"    people.create(phone=sys.argv[1], password_hash=hash_password({PASSWORD!r}), locale='km')"


@pytest.fixture(scope="module")
def kiosk_portal(tmp_path_factory):
    with own_portal(tmp_path_factory.mktemp("kiosk-keypad-instance"), kiosk_script(CITIZEN), "+855" + PHONE[1:],
                    settings={"KIOSK_IDLE_SECONDS": str(IDLE)}) as portal:
        yield portal.url, portal.printed[-1]


def tap_digits(page, field_id: str, digits: str) -> None:
    pad = page.locator(f".keypad[data-keypad={field_id}]")
    for digit in digits.translate(KHMER):
        pad.locator(f"button[data-key='{digit}']").tap()


def no_problems(page, axe_script, name: str | None = None) -> None:
    if name:
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert serious_problems(page, axe_script) == [], page.url


def test_a_citizen_applies_alone_in_khmer_with_the_pads_and_walks_away(browser, kiosk_portal, axe_script):
    url, secret = kiosk_portal
    context = browser.new_context(viewport=KIOSK_SIZE, has_touch=True, bypass_csp=True)  # axe is an inline script
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{url}/kiosk/enrol/{secret}")
        assert page.url == f"{url}/kiosk" and page.get_attribute("html", "lang") == "km"
        no_problems(page, axe_script)

        # Signs in: the mobile number on the pad, a wrong key taken back, a false start cleared.
        page.locator("a.kiosk-action[href='/sign-in']").tap()
        page.wait_for_url(re.compile(r".*/sign-in"))
        pad = page.locator(".keypad[data-keypad=contact]")
        pad.wait_for()  # shown by keypad.js
        assert pad.get_attribute("aria-label").endswith(page.locator("label[for=contact]").inner_text())
        assert page.locator("#contact").get_attribute("autocomplete") == "off"
        keys = pad.locator("button")
        assert all(box["height"] >= 64 and box["width"] >= 64 for box in
                   (keys.nth(i).bounding_box() for i in range(keys.count())))
        tap_digits(page, "contact", "99")
        pad.locator("button[data-key-clear]").tap()
        tap_digits(page, "contact", PHONE + "5")
        pad.locator("button[data-key-back]").tap()
        assert page.input_value("#contact") == PHONE.translate(KHMER)  # what the keys show, read by the server
        no_problems(page, axe_script, "kiosk-sign-in-pad-km-1080x1920")
        page.fill("#password", PASSWORD)  # a password has letters: the one thing typed
        page.locator("main form button[type=submit]").first.tap()
        page.wait_for_url(lambda address: "/sign-in" not in address)
        assert page.locator("form[action='/sign-out']").count() == 1

        # Starts a service in Khmer.
        page.goto(f"{url}/services/{SERVICE}/start")
        assert page.get_attribute("html", "lang") == "km"
        no_problems(page, axe_script)
        page.locator("main form button[type=submit]").first.tap()
        page.wait_for_url(re.compile(r".*/steps/"))
        step = re.sub(r"/steps/[^/?]+.*$", "/steps/vehicle", page.url)

        # The owner's step: the address picker keeps its lists, at kiosk size and working by touch
        # (a tap opens the system's list, which a test cannot drive: the choice is made by select_option).
        page.goto(re.sub(r"/steps/vehicle$", "/steps/owner", step))
        province = page.locator("select[name='owner_address-province']")
        for name in ("province", "district", "commune", "village"):
            box = page.locator(f"select[name='owner_address-{name}']").bounding_box()
            assert box["height"] >= 48 and box["width"] >= 200, (name, box)
        province.tap()
        province.select_option("02")
        page.locator("select[name='owner_address-district'] option[value='0203']").wait_for(state="attached")
        assert page.locator(".keypad[data-keypad=phone]").is_visible()
        assert page.locator("#phone").get_attribute("autocomplete") == "off"
        no_problems(page, axe_script)
        page.goto(step)

        # The step: lists as tiles, whole numbers on pads.
        assert page.locator("select[name=vehicle_type], select[name=colour]").count() == 0
        type_tiles = page.locator("fieldset#vehicle_type .tile label")
        assert type_tiles.count() > 5 and type_tiles.first.bounding_box()["height"] >= 64
        type_tiles.nth(1).tap()
        chosen_type = page.locator("fieldset#vehicle_type input:checked").get_attribute("value")
        page.locator("fieldset#colour .tile label").first.tap()
        chosen_colour = page.locator("fieldset#colour input:checked").get_attribute("value")
        page.locator("#fuel .radio label").first.tap()
        assert page.locator("#year").get_attribute("inputmode") == "numeric"
        tap_digits(page, "year", YEAR)
        # A mouse works too, the field's own keyboard still does, and so does a key pressed from the keyboard.
        seats = page.locator(".keypad[data-keypad=seats]")
        seats.locator("button[data-key='៥']").click()
        assert page.input_value("#seats") == "៥"
        page.locator("#seats").press("End")
        page.locator("#seats").press("Backspace")
        page.locator("#seats").press_sequentially("7")
        assert page.input_value("#seats") == "7"
        engine = page.locator(".keypad[data-keypad=engine_cc]")
        engine.locator("button[data-key='១']").focus()
        page.keyboard.press("Enter")
        engine.locator("button[data-key='៥']").focus()
        page.keyboard.press("Space")
        assert page.input_value("#engine_cc") == "១៥"
        engine.locator("button[data-key-clear]").click()
        assert page.input_value("#engine_cc") == ""
        assert page.input_value("#year") == YEAR.translate(KHMER)
        no_problems(page, axe_script, "kiosk-step-pads-and-tiles-km-1080x1920")
        page.locator("button[name=save_draft]").tap()
        page.wait_for_url(re.compile(r".*/applications/[^/]+$"))
        no_problems(page, axe_script)
        page.goto(step)  # saved: the answers come back
        assert page.locator(f"fieldset#vehicle_type input[value='{chosen_type}']").is_checked()
        assert page.locator(f"fieldset#colour input[value='{chosen_colour}']").is_checked()
        assert page.input_value("#year") in (YEAR, YEAR.translate(KHMER))
        no_problems(page, axe_script)

        # Walks away.
        page.locator("#kiosk-idle:not([hidden])").wait_for(timeout=(IDLE + 5) * 1000)
        no_problems(page, axe_script, "kiosk-keypad-idle-warning-km-1080x1920")
        page.wait_for_url(f"{url}/kiosk", timeout=(IDLE + 5) * 1000)
        no_problems(page, axe_script)

        def nothing_of_the_person():
            html = page.content()
            for trace in (YEAR, YEAR.translate(KHMER), PHONE, PHONE.translate(KHMER), PHONE[1:]):
                assert trace not in html, (trace, page.url)
            assert page.locator("form[action='/sign-out']").count() == 0
            assert page.locator("input:checked").count() == 0, page.url

        nothing_of_the_person()
        for _ in range(4):  # Back, through the history
            if page.go_back() is None:
                break
            page.wait_for_load_state()
            nothing_of_the_person()
        page.goto(f"{url}/applications")
        assert "/sign-in" in page.url  # a fresh request is not signed in
        nothing_of_the_person()
        page.goto(step)
        assert step not in page.url or page.locator("#year").count() == 0
        nothing_of_the_person()
    finally:
        context.close()
