"""QR codes for the admin pages, as data URIs (the CSP allows `img-src data:`)."""

from __future__ import annotations

import base64
import io

import segno


def svg_data_uri(text: str) -> str:
    qr = segno.make(text, error="m")
    buffer = io.BytesIO()
    # A white quiet zone drawn in the image itself, so that it scans on a dark page too.
    qr.save(buffer, kind="svg", scale=5, border=4, xmldecl=False, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
