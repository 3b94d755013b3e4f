"""What Chromium's own PDF viewer does with the headers `/documents/<id>/view` sends a PDF with.

The responses are the portal's own (the view route's policy and headers on a PDF the upload check rebuilt),
handed to the browser with `page.route`, so no server is needed. What was found and chosen is written in
docs/design-notes.md (back office): the viewer opens in a new tab under the policy, `sandbox` included, but
an iframe's `sandbox` attribute makes Chromium refuse to show the PDF at all."""

from __future__ import annotations

import pytest

from portal.domain.documents.pdfs import clean_pdf
from portal.web.applicant.documents import VIEW_POLICY
from tests import docfiles

ORIGIN = "https://portal.test"
VIEWER = "chrome-extension://"  # Chromium's PDF viewer is an extension page inside the tab


@pytest.fixture
def tab(browser):
    context = browser.new_context()
    page = context.new_page()
    stored = clean_pdf(docfiles.pdf_from_objects(docfiles.page_objects("lease")))

    def answer(route):
        url = route.request.url
        if url.endswith(".pdf"):
            # framable.pdf: the same but framable by the portal's own pages, to test the iframe alone.
            policy = VIEW_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'") \
                if url.endswith("framable.pdf") else VIEW_POLICY
            route.fulfill(status=200, body=stored, headers={
                "Content-Type": "application/pdf", "Content-Disposition": 'inline; filename="lease.pdf"',
                "Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
                "Cross-Origin-Resource-Policy": "same-origin", "Cache-Control": "no-store"})
        else:  # a page of the portal's origin that frames the PDF
            sandbox = " sandbox" if "sandboxed" in url else ""
            route.fulfill(status=200, content_type="text/html",
                          body=f'<!doctype html><title>x</title><iframe{sandbox} src="/framable.pdf"></iframe>')

    page.route(f"{ORIGIN}/**", answer)
    yield page
    context.close()


def viewer_loaded(page) -> bool:
    for _ in range(50):
        if any(frame.url.startswith(VIEWER) for frame in page.frames):
            return True
        page.wait_for_timeout(100)  # lets Playwright hear of new frames
    return False


def test_a_clerk_reads_the_pdf_in_a_tab_under_the_view_policy(tab):
    assert "sandbox" in VIEW_POLICY
    tab.goto(f"{ORIGIN}/view.pdf")
    assert viewer_loaded(tab)


@pytest.mark.parametrize(("frame", "shown"), [("plain", True), ("sandboxed", False)])
def test_chromium_refuses_to_show_a_pdf_in_a_sandboxed_iframe(tab, frame, shown):
    """Why the portal does not frame PDFs in a sandboxed iframe: the clerk would see nothing."""
    tab.goto(f"{ORIGIN}/{frame}.html")
    assert viewer_loaded(tab) is shown
