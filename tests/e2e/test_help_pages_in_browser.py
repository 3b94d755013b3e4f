"""Issue 12, item 8: the help, contact and privacy pages as people read them, Khmer on a phone and
English on a desktop. With PORTAL_E2E_SHOTS set to a folder, each view is also saved there as a PNG."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

VIEWS = [("km", {"width": 390, "height": 844}), ("en", {"width": 1280, "height": 900})]


@pytest.mark.parametrize("path", ["/help", "/contact", "/privacy"])
@pytest.mark.parametrize(("lang", "viewport"), VIEWS, ids=[lang for lang, _ in VIEWS])
def test_the_page_reads_in_its_language_without_sideways_scrolling(browser, portal_url, path, lang, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        page.goto(f"{portal_url}{path}?lang={lang}")
        page.evaluate("document.fonts.ready")
        assert page.get_attribute("html", "lang") == lang
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        if lang == "km":  # Khmer drawn with the portal's Khmer font, not boxes
            assert page.evaluate("""document.fonts.check('16px "Noto Sans Khmer"', 'ជំនួយ')""")
        footer = page.locator("footer a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert {"/help", "/contact", "/privacy"} <= set(footer)
        shots = os.environ.get("PORTAL_E2E_SHOTS")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=f"{shots}/{path.strip('/')}-{lang}-{viewport['width']}.png", full_page=True)
    finally:
        context.close()
