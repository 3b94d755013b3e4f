from __future__ import annotations

import subprocess

import pytest

from portal.domain.i18n.khmer import ZWSP, break_html_text, insert_word_breaks
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
