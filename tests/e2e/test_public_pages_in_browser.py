"""The public layout in a real browser: language, web font, keyboard, small screens, accessibility."""

from __future__ import annotations

import os

import pytest

from tests.e2e.conftest import PHONE

PAGES = {
    "home": "/",
    "service": "/services/business-registration",
    "not found": "/no-such-page",
    "help": "/help",
    "contact": "/contact",
    "privacy": "/privacy",
}
LANGS = ["km", "en"]


def font_requests(page) -> list[str]:
    names = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    return [name for name in names if "/fonts/" in name]


class TestLanguage:
    def test_the_home_page_is_in_khmer_and_the_khmer_web_font_is_loaded(self, page, portal_url):
        page.goto(portal_url + "/")
        assert page.get_attribute("html", "lang") == "km"
        page.evaluate("document.fonts.ready")
        loaded = page.evaluate(
            """[...document.fonts].filter(f => f.family.replace(/"/g, '') === 'Noto Sans Khmer'
                                         && f.status === 'loaded').map(f => f.weight)"""
        )
        assert "400" in loaded
        # Loaded from /fonts/ here, or from the device's own copy where it has one (local()).
        assert page.evaluate("""document.fonts.check('16px "Noto Sans Khmer"', 'ខ្មែរ')""")

    def test_an_english_page_does_not_preload_the_khmer_font_or_fetch_its_bold_face(self, page, portal_url):
        page.goto(portal_url + "/?lang=en")
        page.evaluate("document.fonts.ready")
        assert page.locator("link[rel=preload][as=font]").count() == 0
        # The one Khmer word on the page (ខ្មែរ, in the switch) needs at most the regular face.
        assert not any("bold" in name for name in font_requests(page))

    def test_a_device_with_its_own_noto_sans_khmer_downloads_no_regular_face(
        self, browser, playwright, portal_url, tmp_path
    ):
        from portal.domain.rendering.fonts import static_font_path
        from tests.e2e.conftest import CHROMIUM_ARGS, chromium_path

        # A fontconfig that adds an installed copy of the font, as on an Android phone.
        static_font_path("regular", tmp_path / "fonts")
        config = tmp_path / "fonts.conf"
        config.write_text(
            '<?xml version="1.0"?><fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
            f'<dir>{tmp_path / "fonts"}</dir><cachedir>{tmp_path / "cache"}</cachedir></fontconfig>'
        )
        # `browser` first: it skips the test when Chromium is missing.
        phone = playwright.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, env={**os.environ, "FONTCONFIG_FILE": str(config)}
        )
        try:
            page = phone.new_page()
            for lang in LANGS:
                page.goto(f"{portal_url}/?lang={lang}")
                page.evaluate("document.fonts.ready")
                assert not any("regular" in name for name in font_requests(page)), lang
                assert page.evaluate("""document.fonts.check('16px "Noto Sans Khmer"', 'ខ្មែរ')""")
        finally:
            phone.close()

    def test_the_switch_turns_the_page_to_english_and_the_choice_is_remembered(self, page, portal_url):
        page.goto(portal_url + "/services/tax-filing")
        assert page.get_attribute("html", "lang") == "km"
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
        assert page.get_attribute("html", "lang") == "en"
        assert page.url == portal_url + "/services/tax-filing"
        assert page.get_by_role("heading", level=1).inner_text() == "Monthly tax filing"

        page.get_by_role("link", name="Services", exact=True).first.click()
        page.wait_for_load_state()
        assert page.get_attribute("html", "lang") == "en"
        page.goto(portal_url + "/services/vehicle-registration")
        assert page.get_attribute("html", "lang") == "en"
        assert page.get_by_role("button", name="English").get_attribute("aria-current") == "true"

    def test_the_switch_works_without_javascript(self, browser, portal_url):
        context = browser.new_context(java_script_enabled=False)
        try:
            page = context.new_page()
            page.goto(portal_url + "/")
            page.get_by_role("button", name="English").click()
            page.wait_for_load_state()
            assert page.get_attribute("html", "lang") == "en"
            page.get_by_role("button", name="ខ្មែរ").click()
            page.wait_for_load_state()
            assert page.get_attribute("html", "lang") == "km"
        finally:
            context.close()


class TestKeyboard:
    @pytest.mark.parametrize("lang", LANGS)
    def test_the_skip_link_comes_first_shows_on_focus_and_moves_focus_to_main(self, page, portal_url, lang):
        page.goto(f"{portal_url}/services/business-registration?lang={lang}")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        assert focused == "skip-link"
        box = page.locator(".skip-link").bounding_box()
        assert box is not None and box["height"] >= 24 and box["width"] > 100
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        # The next Tab continues inside the main content, not back in the header.
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('main').contains(document.activeElement)")

    def test_focused_controls_get_a_visible_outline(self, page, portal_url):
        page.goto(portal_url + "/")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")  # the first language button
        style = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return {tag: document.activeElement.tagName, width: s.outlineWidth, outline: s.outlineStyle}; })()"
        )
        assert style["tag"] == "BUTTON"
        assert style["outline"] == "solid" and float(style["width"].removesuffix("px")) >= 2


class TestSmallScreens:
    @pytest.mark.parametrize("lang", LANGS)
    @pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
    def test_nothing_scrolls_sideways_at_320_pixels(self, page, portal_url, path, lang):
        page.set_viewport_size({"width": 320, "height": 640})
        page.goto(f"{portal_url}{path}?lang={lang}")
        page.evaluate("document.fonts.ready")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0
        too_wide = page.evaluate(
            """[...document.querySelectorAll('body *')]
                 .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                 .map(e => e.tagName + '.' + e.className)"""
        )
        assert too_wide == []

    @pytest.mark.parametrize("lang", LANGS)
    def test_buttons_and_navigation_links_are_at_least_44_pixels_tall(self, page, portal_url, lang):
        page.set_viewport_size({"width": 320, "height": 640})
        page.goto(f"{portal_url}/services/business-registration?lang={lang}")
        heights = page.evaluate(
            """[...document.querySelectorAll('button, .button, .site-nav a, .brand')]
                 .map(e => [e.textContent.trim(), e.getBoundingClientRect().height])"""
        )
        assert heights
        assert [h for h in heights if h[1] < 44] == []


class TestAccessibility:
    @pytest.fixture
    def axe_page(self, browser, portal_url):
        # axe is injected as an inline script, which our own CSP rightly blocks: bypass it here only.
        context = browser.new_context(viewport=PHONE, bypass_csp=True)
        yield context.new_page()
        context.close()

    @pytest.mark.parametrize("lang", LANGS)
    @pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
    def test_axe_finds_no_serious_or_critical_problems(self, axe_page, portal_url, axe_script, path, lang):
        axe_page.goto(f"{portal_url}{path}?lang={lang}")
        assert serious_problems(axe_page, axe_script) == []

    def test_the_check_itself_reports_a_page_with_known_problems(self, axe_page, portal_url, axe_script):
        axe_page.goto(portal_url + "/?lang=en")
        axe_page.evaluate(
            """document.querySelector('h1').style.color = '#ccc';
               document.querySelector('main').append(document.createElement('input'));"""
        )
        problems = serious_problems(axe_page, axe_script)
        assert any(p.startswith("color-contrast") for p in problems)
        assert any(p.startswith("label") for p in problems)


def serious_problems(page, axe_script) -> list[str]:
    page.evaluate("document.fonts.ready")
    page.add_script_tag(path=str(axe_script))
    results = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'best-practice']}})"
    )
    assert results["passes"], "axe ran no checks at all"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]
