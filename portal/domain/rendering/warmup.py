"""Load, in the worker process before it forks, what every work horse would otherwise load again for its
first (and only) document.

A work horse is a fresh fork of the worker: whatever the worker never loaded, each horse loads for its
one job and throws away. Profiled (cProfile, a receipt job in a forked horse): besides the render
itself, a cold horse spent ~0.15 s building WeasyPrint's font configuration and @font-face rules,
~0.27 s in cffi parsing the C type declarations of Pango/HarfBuzz on their first use, and the time to
compile the Jinja template, load khmercut's word model and shape the first Khmer glyphs; and the very
first job after a deployment cut the static fonts (~6 s). Rendering and stamping one receipt here, with
a throwaway key, pays all of that once (see bench/receipt_job.py for the figures). The QR stamp's caption
is rendered once per page size and process (stamp.py): here for the pages of the shared layouts (A5
receipts, A4 documents), or each horse would render it again for its one document.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf.generic import RectangleObject

from portal.domain import clock
from portal.domain.rendering import stamp
from portal.domain.rendering.documents import get_renderer, render_html, template_environment
from portal.domain.rendering.issuing import issue_pdf

# The page sizes of templates/pdf/ layouts (certificate.html: A4, receipt.html: A5), in millimetres.
PAGE_SIZES_MM = [(210, 297), (148, 210)]

SAMPLE = {
    "reference": "XX-0000-0000", "service_km": "សេវាសាកល្បង", "service_en": "Warm-up", "applicant_name": "សាកល្បង",
    "agency_km": "ក្រសួង", "agency_en": "Ministry", "fees_km": "០ ៛", "fees_en": "0 ៛",
}


def warm_up() -> None:
    """Render and QR-stamp one receipt and throw it away. Uses no database, no Redis and no signing key
    (a key made for this and forgotten), so it cannot fail for want of them."""
    template_environment()
    today = clock.today()
    html, base_dir = render_html("receipt.html", {**SAMPLE, "issued_on": today, "expires_on": None})
    issue_pdf(get_renderer(), html, base_dir, key_id="warm-up", private_key=Ed25519PrivateKey.generate(),
              issued=today, expires=None, base_url="https://warm-up.invalid")
    for width, height in PAGE_SIZES_MM:
        stamp.caption(get_renderer(), RectangleObject([0, 0, width * 72 / 25.4, height * 72 / 25.4]), base_dir)
