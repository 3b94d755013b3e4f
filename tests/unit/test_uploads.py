from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader

from portal.domain.documents.sniff import JPEG, PDF, PNG
from portal.domain.documents.uploads import UploadRefused, clean_upload, safe_name
from tests import docfiles

MB = 1024 * 1024


class TestTypesComeFromTheBytes:
    @pytest.mark.parametrize(("data", "media_type"), [
        (docfiles.pdf(), PDF), (docfiles.jpeg(), JPEG), (docfiles.png(), PNG),
    ])
    def test_accepted_kinds(self, data, media_type):
        assert clean_upload(data, "x", 5 * MB).media_type == media_type

    @pytest.mark.parametrize("data", [docfiles.zip_file(), docfiles.HTML, b"MZ\x90\x00 windows program"])
    def test_a_pdf_name_on_other_content_is_refused(self, data):
        with pytest.raises(UploadRefused) as refused:
            clean_upload(data, "contract.pdf", 5 * MB)
        assert refused.value.reason == "wrong_type"

    def test_the_name_gets_the_extension_of_the_real_content(self):
        assert clean_upload(docfiles.png(), "photo.pdf", 5 * MB).name == "photo.png"


class TestRefusals:
    def test_empty(self):
        with pytest.raises(UploadRefused, match="empty"):
            clean_upload(b"", "a.pdf", MB)

    def test_oversize(self):
        with pytest.raises(UploadRefused) as refused:
            clean_upload(docfiles.pdf() + b" " * MB, "a.pdf", MB)
        assert refused.value.reason == "too_large" and refused.value.params == {"max_mb": 1.0}

    @pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (8000, 6000)])
    def test_decompression_bomb(self, width, height):
        with pytest.raises(UploadRefused, match="too_many_pixels"):
            clean_upload(docfiles.png_bomb(width, height), "bomb.png", MB)

    def test_a_truncated_image(self):
        with pytest.raises(UploadRefused, match="damaged"):
            clean_upload(docfiles.jpeg()[:200], "cut.jpg", MB)

    def test_a_pdf_with_javascript(self):
        data = docfiles.pdf().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (x) >>")
        with pytest.raises(UploadRefused, match="active_pdf"):
            clean_upload(data, "a.pdf", MB)


class TestImagesAreCleaned:
    def test_exif_and_gps_are_removed(self):
        original = docfiles.jpeg(exif=True)
        assert b"PhoneMaker" in original
        cleaned = clean_upload(original, "id.jpg", MB).data
        assert b"PhoneMaker" not in cleaned
        assert not Image.open(io.BytesIO(cleaned)).getexif()

    def test_large_images_are_scaled_down(self):
        cleaned = clean_upload(docfiles.jpeg(size=(6000, 1000)), "wide.jpg", 20 * MB).data
        assert Image.open(io.BytesIO(cleaned)).size == (3000, 500)


class TestSafeNames:
    @pytest.mark.parametrize(("name", "expected"), [
        ("../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\sok\\id card.PDF", "id card.pdf"),  # safe_name alone still strips folders
        ("អត្តសញ្ញាណប័ណ្ណ.pdf", "អត្តសញ្ញាណប័ណ្ណ.pdf"),
        ("\x00\x1b[31mred.pdf", "[31mred.pdf"),
        ("", "document.pdf"),
        ("....", "document.pdf"),
    ])
    def test_names_lose_folders_and_control_characters(self, name, expected):
        assert safe_name(name, PDF) == expected

    @given(st.text(max_size=300))
    def test_any_name_gives_a_short_name_without_separators(self, name):
        result = safe_name(name, PNG)
        assert result.endswith(".png") and "/" not in result and "\\" not in result and len(result) <= 104


class TestWindowsDeviceNames:
    @pytest.mark.parametrize(("name", "stored"), [
        ("con.pdf", "con_.pdf"), ("NUL.png", "NUL_.png"), ("com1.jpg", "com1_.jpg"), ("lpt9.pdf", "lpt9_.pdf"),
        ("con.pdf.", "con_.pdf"), ("aux .pdf", "aux_.pdf"), ("PRN.tar.pdf", "PRN_.tar.pdf"),
        ("Com\u00b9.pdf", "Com\u00b9_.pdf"), ("conin$.pdf", "conin$_.pdf"),
        ("console.pdf", "console.pdf"), ("com10.pdf", "com10.pdf"), ("icon.pdf", "icon.pdf"),
    ])
    def test_never_reach_storage_as_such(self, name, stored):
        extension = stored.rsplit(".", 1)[1]
        data = {"pdf": docfiles.pdf(), "png": docfiles.png(), "jpg": docfiles.jpeg()}[extension]
        assert clean_upload(data, name, MB).name == stored


