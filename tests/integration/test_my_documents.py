from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from portal.data.db import db
from portal.data.models import Blob, Document
from portal.domain.documents.pdfs import clean_pdf
from tests import docfiles
from tests.sessions import sign_in_as


def document_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Document))


def upload(client, data: bytes, name: str, owner: str = "me"):
    page = client.get("/documents")
    return client.submit(page, {"file": (io.BytesIO(data), name), "owner": owner},
                         selector="form[enctype]", content_type="multipart/form-data")


class TestUploading:
    def test_an_uploaded_pdf_is_listed_and_downloads_as_an_attachment(self, client, factories):
        sign_in_as(client, factories.person())
        response = upload(client, docfiles.pdf(), "អត្តសញ្ញាណប័ណ្ណ.pdf")
        assert response.status_code == 302
        page = client.get("/documents")
        link = page.soup.select_one("table.documents a")
        assert link.get_text(strip=True) == "អត្តសញ្ញាណប័ណ្ណ.pdf"
        download = client.get(link["href"])
        assert download.status_code == 200
        assert download.data == clean_pdf(docfiles.pdf())  # the file rebuilt from its pages is what is stored
        assert download.headers["Content-Type"] == "application/pdf"
        assert download.headers["Content-Disposition"].startswith("attachment;")
        assert download.headers["X-Content-Type-Options"] == "nosniff"

    def test_the_same_file_twice_is_stored_once(self, client, factories):
        sign_in_as(client, factories.person())
        upload(client, docfiles.png(), "a.png")
        upload(client, docfiles.png(), "b.png")
        assert document_count() == 2
        assert db.session.scalar(select(func.count()).select_from(Blob)) == 1

    @pytest.mark.parametrize(("data", "name", "status", "message"), [
        (docfiles.pdf() + b" " * (11 * 1024 * 1024), "big.pdf", 400, "larger than 10 MB"),
        (docfiles.zip_file(), "contract.pdf", 422, "must be a PDF, JPEG or PNG"),
        (docfiles.HTML, "page.pdf", 422, "must be a PDF, JPEG or PNG"),
        (docfiles.png_bomb(), "bomb.png", 400, "too large (more than 40 million pixels)"),
        (b"", "empty.pdf", 400, "is empty"),
        (docfiles.pdf_from_objects([*docfiles.page_objects(), (1, b"<< /Type /Catalog /Pages 2 0 R /Open#41ction "
                                   b"<< /S /J#61vaScript /JS (app.alert(1)) >> >>")], shift=2),
         "lease.pdf", 422, "different programs would show differently"),
        (docfiles.pdf_from_objects(docfiles.page_objects(catalog_extra=b"/OpenAction << /S /Launch /F (calc) >>")),
         "lease.pdf", 400, "contains scripts or attached files"),
        (docfiles.pdf(), "x" * 97 + ".pdf", 400, "longer than 100 characters"),
    ])
    def test_refused_uploads_get_a_clear_message_and_store_nothing(
        self, client, factories, data, name, status, message
    ):
        client.expected_lang = "en"
        sign_in_as(client, factories.person(locale="en"))
        response = upload(client, data, name)
        assert response.status_code == status
        assert message in response.soup.select_one(".error-summary").get_text(" ", strip=True)
        assert document_count() == 0

    # (Werkzeug already cuts a Windows-style "..\\x.pdf" down to its last part.)
    @pytest.mark.parametrize("name", ["../../../../etc/passwd.pdf", ".."])
    def test_a_path_traversal_name_is_refused(self, client, factories, name):
        client.expected_lang = "en"
        sign_in_as(client, factories.person(locale="en"))
        response = upload(client, docfiles.pdf(), name)
        assert response.status_code == 400
        assert "file name is not allowed" in response.soup.select_one(".error-summary").get_text()
        assert document_count() == 0

    def test_a_windows_device_name_is_stored_and_sent_made_safe(self, client, factories):
        sign_in_as(client, factories.person())
        assert upload(client, docfiles.pdf(), "CON.pdf").status_code == 302
        link = client.get("/documents").soup.select_one("table.documents a")
        assert link.get_text(strip=True) == "CON_.pdf"
        assert client.get(link["href"]).headers["Content-Disposition"] == (
            "attachment; filename=\"CON_.pdf\"; filename*=UTF-8''CON_.pdf")

    def test_a_missing_csrf_token_is_refused(self, client, factories):
        sign_in_as(client, factories.person())
        response = client.post("/documents", data={"file": (io.BytesIO(docfiles.pdf()), "a.pdf"), "owner": "me"},
                               content_type="multipart/form-data")
        assert response.status_code == 400
        assert document_count() == 0


class TestWhoMayRead:
    def test_another_person_gets_404_for_my_document(self, client, factories):
        owner = factories.person()
        sign_in_as(client, owner)
        upload(client, docfiles.pdf(), "mine.pdf")
        public_id = db.session.scalar(select(Document.public_id))
        sign_in_as(client, factories.person())
        assert client.get(f"/documents/{public_id}/download").status_code == 404

    def test_anonymous_visitors_are_sent_to_sign_in(self, client):
        assert client.get("/documents").status_code == 302
