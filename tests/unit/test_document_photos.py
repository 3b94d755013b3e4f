"""An output's `photo` (catalogue.photos, rendering.photos): checked by the loader with its place, and the image
re-encoded for printing: upright, RGB, 35 x 45 mm at 300 dpi, without metadata; a tiny one refused."""

from __future__ import annotations

import io
import shutil

import pytest
import yaml
from PIL import Image

from portal.domain.catalogue import DefinitionError, load_catalogue
from portal.domain.rendering import photos
from portal.paths import PROJECT_ROOT

WHERE = "services/residence-certificate/service.yaml: outputs.certificate.photo"


@pytest.fixture
def services(tmp_path):
    root = tmp_path / "services"
    shutil.copytree(PROJECT_ROOT / "services", root)
    return root


def _with_photo(root, value, accept=("jpeg", "png")):
    path = root / "residence-certificate" / "service.yaml"
    data = yaml.safe_load(path.read_text())
    data.setdefault("documents", []).append({"id": "portrait", "label": {"km": "រូបថត", "en": "Photo"},
                                             "accept": list(accept), "max_mb": 5})
    data["outputs"]["certificate"]["photo"] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return load_catalogue(root).get("residence-certificate").outputs["certificate"]


def test_a_documents_entry_of_images_is_kept(services):
    assert _with_photo(services, "portrait").photo == "portrait"


@pytest.mark.parametrize(("value", "accept", "message"), [
    ("selfie", ("jpeg", "png"), f"{WHERE}: 'selfie' is not one of this service's documents"),
    ("portrait", ("pdf", "jpeg"), f"{WHERE}: the document 'portrait' may be a PDF"),
    (["portrait"], ("jpeg",), f"{WHERE}: ['portrait'] is not one of this service's documents"),
])
def test_a_wrong_photo_is_refused_at_load_with_its_place(services, value, accept, message):
    with pytest.raises(DefinitionError) as error:
        _with_photo(services, value, accept)
    assert str(error.value).startswith(message), str(error.value)


def test_the_printed_photo_is_an_rgb_jpeg_of_35_by_45_mm_without_metadata():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    Image.new("CMYK", (1000, 800), (0, 50, 50, 0)).save(out, "JPEG", exif=exif)
    printed = Image.open(io.BytesIO(photos.printable(out.getvalue(), "request 1")))
    assert (printed.format, printed.mode, printed.size) == ("JPEG", "RGB", photos.SIZE)
    assert not printed.getexif() and b"PhoneMaker" not in photos.printable(out.getvalue(), "request 1")


def test_a_photo_too_small_or_unreadable_is_refused():
    out = io.BytesIO()
    Image.new("RGB", (150, 300)).save(out, "PNG")
    with pytest.raises(photos.PhotoError, match="the photo is 150 x 300 pixels, smaller than 206 x 265"):
        photos.printable(out.getvalue(), "request 1")
    with pytest.raises(photos.PhotoError, match="cannot be read"):
        photos.printable(b"not an image", "request 1")
