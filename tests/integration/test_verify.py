"""/verify: a genuine QR verifies; a changed payload, a wrong key, an expired or revoked
document is reported as not valid; an uploaded PDF is compared with what was issued."""

from __future__ import annotations

import io
import subprocess
from datetime import date

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from portal.data import documents as document_data
from portal.data.db import db
from portal.data.models import Document
from portal.domain.documents import get_document_store
from portal.domain.rendering import signing
from portal.domain.rendering.documents import get_keyring
from tests import docfiles
from tests.integration.test_issuing_documents import request_certificate, run_worker


def scan_qr(pdf: bytes, tmp_path) -> str:
    """What a phone would read: the first page rendered to an image, its QR code decoded."""
    (tmp_path / "issued.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(tmp_path / "issued.pdf"),
                    str(tmp_path / "page")], check=True)
    page = next(tmp_path.glob("page*.png"))
    # QR codes only: a line of printed text can pass for a one-dimensional barcode.
    scanned = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(page)],
                             capture_output=True, text=True, check=True)
    return scanned.stdout.strip()


@pytest.fixture
def issued(app, factories, tmp_path):
    request_certificate(factories.person())
    run_worker(app)
    document = db.session.scalar(select(Document))
    pdf = get_document_store().read(document)
    url = scan_qr(pdf, tmp_path)
    assert url == f"http://portal.test/verify/{document.verification_token}"
    return document, pdf, url.removeprefix("http://portal.test")


def verdict(client, path) -> str:
    client.expected_lang = None
    return client.get(path).soup.select_one(".verdict [lang=en]").get_text(" ", strip=True)


def tamper(token: str, position: int) -> str:
    raw = bytearray(signing._b64decode(token))
    raw[position] ^= 0x04
    return signing._b64encode(bytes(raw))


class TestVerdicts:
    def test_the_scanned_qr_code_of_a_genuine_document_verifies(self, client, issued):
        document, _pdf, path = issued
        response = client.get(path)
        assert response.status_code == 200
        assert "Genuine and valid" in response.soup.select_one(".verdict").get_text()
        facts = response.soup.select_one(".facts-table").get_text(" ", strip=True)
        assert "លិខិតបញ្ជាក់ទីលំនៅ" in facts and "សុខ ចាន់ធី" in facts

    @pytest.mark.parametrize("position", [0, 1, 17, 40, 49, 51, 55, 60, 100])
    def test_any_changed_byte_of_the_payload_is_not_valid(self, client, issued, position):
        document, _pdf, _path = issued
        assert "Not valid" in verdict(client, "/verify/" + tamper(document.verification_token, position))

    def test_a_payload_signed_with_another_key_is_not_valid(self, client, issued):
        document, _pdf, _path = issued
        genuine = signing.verify(document.verification_token, get_keyring().public_keys())
        forged = signing.sign(genuine, Ed25519PrivateKey.generate())
        assert "Not valid" in verdict(client, f"/verify/{forged}")

    def test_an_expired_document_is_not_valid(self, client, issued):
        document, _pdf, _path = issued
        key_id, key = get_keyring().active(create_if_missing=False)
        genuine = signing.verify(document.verification_token, get_keyring().public_keys())
        expired = signing.Payload(**{**genuine.__dict__, "expires": date(2020, 1, 1)})
        assert "expired" in verdict(client, f"/verify/{signing.sign(expired, key)}")

    def test_a_revoked_document_is_not_valid(self, client, issued):
        document, _pdf, path = issued
        document_data.revoke(document, "issued in error")
        db.session.commit()
        assert "revoked" in verdict(client, path)

    def test_garbage_is_not_valid_and_not_an_error(self, client):
        assert "Not valid" in verdict(client, "/verify/not-a-real-code")

    def test_a_made_up_code_offers_no_file_check_and_makes_no_session(self, client):
        from tests.sessions import stored_sessions

        before = stored_sessions()
        page = client.get("/verify/not-a-real-code")
        assert page.soup.select_one("input[type=file]") is None
        assert client.get_cookie("session") is None and stored_sessions() == before

    @pytest.mark.parametrize("spelling", ["{}=", "{}==", "{}%3D", "{}%3D%3D", "%20{}", "{}.", "{}%0A"])
    def test_only_the_token_exactly_as_issued_is_valid(self, client, issued, spelling):
        """Padding or any other spelling that decodes to the same bytes is refused: each document has
        exactly one valid URL."""
        document, _pdf, path = issued
        assert "Genuine and valid" in verdict(client, path)
        assert "Not valid" in verdict(client, "/verify/" + spelling.format(document.verification_token))


class TestCaching:
    def test_the_page_with_the_holder_s_name_is_never_stored_by_any_cache(self, client, issued):
        _document, _pdf, path = issued
        client.expected_lang = None
        for response in (client.get(path), client.get("/verify/not-a-real-code"),
                         client.post(path, data={}), client.post("/verify/not-a-real-code", data={})):
            assert response.headers["Cache-Control"] == "no-store", response.status_code
            assert "noindex" in response.headers["X-Robots-Tag"]
        assert "សុខ ចាន់ធី" in client.get(path).get_data(as_text=True)

    def test_the_public_keys_may_still_be_cached(self, client, issued):
        response = client.get("/verify/keys.json")
        assert response.headers["Cache-Control"] == "public, max-age=3600"


class TestCheckingTheFile:
    def upload(self, client, path, data):
        page = client.get(path)
        return client.submit(page, {"file": (io.BytesIO(data), "certificate.pdf")}, selector="form[enctype]",
                             content_type="multipart/form-data")

    def test_the_issued_file_is_identical(self, client, issued):
        _document, pdf, path = issued
        client.expected_lang = None
        response = self.upload(client, path, pdf)
        assert "exactly the document that was issued" in response.get_data(as_text=True) or response.soup.select_one(
            ".notice-success")

    def test_a_file_changed_after_issue_is_flagged(self, client, issued):
        _document, pdf, path = issued
        writer = PdfWriter(io.BytesIO(pdf), incremental=True)
        writer.pages[0].merge_page(PdfReader(io.BytesIO(docfiles.pdf("FORGED NAME"))).pages[0])
        changed = io.BytesIO()
        writer.write(changed)
        response = self.upload(client, path, changed.getvalue())
        assert response.soup.select_one(".notice-warning") is not None

    def test_another_pdf_is_not_the_document(self, client, issued):
        _document, _pdf, path = issued
        response = self.upload(client, path, docfiles.pdf("something else"))
        assert response.soup.select_one(".notice-error") is not None


def test_public_keys_are_published_for_offline_checks(client, issued):
    document, _pdf, _path = issued
    keys = {k["kid"]: k for k in client.get("/verify/keys.json").json["keys"]}
    signed_with = signing.verify(document.verification_token, get_keyring().public_keys()).key_id
    assert keys[signed_with]["alg"] == "Ed25519"
    assert keys[signed_with]["pem"].startswith("-----BEGIN PUBLIC KEY-----")
