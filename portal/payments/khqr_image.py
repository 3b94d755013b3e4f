"""A KHQR string drawn as a QR code, with segno as the portal's other QR codes (sign-in set-up, documents).

The string goes in byte mode as UTF-8 without an ECI header: the Khmer of the language template (tag 64) is
UTF-8, and that is what bank apps read; an ASCII-only string is the same bytes in any encoding.
"""

from __future__ import annotations

import base64
import functools
import io

import segno


def qr_code(khqr_string: str) -> segno.QRCode:
    return segno.make(khqr_string, error="m", mode="byte", encoding="utf-8", micro=False)


@functools.lru_cache(maxsize=512)
def svg_data_uri(khqr_string: str, scale: int = 5) -> str:
    """An SVG data URI for an <img> (the CSP allows `img-src data:`), with its white quiet zone drawn in
    the image so that it scans on a dark page too. Drawing one takes tens of milliseconds (segno's
    masking), most of the payment page's time; a request's string never changes, and the page is drawn
    again each time it reloads, so the last few hundred are kept (a few KB each)."""
    buffer = io.BytesIO()
    qr_code(khqr_string).save(buffer, kind="svg", scale=scale, border=4, xmldecl=False, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def png(khqr_string: str, scale: int = 8) -> bytes:
    """The QR code as a PNG (for a download, or a PDF receipt)."""
    buffer = io.BytesIO()
    qr_code(khqr_string).save(buffer, kind="png", scale=scale, border=4, dark="#000", light="#fff")
    return buffer.getvalue()
