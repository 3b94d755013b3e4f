from __future__ import annotations

import io
import subprocess

import pytest
from pypdf import PdfReader

from portal.domain.i18n.khmer import FULL_STOPS, WORD_JOINER, ZWSP, break_html_text, insert_word_breaks
from portal.domain.rendering.pdf import PdfRenderer, RenderError


class TestWordBreaks:
    def test_khmer_words_are_separated_by_zero_width_spaces(self):
        assert insert_word_breaks("ហាងលក់គ្រឿងទេសស្រីស្រស់") == ZWSP.join(["ហាង", "លក់", "គ្រឿងទេស", "ស្រី", "ស្រស់"])

    def test_latin_text_is_untouched(self):
        assert insert_word_breaks("Business registration 2026") == "Business registration 2026"

    def test_only_text_nodes_of_html_change(self):
        html = '<p title="ហាងលក់">ហាងលក់</p><style>p:before{content:"ហាងលក់"}</style>'
        out = break_html_text(html)
        assert out.startswith('<p title="ហាងលក់">ហាង' + ZWSP + "លក់</p>")
        assert out.endswith('<style>p:before{content:"ហាងលក់"}</style>')


@pytest.fixture(scope="module")
def renderer(tmp_path_factory):
    root = tmp_path_factory.mktemp("render")
    return PdfRenderer(root / "fonts", [root]), root


class TestPdfRenderer:
    def test_renders_khmer_with_the_embedded_noto_font(self, renderer):
        pdf_renderer, root = renderer
        pdf = pdf_renderer.render('<p style="font-family: \'Noto Sans Khmer\'">វិញ្ញាបនបត្រ ១២៣</p>', root)
        assert pdf.startswith(b"%PDF-")
        (root / "khmer.pdf").write_bytes(pdf)
        fonts = subprocess.run(["pdffonts", str(root / "khmer.pdf")], capture_output=True, text=True, check=True)
        assert "Noto-Sans-Khmer" in fonts.stdout

    def test_a_character_no_font_has_fails_the_render(self, renderer):
        pdf_renderer, root = renderer
        with pytest.raises(RenderError, match="notdef"):
            pdf_renderer.render("<p>\ue000</p>", root)

    def test_a_missing_image_fails_the_render(self, renderer):
        pdf_renderer, root = renderer
        with pytest.raises(RenderError, match="Failed to load image"):
            pdf_renderer.render('<img src="seal.png">', root)

    def test_files_outside_the_template_folders_are_refused(self, renderer):
        pdf_renderer, root = renderer
        with pytest.raises(RenderError):
            pdf_renderer.render('<img src="file:///etc/hostname">', root)


def _pdftotext(root, pdf: bytes, *args: str) -> str:
    path = root / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


KHMER_PARAGRAPH = ("រដ្ឋបាលសង្កាត់ស្វាយប៉ោ ក្រុងបាត់ដំបង សូមបញ្ជាក់ថា បុគ្គលដែលមានឈ្មោះខាងក្រោម "
                   "ពិតជារស់នៅក្នុងមូលដ្ឋានរបស់ខ្លួនមែន។ ឯកសារនេះអាចផ្ទៀងផ្ទាត់បានដោយស្កេនកូដ QR។")


class TestFullStops:
    def test_a_full_stop_is_glued_to_the_word_before_it(self):
        assert insert_word_breaks("ខ្លួនមែន។") == "ខ្លួន" + ZWSP + "មែន" + WORD_JOINER + "។"
        assert insert_word_breaks("កូដ QR ។ ហើយ") == "កូដ QR" + WORD_JOINER + "។ ហើយ"
        assert break_html_text("<b>មែន</b>។<br>") == "<b>មែន</b>" + WORD_JOINER + "។<br>"

    def test_no_line_of_a_pdf_starts_with_a_full_stop_at_any_width(self, renderer):
        """Narrower and narrower boxes: wherever the lines break, "។" stays at the end of one."""
        pdf_renderer, root = renderer
        starts = set()
        for width in range(30, 80, 3):
            pdf = pdf_renderer.render(f'<p style="font-family: \'Noto Sans Khmer\'; width: {width}mm">'
                                      f"{KHMER_PARAGRAPH}</p>", root)
            lines = [line.strip() for line in _pdftotext(root, pdf).splitlines() if line.strip()]
            starts |= {line[0] for line in lines}
        assert not starts & set(FULL_STOPS)


class TestAccessiblePdf:
    def test_khmer_text_copies_out_in_reading_order(self, renderer):
        pdf_renderer, root = renderer
        html = ('<h1 style="font-family: \'Noto Sans Khmer\'">ព្រះរាជាណាចក្រកម្ពុជា</h1>'
                f'<p style="font-family: \'Noto Sans Khmer\'; width: 60mm">{KHMER_PARAGRAPH}</p>')
        text = _pdftotext(root, pdf_renderer.render(html, root))
        assert "ព្រះរាជាណាចក្រកម្ពុជា" in text
        joined = "".join(line.strip() for line in text.splitlines()[1:])
        assert joined.replace(" ", "") == KHMER_PARAGRAPH.replace(" ", "")
        assert ZWSP not in text and WORD_JOINER not in text

    def test_documents_are_tagged_pdf_ua(self, renderer):
        pdf_renderer, root = renderer
        pdf = pdf_renderer.render('<html lang="km"><head><title>លិខិត</title></head>'
                                  '<body><p style="font-family: \'Noto Sans Khmer\'">លិខិត</p></body></html>', root)
        (root / "tagged.pdf").write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(root / "tagged.pdf")], capture_output=True, text=True, check=True)
        assert "Tagged:          yes" in info.stdout
        catalog = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
        assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
        assert catalog["/Lang"] == "km"
        assert b"pdfuaid" in catalog["/Metadata"].get_object().get_data()
