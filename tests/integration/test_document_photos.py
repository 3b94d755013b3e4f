"""An uploaded photo placed on an issued document (tests/fixtures/services/vendor-card, YAML only): the vendor's
PNG, carrying EXIF and text metadata, is re-encoded for the card (metadata gone, RGB, 35 x 45 mm at 300 dpi, a
JPEG) and appears in the PDF; a photo too small to print issues nothing and says why."""

from __future__ import annotations

import io
import logging
import subprocess

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import select

from portal.data.db import db
from portal.data.models import Document, DocumentRequest
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


def _issued(app, client, factories, photo: bytes):
    vendor = factories.person(locale="en", name_km="សុខ ចាន់ធី", name_latin="Sok Chanthy")
    clerk = factories.staff("phnom-penh-capital", "clerk")
    sign_in_as(client, vendor)
    client.expected_lang = "en"
    end = journey.fill_steps(client, journey.start(client, SLUG), {"vendor": {}})
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
        application = _issued(app, client, factories, _png_with_metadata((120, 160)))
    request = db.session.scalar(select(DocumentRequest).where(DocumentRequest.application_id == application.id,
                                                              DocumentRequest.output_id == "card"))
    assert request is not None and request.document_id is None
    assert any("the photo is 120 x 160 pixels" in r.getMessage() and "nothing was issued" in r.getMessage()
               for r in caplog.records)
