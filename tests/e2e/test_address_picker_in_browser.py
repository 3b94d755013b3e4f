"""The address picker in a real browser: the lists refill as soon as a level is chosen, and the
profile is saved with the chosen village; without JavaScript the "Update the lists" button does it."""

from __future__ import annotations

import itertools
import secrets

import pytest

from tests.e2e.conftest import PHONE, texted_code
from tests.factories import PASSWORD

_numbers = itertools.count(int(secrets.token_hex(2), 16) * 100)


def register(page, portal_url: str, instance) -> None:
    """Create an account as a person does: the form, then the code the portal's worker texted."""
    number = next(_numbers) % 1_000_000
    page.goto(portal_url + "/register?lang=en")
    page.fill("#contact", f"012 {number:06d}")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(portal_url + "/register/confirm")
    page.fill("#code", texted_code(instance, f"+85512{number:06d}"))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(portal_url + "/account")


def wait_for_option(page, select: str, value: str) -> None:
    # Locator waits, not wait_for_function: the portal's CSP (rightly) forbids evaluating strings.
    page.locator(f"{select} option[value='{value}']").wait_for(state="attached")


def option_values(page, name: str) -> list[str]:
    return page.eval_on_selector_all(f"select[name={name}] option", "options => options.map(o => o.value)")


class TestWithJavaScript:
    def test_choosing_each_level_fills_the_next_list_and_the_address_is_saved(self, page, portal_url, portal_instance):
        register(page, portal_url, portal_instance)
        page.goto(portal_url + "/account/profile?lang=en")
        assert page.locator("button[name=refresh]").is_hidden()
        assert option_values(page, "district") == [""]

        page.select_option("#province", "02")
        wait_for_option(page, "#district", "0203")
        assert page.locator("#district option").first.inner_text() == "Choose"
        page.select_option("#district", "0203")
        wait_for_option(page, "#commune", "020310")
        page.select_option("#commune", "020310")
        wait_for_option(page, "#village", "02031004")
        assert set(option_values(page, "village")) == {"", "02031001", "02031002", "02031003", "02031004"}
        assert "Preaek Moha Tep" in page.locator("#village").inner_text()

        # Changing a higher level empties the levels below it.
        page.select_option("#province", "17")
        wait_for_option(page, "#district", "1702")
        assert option_values(page, "commune") == [""] and option_values(page, "village") == [""]

        page.select_option("#province", "02")
        wait_for_option(page, "#district", "0203")
        page.select_option("#district", "0203")
        wait_for_option(page, "#commune", "020310")
        page.select_option("#commune", "020310")
        wait_for_option(page, "#village", "02031004")
        page.select_option("#village", "02031004")
        page.fill("#name_km", "សុខ ចាន់ធី")
        page.locator(".actions button[type=submit]").click()
        page.wait_for_url(portal_url + "/account")
        text = page.locator("main").inner_text()
        assert "Kammeakkar" in text and "Svay Por" in text and "សុខ ចាន់ធី" in text

    def test_the_khmer_page_lists_khmer_names(self, page, portal_url, portal_instance):
        register(page, portal_url, portal_instance)
        page.goto(portal_url + "/account/profile?lang=km")
        page.select_option("#province", "02")
        wait_for_option(page, "#district", "0203")
        assert "បាត់ដំបង" in page.locator("#district").inner_text()


class TestWithoutJavaScript:
    def test_update_the_lists_fills_them_from_the_server(self, browser, portal_url, portal_instance):
        context = browser.new_context(viewport=PHONE, java_script_enabled=False)
        try:
            page = context.new_page()
            register(page, portal_url, portal_instance)
            page.goto(portal_url + "/account/profile?lang=en")
            refresh = page.get_by_role("button", name="Update the lists")
            assert refresh.is_visible()
            page.select_option("#province", "02")
            refresh.click()
            page.wait_for_load_state()
            assert "0203" in option_values(page, "district")
            page.select_option("#district", "0203")
            page.get_by_role("button", name="Update the lists").click()
            page.wait_for_load_state()
            assert "020310" in option_values(page, "commune")
        finally:
            context.close()


@pytest.fixture
def axe_page(browser):
    # axe is injected as an inline script, which our own CSP rightly blocks: bypass it here only.
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", ["km", "en"])
def test_axe_finds_no_serious_problems_on_the_profile_form_with_errors(axe_page, portal_url, portal_instance,
                                                                       axe_script, lang):
    from tests.e2e.test_public_pages_in_browser import serious_problems

    register(axe_page, portal_url, portal_instance)
    axe_page.goto(f"{portal_url}/account/profile?lang={lang}")
    axe_page.fill("#name_latin", "សុខ")
    axe_page.select_option("#province", "02")
    axe_page.locator(".actions button[type=submit]").click()
    axe_page.wait_for_load_state()
    assert axe_page.locator(".error-summary").count() == 1
    assert serious_problems(axe_page, axe_script) == []
