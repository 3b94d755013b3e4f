"""What a file is, decided from its first bytes, never from its name."""

from __future__ import annotations

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
EXTENSIONS = {PDF: "pdf", JPEG: "jpg", PNG: "png"}
# Names people use for the kinds we accept; `accept: [pdf, jpeg, png]` in definitions.
KINDS = {"pdf": PDF, "jpeg": JPEG, "png": PNG}
# Types a browser may show in place: uploads.py cleans them (images re-encoded; PDFs rebuilt from their pages
# with no script, action, form, link or attachment, see pdfs.py) and the portal renders the rest itself.
# Any other type is only ever downloaded.
VIEWABLE = frozenset({PDF, JPEG, PNG})

_SIGNATURES = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),
    (b"GIF8", "image/gif"),
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"),
)


def sniff(data: bytes) -> str:
    """The media type the bytes really are (`application/octet-stream` when unknown)."""
    head = data[:1024]
    for signature, media_type in _SIGNATURES:
        if head.startswith(signature):
            return media_type
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith((b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml")):
        return "text/html"
    return "application/octet-stream"
