"""The verification stamp of an issued PDF: a QR code a phone reads as the verify link, drawn without a
WeasyPrint render per document, over a body whose signed bytes stay the file's first revision."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader

from portal.domain.rendering import signing
from portal.domain.rendering.issuing import issue_pdf, stamp_qr
from portal.domain.rendering.pdf import PdfRenderer

BODY = ('<html lang="km"><head><title>លិខិត</title><style>@page {{ size: {size} }}</style></head>'
        '<body><p style="font-family: \'Noto Sans Khmer\'">លិខិតបញ្ជាក់ទីលំនៅ</p></body></html>')
URL = "https://onewindow.gov.kh/verify/" + "AfAcpHcntHZ_YkGHzDZhMkp2vXlc2Pt_LZvozeQUvhHsXyQNftM81H74h0B0_FfklFE6AA" * 2


class CountingRenderer(PdfRenderer):
    """Our own renderer, counting the renders it makes."""

    renders = 0

    def render(self, html, base_dir, *, tagged=True):
        self.renders += 1
        return super().render(html, base_dir, tagged=tagged)


@pytest.fixture(scope="module")
def renderer(tmp_path_factory):
    root = tmp_path_factory.mktemp("stamp")
    return CountingRenderer(root / "fonts", [root]), root


def scan(pdf: bytes, tmp_path) -> list[str]:
    """The codes zbarimg finds on the first page drawn at 150 dpi, as a phone would see a print."""
    (tmp_path / "stamped.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", str(tmp_path / "stamped.pdf"),
                    str(tmp_path / "page")], check=True, timeout=60)
    # QR codes only: a line of printed text can pass for a one-dimensional barcode.
    scanned = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(tmp_path / "page.png")],
                             capture_output=True, text=True, timeout=60)
    return scanned.stdout.split()


def modules(url: str) -> list[list[bool]]:
    return [[bool(m) for m in row] for row in segno.make(url, error="m").matrix_iter(scale=1, border=0)]


def drawn_modules(stamped: bytes, size: int) -> list[list[bool]]:
    """The QR modules the stamp's rectangles cover, read back from the PDF."""
    page = PdfReader(io.BytesIO(stamped)).pages[0]
    drawn = page["/Resources"]["/XObject"]["/OneWindowVerifyQR"].get_data().decode()
    grid = [[False] * size for _ in range(size)]
    for column, row, width in (map(int, r.groups()) for r in re.finditer(r"^(\d+) (\d+) (\d+) 1 re$", drawn, re.M)):
        for c in range(column, column + width):
            assert not grid[row][c]
            grid[row][c] = True
    return grid


def test_the_drawn_qr_code_reads_as_the_url_and_the_body_is_the_first_revision(renderer, tmp_path):
    pdf_renderer, root = renderer
    body = pdf_renderer.render(BODY.format(size="A4"), root)
    stamped = stamp_qr(pdf_renderer, body, URL, root)
    assert stamped.startswith(body)
    assert scan(stamped, tmp_path) == [URL]


def test_the_drawn_modules_are_segno_s_matrix_in_the_corner_the_former_stamp_used(renderer):
    """Read back the rectangles: every dark module and no light one, in rows from the top, 30 mm wide,
    14 mm from the right and 12 mm + the two caption lines (2 x 6.5pt x 1.4) from the bottom."""
    pdf_renderer, root = renderer
    stamped = stamp_qr(pdf_renderer, pdf_renderer.render(BODY.format(size="A4"), root), URL, root)
    page = PdfReader(io.BytesIO(stamped)).pages[0]
    drawn = page["/Resources"]["/XObject"]["/OneWindowVerifyQR"].get_data().decode()
    expected = modules(URL)
    size = len(expected)
    assert drawn_modules(stamped, size) == expected
    scale, _, _, flipped, left, top = map(float, re.search(r"^q 0 g (\S+) (\S+) (\S+) (\S+) (\S+) (\S+) cm$", drawn,
                                                           re.M).groups())
    mm = 72 / 25.4
    assert flipped == -scale and scale * size == pytest.approx(30 * mm, abs=0.01)
    assert left == pytest.approx(float(page.mediabox.width) - 44 * mm, abs=0.01)
    assert top == pytest.approx(12 * mm + 2 * 6.5 * 1.4 + 30 * mm, abs=0.01)
    assert drawn.rstrip().endswith("f Q")


def test_the_caption_is_rendered_once_per_page_size(renderer, tmp_path):
    pdf_renderer, root = renderer
    bodies = {size: pdf_renderer.render(BODY.format(size=size), root) for size in ("A5", "A5 landscape")}
    before = pdf_renderer.renders
    first = stamp_qr(pdf_renderer, bodies["A5"], URL, root)
    assert pdf_renderer.renders == before + 1  # the caption, for A5
    second = stamp_qr(pdf_renderer, bodies["A5"], URL + "x", root)
    assert pdf_renderer.renders == before + 1  # copied, not rendered again
    stamp_qr(pdf_renderer, bodies["A5 landscape"], URL, root)
    assert pdf_renderer.renders == before + 2  # another page size has its own caption
    assert scan(first, tmp_path) == [URL] and scan(second, tmp_path) == [URL + "x"]
    assert b"ToUnicode" in second  # the caption's font came along into the second file too


def test_threads_stamping_at_once_share_one_caption_render(tmp_path):
    pdf_renderer = CountingRenderer(tmp_path / "fonts", [tmp_path])  # a renderer of its own: no caption yet
    body = pdf_renderer.render(BODY.format(size="A4"), tmp_path)
    before = pdf_renderer.renders
    urls = [f"{URL}{n}" for n in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        stamped = list(pool.map(lambda url: stamp_qr(pdf_renderer, body, url, tmp_path), urls))
    assert pdf_renderer.renders == before + 1
    for url, pdf in zip(urls, stamped, strict=True):
        assert pdf.startswith(body) and drawn_modules(pdf, len(modules(url))) == modules(url)


def test_cutting_an_issued_file_at_its_first_eof_gives_the_signed_hash(renderer):
    """The offline check: the payload in the QR code holds the SHA-256 of the file up to its first %%EOF."""
    pdf_renderer, root = renderer
    key = Ed25519PrivateKey.generate()
    issued = issue_pdf(pdf_renderer, BODY.format(size="A4"), root, key_id="k1", private_key=key,
                       issued=date(2026, 12, 7), expires=None, base_url="https://onewindow.gov.kh")
    first_revision = issued.pdf[: re.search(rb"%%EOF(\r\n|\r|\n)?", issued.pdf).end()]
    payload = signing.verify(issued.token, {"k1": key.public_key()})
    assert hashlib.sha256(first_revision).digest() == payload.sha256 == issued.content_sha256
    assert len(first_revision) < len(issued.pdf)  # the stamp is the second revision