class TestLongNames:
    def test_a_name_longer_than_the_limit_is_refused_not_cut(self):
        with pytest.raises(UploadRefused) as refused:
            clean_upload(docfiles.pdf(), "ក" * 97 + ".pdf", MB)
        assert refused.value.reason == "name_too_long" and refused.value.params == {"max_length": 100}

    def test_a_name_at_the_limit_is_kept_whole(self):
        name = "ក" * 96 + ".pdf"
        assert clean_upload(docfiles.pdf(), name, MB).name == name


class TestNamesWithPaths:
    @pytest.mark.parametrize("name", ["../x.pdf", "a/b.pdf", "C:\\x\\y.pdf", "..", "a\x00.pdf"])
    def test_are_refused(self, name):
        with pytest.raises(UploadRefused, match="bad_name"):
            clean_upload(docfiles.pdf(), name, MB)


class TestScriptsHiddenInPdfs:
    """What a byte search misses: the parser reads names and object streams as a viewer does."""

    def _refused(self, data: bytes) -> None:
        with pytest.raises(UploadRefused, match="active_pdf"):
            clean_upload(data, "a.pdf", MB)

    def test_a_name_written_with_hex_escapes(self):
        self._refused(docfiles.pdf().replace(
            b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"))

    def test_a_launch_action_behind_an_escaped_name(self):
        self._refused(docfiles.pdf().replace(
            b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /L#61unch /F (calc.exe) >>"))

    def test_a_script_inside_a_compressed_object_stream(self):
        data = pdf_with_object_stream(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
        assert b"JavaScript" not in data and b"/JS" not in data  # invisible to a byte search
        assert clean_upload(pdf_with_object_stream(b""), "plain.pdf", MB)  # the same file without it passes
        self._refused(data)

    def test_an_object_defined_twice_with_a_script_in_the_later_definition_is_refused(self):
        """The report's attack: offsets two bytes off make parsers rebuild the table; pypdf's rebuild keeps the
        first, harmless catalog, Chromium's and Poppler's the second, with an escaped /OpenAction script."""
        evil = (1, b"<< /Type /Catalog /Pages 2 0 R /Open#41ction << /S /J#61vaScript /J#53 (app.alert(1)) >> >>")
        data = docfiles.pdf_from_objects([*docfiles.page_objects(), evil], shift=2)
        with pytest.raises(UploadRefused) as refused:
            clean_upload(data, "lease.pdf", MB)
        assert refused.value.reason == "unclear_pdf"

    def test_an_ordinary_pdf_is_accepted_and_stored_rewritten_with_its_pages_alone(self):
        data = docfiles.pdf().replace(b"/Type /Catalog", b"/Type /Catalog /PageMode /UseNone /OpenAction [3 0 R /Fit]")
        stored = clean_upload(data, "a.pdf", MB).data
        assert stored != data and b"/OpenAction" not in stored and b"/PageMode" not in stored
        assert b"(hello) Tj" in PdfReader(io.BytesIO(stored)).pages[0].get_contents().get_data()


def pdf_with_object_stream(catalog_extra: bytes, padding_mb: int = 0) -> bytes:
    """A PDF 1.5 whose catalog, pages and page sit in one Flate-compressed object stream, indexed by a
    cross-reference stream: the way many scanners and office suites save files. `padding_mb` megabytes of
    spaces after the objects (a few hundred bytes each, compressed) make it an inflation bomb."""
    import struct
    import zlib

    objects = [b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    offsets, body = [], b""
    for obj in objects:
        offsets.append(len(body))
        body += obj + b"\n"
    header = b" ".join(b"%d %d" % (n + 1, off) for n, off in enumerate(offsets)) + b"\n"
    packer = zlib.compressobj(9)
    packed = packer.compress(header + body) + b"".join(packer.compress(b" " * (1 << 20)) for _ in range(padding_mb))
    packed += packer.flush()
    out = bytearray(b"%PDF-1.5\n")
    stream_at = len(out)
    out += b"4 0 obj\n<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
        len(header), len(packed)) + packed + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = [(0, 0, 65535), (2, 4, 0), (2, 4, 1), (2, 4, 2), (1, stream_at, 0), (1, xref_at, 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out += b"5 0 obj\n<< /Type /XRef /Size 6 /Root 1 0 R /W [1 4 2] /Length %d >>\nstream\n" % len(table)
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)
