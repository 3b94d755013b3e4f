"""Khmer on English pages, on a computer without a Khmer system font (a Linux kiosk, a locked-down office
PC; Chromium in the test container has none: `fc-list :lang=km` is empty). A Khmer name in an answer, on a
button or in a list, and the riel sign must be drawn with the portal's own Khmer web font, never as empty
boxes: every font stack of the stylesheet names it, and form controls take the page's stack."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

# Khmer only (no spaces or Latin, which a Latin font may draw): a name and the riel sign.
KHMER = "សុខចាន់ធី៛"
# The places a Khmer name or an amount in riel turn up on staff and applicant pages, without a `lang`
# of their own: an answer, a reference-like code, a button, a text input, a list to choose from, a table.
PROBES = {
    "answer": f"<p>{KHMER}</p>",
    "code": f"<code>{KHMER}</code>",
    "button": f"<button type='button'>{KHMER}</button>",
    "input": f"<input value='{KHMER}'>",
    "select": f"<select><option>{KHMER}</option></select>",
    "table cell": f"<table><tr><td>{KHMER}</td></tr></table>",
}
PAGES = ["/?lang=en", "/services/residence-certificate?lang=en", "/sign-in?lang=en", "/?lang=km"]


@pytest.fixture(autouse=True, scope="module")
def _no_khmer_system_font():
    found = subprocess.run(["fc-list", ":lang=km"], capture_output=True, text=True, check=False).stdout.strip()
    if found:
        pytest.skip(f"this machine has a Khmer system font, the test would prove nothing: {found[:200]}")


def platform_fonts(page, selector: str) -> dict[str, int]:
    """The fonts Chromium actually drew the element's text with: {family: glyph count} (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return {font["familyName"]: font["glyphCount"] for font in fonts}


def wait_for_fonts(page) -> None:
    page.evaluate("document.fonts.ready")
    page.wait_for_function("[...document.fonts].every(f => f.status !== 'loading')")


@pytest.mark.parametrize("path", PAGES)
def test_khmer_names_and_the_riel_sign_are_drawn_with_the_khmer_web_font(page, portal_url, path):
    page.goto(portal_url + path)
    markup = "".join(f'<div data-probe="{name}">{html}</div>' for name, html in PROBES.items())
    page.evaluate("markup => document.querySelector('main').insertAdjacentHTML('afterbegin', markup)", markup)
    wrong = {}
    for _ in range(20):  # a face (the bold one of a button) is fetched once text needs it: wait for it
        wait_for_fonts(page)
        drawn = {name: platform_fonts(page, f'[data-probe="{name}"] {"td" if name == "table cell" else "> *"}')
                 for name in PROBES}
        wrong = {name: fonts for name, fonts in drawn.items() if set(fonts) != {"Noto Sans Khmer"}}
        if not wrong:
            break
        page.wait_for_timeout(250)
    assert wrong == {}


@pytest.mark.parametrize("path", PAGES)
def test_every_element_with_khmer_text_names_the_khmer_web_font(page, portal_url, path):
    page.goto(portal_url + path)
    missing = page.evaluate(r"""() => [...document.querySelectorAll('body *')]
        .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && /[\u1780-\u17FF]/.test(n.textContent))
                     || /[\u1780-\u17FF]/.test(e.value || ''))
        .filter(e => !getComputedStyle(e).fontFamily.includes('Noto Sans Khmer'))
        .map(e => e.tagName + ': ' + getComputedStyle(e).fontFamily)""")
    assert missing == []


def test_an_english_page_with_a_khmer_name_looks_right(page, portal_url):
    """For the eyes: a screenshot of the probes on an English page, in PORTAL_E2E_SHOTS (default /tmp)."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(portal_url + "/services/residence-certificate?lang=en")
    markup = "".join(f"<div>{name}: {html}</div>" for name, html in PROBES.items())
    page.evaluate("markup => document.querySelector('main').insertAdjacentHTML('afterbegin', markup)", markup)
    wait_for_fonts(page)
    folder = Path(os.environ.get("PORTAL_E2E_SHOTS", "/tmp"))
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "english-page-with-khmer-name.png"))
    assert page.evaluate("""document.fonts.check('16px "Noto Sans Khmer"', 'សុខ៛')""")
