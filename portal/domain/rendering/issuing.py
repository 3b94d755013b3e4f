"""Issuing a PDF: render it, sign its hash, and stamp the QR code that carries the signature.

A QR code printed inside a PDF cannot carry the hash of that same PDF. So the document is made
in two revisions: the body is rendered and hashed, the signed payload (document id, that hash,
dates, key id) goes into a QR code, and the QR code is added as a PDF *incremental update*: the
body's bytes stay, unchanged, as the first part of the issued file. Anyone holding the file can
cut it at its first `%%EOF`, hash that part and compare it with the hash in the QR code, online
or offline with the published key.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, IndirectObject, NameObject

from portal.domain.rendering import signing, stamp
from portal.domain.rendering.pdf import PdfRenderer

_EOF = re.compile(rb"%%EOF(\r\n|\r|\n)?")


@dataclass(frozen=True)
class IssuedPdf:
    pdf: bytes
    token: str
    verification_id: str  # hex of the 16-byte document id in the token
    content_sha256: bytes


def new_verification_id() -> bytes:
    return secrets.token_bytes(16)


def verification_url(base_url: str, token: str) -> str:
    return f"{base_url}/verify/{token}"


def issue_pdf(
    renderer: PdfRenderer,
    html: str,
    base_dir: Path,
    *,
    key_id: str,
    private_key: Ed25519PrivateKey,
    issued: date,
    expires: date | None,
    base_url: str,
) -> IssuedPdf:
    body = renderer.render(html, base_dir)
    content_sha256 = hashlib.sha256(body).digest()
    document_id = new_verification_id()
    token = signing.sign(
        signing.Payload(document_id=document_id, sha256=content_sha256, issued=issued, expires=expires,
                        key_id=key_id),
        private_key,
    )
    return IssuedPdf(
        pdf=stamp_qr(renderer, body, verification_url(base_url, token), base_dir),
        token=token,
        verification_id=document_id.hex(),
        content_sha256=content_sha256,
    )


def stamp_qr(renderer: PdfRenderer, body: bytes, url: str, base_dir: Path) -> bytes:
    """`body` with a QR code of `url` on its first page, added as an incremental update.

    The QR code is drawn as vector paths and its Khmer caption is copied from a render made once per page
    size (stamp.py): no WeasyPrint render per document."""
    writer = PdfWriter(io.BytesIO(body), incremental=True)
    first_page = writer.pages[0]
    words = stamp.caption(renderer, first_page.mediabox, base_dir)
    _draw_over(writer, first_page, stamp.stamp_form(writer, first_page, url, words))
    out = io.BytesIO()
    writer.write(out)
    stamped = out.getvalue()
    if not stamped.startswith(body):
        raise RuntimeError("the QR stamp changed the signed body of the PDF")
    return stamped


def _draw_over(writer: PdfWriter, page, form: IndirectObject) -> None:
    """Draw the form XObject `form` over `page`, leaving the page's own content untouched.

    pypdf's `merge_page` parses both pages' content streams into operators to rename their resources and
    writes them out again: 70 ms of a receipt job's ~240 ms in one process, and more than anything else
    in a loaded work horse. Here the page's content streams are kept as they are (bracketed by q/Q, so
    whatever graphics state they leave cannot move the stamp) and one `Do` of the stamp is appended.
    The stamp is marked as an artifact: the tagged body's structure does not cover it (its link is
    printed for eyes and cameras; screen readers read the body)."""
    resources = page[NameObject("/Resources")].get_object()
    if NameObject("/XObject") not in resources:
        resources[NameObject("/XObject")] = DictionaryObject()
    resources[NameObject("/XObject")].get_object()[NameObject(_STAMP)] = form
    own = page[NameObject("/Contents")]
    own_parts = list(own.get_object()) if isinstance(own.get_object(), ArrayObject) else [own]
    page[NameObject("/Contents")] = ArrayObject([
        _stream(writer, b"q\n"), *own_parts, _stream(writer, f"\nQ\n/Artifact BMC q {_STAMP} Do Q EMC\n".encode()),
    ])


_STAMP = "/OneWindowVerifyQR"


def _stream(writer: PdfWriter, data: bytes):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def revision_hashes(pdf: bytes) -> set[bytes]:
    """SHA-256 of every revision of a PDF (each prefix that ends at an `%%EOF` marker)."""
    return {hashlib.sha256(pdf[: match.end()]).digest() for match in _EOF.finditer(pdf)}


def matches(pdf: bytes, content_sha256: bytes) -> bool:
    """Whether `pdf` is the issued document whose body hash is `content_sha256`."""
    return content_sha256 in revision_hashes(pdf)
