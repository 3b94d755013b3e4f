"""Median time to issue a one-page Khmer certificate through the portal's pipeline (template,
Khmer word breaks, embedded static fonts, missing-glyph trap, signed QR stamped as an
incremental update), beside a bare `weasyprint.HTML(string=...).write_pdf()` of the same HTML
in the same process, and the stamp alone (QR code drawn as PDF paths, its Khmer caption copied
from a render made once per page size: no WeasyPrint render per document since issue 16).
Usage: .venv/bin/python bench/pdf_render.py [repeats]"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import weasyprint
from _portal import median_ms, portal_app, timed
from _rows import row

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.integration.test_issuing_documents import RESIDENCE  # noqa: E402 - realistic Khmer data

REPEAT = int(sys.argv[1]) if len(sys.argv) > 1 else 20


def main() -> None:
    from portal.domain.rendering.documents import get_keyring, get_renderer, render_html
    from portal.domain.rendering.issuing import issue_pdf, stamp_qr

    with portal_app():
        context = {**RESIDENCE, "issued_on": date.today(), "expires_on": None}
        html, base_dir = render_html("residence-certificate/certificate.html", context)
        renderer = get_renderer()
        key_id, key = get_keyring().active(create_if_missing=True)
        # Bare WeasyPrint gets the same fonts through the same @font-face rules, but nothing else.
        bare_html = html.replace("<head>", f"<head><style>{renderer._font_faces()}</style>", 1)

        def portal():
            issue_pdf(renderer, html, base_dir, key_id=key_id, private_key=key, issued=date.today(),
                      expires=None, base_url="https://onewindow.gov.kh")

        def bare():
            weasyprint.HTML(string=bare_html, base_url=str(base_dir)).write_pdf()

        def portal_body_only():
            renderer.render(html, base_dir)

        body = renderer.render(html, base_dir)

        def stamp_only():
            stamp_qr(renderer, body, "https://onewindow.gov.kh/verify/" + "A" * 164, base_dir)

        portal(), bare()  # first renders load fonts and caches; not measured
        results = {}
        # Interleaved rounds, so both see the same machine noise.
        samples = {"bare": [], "portal": [], "body": [], "stamp": []}
        for _ in range(REPEAT):
            samples["bare"] += timed(bare, 1)
            samples["portal"] += timed(portal, 1)
            samples["body"] += timed(portal_body_only, 1)
            samples["stamp"] += timed(stamp_only, 1)
        results = {name: median_ms(values) for name, values in samples.items()}
        print(f"one-page Khmer certificate, median of {REPEAT}, same process:")
        print(f"  bare weasyprint.HTML(string=...).write_pdf():   {results['bare']:8.1f} ms")
        print(f"  portal body render (word breaks, font trap):    {results['body']:8.1f} ms"
              f"   ratio {results['body'] / results['bare']:.2f}")
        print(f"  portal issue (body + signed QR stamp):          {results['portal']:8.1f} ms"
              f"   ratio {results['portal'] / results['bare']:.2f}")
        print(f"  of which the QR stamp alone:                    {results['stamp']:8.1f} ms"
              f"   ratio {results['stamp'] / results['bare']:.2f}")
        row("PDF issue ms vs bare WeasyPrint", results["portal"], results["bare"],
            results["portal"] / results["bare"], "<= 1.25")
        row("PDF body render ms vs bare WeasyPrint", results["body"], results["bare"],
            results["body"] / results["bare"])


if __name__ == "__main__":
    main()
