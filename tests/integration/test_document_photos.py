"""An uploaded photo placed on an issued document (tests/fixtures/services/vendor-card, YAML only): the vendor's
PNG, carrying EXIF and text metadata, is re-encoded for the card (metadata gone, RGB, 35 x 45 mm at 300 dpi, a
JPEG) and appears in the PDF; a photo too small to print issues nothing and says why."""

from __future__ import annotations

import io
import logging
import subprocess

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import func, select

from portal.data import applications as application_data
from portal.data.db import db
from portal.data.models import Document, DocumentRequest, Person
from portal.domain.documents import get_document_store
from portal.domain.rendering import photos
from tests import journey
from tests.service_roots import FIXTURE_ROOT, services_root
from tests.sessions import sign_in_as

SLUG = "vendor-card"


@pytest.fixture
def fixture_services(app):
    with services_root(app, FIXTURE_ROOT, sync_agencies=True):
        yield


def _png_with_metadata(size) -> bytes:
    image = Image.new("RGBA", size, (20, 120, 60, 255))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "taken at home, GPS 11.55 104.92")
    out = io.BytesIO()
    image.save(out, "PNG", exif=exif, pnginfo=text)
    return out.getvalue()


def _vendor_at_the_documents_page(client, factories) -> str:
    vendor = factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")
    sign_in_as(client, vendor)
    client.expected_lang = "en"
    return journey.fill_steps(client, journey.start(client, SLUG), {"vendor": {}})


def _issued(app, client, factories, photo: bytes, *, past_the_page: bool = False):
    """Applied, issued by the clerk and its jobs run; `past_the_page`: the photo attached without the documents
    page's checks (as one attached before the definition printed it would be)."""
    clerk = factories.staff("phnom-penh-capital", "clerk")
    end = _vendor_at_the_documents_page(client, factories)
    if past_the_page:
        application = journey.application_for(end)
        vendor = db.session.get(Person, application.applicant_person_id)
        document = get_document_store().add_upload(photo, "me.png", created_by=vendor, owner_person=vendor,
                                                   max_bytes=5_000_000)
        application_data.attach(application, "photo", document.id)
        db.session.commit()
    else:
        journey.attach(client, end, "photo", photo, "me.png")
    url = end.removesuffix("/documents")
    journey.submit(client, url)
    application = journey.application_for(url)
    journey.staff_act(application, clerk, "issue")
    journey.run_jobs(app)
    return application


def test_the_photo_is_re_encoded_without_its_metadata_and_placed_on_the_card(app, client, factories,
                                                                             fixture_services, tmp_path):
    application = _issued(app, client, factories, _png_with_metadata((900, 1200)))
    card = db.session.scalar(select(Document).where(Document.application_id == application.id,
                                                    Document.kind == "issued"))
    assert card is not None
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(get_document_store().read(card))
    listed = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    photo_rows = [line.split() for line in listed.splitlines()[2:] if line.split()[3:5] == ["413", "531"]]
    assert photo_rows and photo_rows[0][5] == "rgb" and photo_rows[0][8] == "jpeg", listed
    subprocess.run(["pdfimages", "-j", str(pdf), str(tmp_path / "img")], check=True)
    embedded = [p.read_bytes() for p in tmp_path.glob("img-*.jpg")]
    printed = [data for data in embedded if Image.open(io.BytesIO(data)).size == (413, 531)]
    assert printed and all(b"PhoneMaker" not in data and b"GPS" not in data for data in printed)
    assert not Image.open(io.BytesIO(printed[0])).getexif()


def test_a_photo_too_small_to_print_issues_nothing_and_says_why(app, client, factories, fixture_services, caplog):
    with caplog.at_level(logging.ERROR, logger=photos.__name__):
        application = _issued(app, client, factories, _png_with_metadata((120, 160)), past_the_page=True)
    request = db.session.scalar(select(DocumentRequest).where(DocumentRequest.application_id == application.id,
                                                              DocumentRequest.output_id == "card"))
    assert request is not None and request.document_id is None
    assert any("the photo is 120 x 160 pixels" in r.getMessage() and "nothing was issued" in r.getMessage()
               for r in caplog.records)


def test_a_photo_too_small_to_print_is_refused_when_attached(client, factories, fixture_services):
    documents_page = _vendor_at_the_documents_page(client, factories)
    stored = db.session.scalar(select(func.count()).select_from(Document))
    page = client.get(documents_page)
    refused = client.submit(page, {"requirement": "photo", "existing": "",
                                   "file": (io.BytesIO(_png_with_metadata((120, 160))), "me.png")},
                            selector="main form[enctype]", content_type="multipart/form-data")
    assert refused.status_code == 400
    assert "This photo is too small to print on the document: it must be at least 206 by 265 pixels" in \
        refused.soup.get_text(" ", strip=True)
    application = journey.application_for(documents_page)
    assert application.attachments == []
    assert db.session.scalar(select(func.count()).select_from(Document)) == stored  # nothing kept of it
    journey.attach(client, documents_page, "photo", _png_with_metadata((413, 531)), "me.png")  # big enough

