"""The applicant's form pages in a real browser (issue 12): a follow-up question appears as soon as
its answer is chosen (static/js/conditions.js, driven by the definition's `show_when`); without
JavaScript it is asked after "Save and continue"; "Save and continue later" and the language switch
keep what was typed. The residence certificate's "Something else" purpose is the case the walk
found; set PORTAL_E2E_SHOTS to a folder to keep screenshots of the pages."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import PHONE
from tests.e2e.test_address_picker_in_browser import register

SERVICE = "residence-certificate"
OTHER = "input[name=purpose][value=other]"


def shoot(page, name: str) -> None:
    folder = os.environ.get("PORTAL_E2E_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def purpose_step(page, portal_url: str, instance, lang: str = "en") -> str:
    """A new draft's "What it is for" step, for a newly registered person."""
    register(page, portal_url, instance)  # in English
    page.goto(f"{portal_url}/services/{SERVICE}/start")
    if lang != "en":
        page.locator(f".language-switch button[value={lang}]").click()  # saved as the person's choice
        page.wait_for_selector(f"html[lang={lang}]")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/steps/"))
    url = re.sub(r"/steps/[^/?]+.*$", "/steps/purpose", page.url)
    page.goto(url)
    return url


class TestWithJavaScript:
    def test_the_follow_up_question_appears_when_its_answer_is_chosen_and_goes_when_it_is_not(
            self, page, portal_url, portal_instance):
        purpose_step(page, portal_url, portal_instance, lang="km")
        follow_up = page.locator("#purpose_other")
        assert follow_up.is_hidden()
        page.check(OTHER)
        follow_up.wait_for(state="visible")
        page.fill("#purpose_other", "ដាក់ពាក្យសុំទិដ្ឋាការ")
        shoot(page, "follow-up-question-km-390")
        page.check("input[name=purpose][value=bank]")
        follow_up.wait_for(state="hidden")
        page.check(OTHER)
        follow_up.wait_for(state="visible")
        assert follow_up.input_value() == "ដាក់ពាក្យសុំទិដ្ឋាការ"

    def test_save_and_continue_later_keeps_what_was_typed(self, page, portal_url, portal_instance):
        url = purpose_step(page, portal_url, portal_instance, lang="km")
        page.check(OTHER)
        page.fill("#purpose_other", "ដាក់ពាក្យសុំទិដ្ឋាការ")
        page.locator("button[name=save_draft]").click()
        page.wait_for_url(re.compile(r".*/applications/[^/]+$"))
        assert "សេចក្តីព្រាង" in page.locator(".notices").inner_text()
        shoot(page, "saved-draft-km-390")
        page.goto(url)
        assert page.locator(OTHER).is_checked()
        assert page.locator("#purpose_other").input_value() == "ដាក់ពាក្យសុំទិដ្ឋាការ"

    def test_switching_language_on_a_form_keeps_what_was_typed(self, page, portal_url, portal_instance):
        url = purpose_step(page, portal_url, portal_instance, lang="en")
        page.check(OTHER)
        page.fill("#purpose_other", "A visa application")
        page.locator("button[name=switch_language][value=km]").click()
        page.wait_for_url(url)
        assert page.locator("html").get_attribute("lang") == "km"
        assert page.locator(OTHER).is_checked()
        assert page.locator("#purpose_other").input_value() == "A visa application"


@pytest.fixture
def page_without_javascript(browser, portal_url):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_without_javascript_the_new_question_is_asked_on_the_same_page(page_without_javascript, portal_url,
                                                                        portal_instance):
    page = page_without_javascript
    url = purpose_step(page, portal_url, portal_instance, lang="en")
    assert page.locator("#purpose_other").is_hidden()
    page.check(OTHER)
    page.check("input[name=equity_card][value=no]")
    page.locator("main form button.button[type=submit]:not([name])").click()
    page.wait_for_url(url)
    assert page.locator(".error-summary").count() == 0
    assert "adds a question" in page.locator(".new-questions").inner_text()
    assert page.locator("#purpose_other").is_visible()
    shoot(page, "follow-up-question-no-js-en-390")


def test_enter_in_a_field_saves_and_continues_rather_than_switching_language(page, portal_url, portal_instance):
    url = purpose_step(page, portal_url, portal_instance, lang="en")
    page.check(OTHER)
    page.check("input[name=equity_card][value=no]")
    page.fill("#purpose_other", "A visa application")
    page.press("#purpose_other", "Enter")
    page.wait_for_url(lambda address: address != url)
    assert "/steps/declaration" in page.url
    assert page.locator("html").get_attribute("lang") == "en"
