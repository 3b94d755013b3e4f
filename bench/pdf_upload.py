"""Median time to check and rebuild an uploaded scan (portal/domain/documents/pdfs.py: raw-byte checks, qpdf's
reading walked, pages flattened and rewritten, the new file read again by pypdf), in this process and as
uploads run it (in a forked child with a memory and time budget), beside pypdf merely parsing every
object of the same file (about what the check before the rebuild cost), in the same process.
The scans are what a phone or office scanner sends: A4 at 200 dpi, one grey JPEG per page (~0.3 MB each).
Usage: .venv/bin/python bench/pdf_upload.py [repeats]"""

from __future__ import annotations

import io
import sys
import warnings
from pathlib import Path

from _portal import median_ms, timed
from _rows import row
from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from portal.domain.documents.pdfs import _clean, clean_pdf  # noqa: E402

REPEAT = int(sys.argv[1]) if len(sys.argv) > 1 else 10
A4_200_DPI = (1654, 2339)


def scan(pages: int) -> bytes:
    """Pages of grey noise (paper grain) with dark bars for lines of text, saved by Pillow as a PDF."""
    images = []
    for number in range(pages):
        page = Image.effect_noise(A4_200_DPI, 12).point(lambda v: 200 + v // 5)
        draw = ImageDraw.Draw(page)
        for line in range(40):
            draw.rectangle((150, 200 + line * 50, 1300 + (line * 37 + number) % 200, 220 + line * 50), fill=40)
        images.append(page.convert("RGB"))
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=200, save_all=True, append_images=images[1:], quality=75)
    return out.getvalue()


def parse_only(data: bytes) -> None:
    from pypdf import PdfReader

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(data), strict=False)
        for number in range(1, len(reader.xref_objStm) + sum(len(v) for v in reader.xref.values()) + 1):
            reader.get_object(number)


def main() -> None:
    for pages in (1, 20):
        data = scan(pages)
        clean_pdf(data), parse_only(data)  # first runs import and warm up; not measured
        samples = {"parse": [], "here": [], "child": []}
        for _ in range(REPEAT):  # interleaved rounds, so all see the same machine noise
            samples["parse"] += timed(lambda data=data: parse_only(data), 1)
            samples["here"] += timed(lambda data=data: _clean(data), 1)
            samples["child"] += timed(lambda data=data: clean_pdf(data), 1)
        parse, here, child = (median_ms(samples[name]) for name in ("parse", "here", "child"))
        stored = len(clean_pdf(data))
        print(f"{pages:2d}-page scan, {len(data) / 1e6:.1f} MB (stored {stored / 1e6:.1f} MB), median of {REPEAT}:")
        print(f"  pypdf parsing every object:                   {parse:8.1f} ms")
        print(f"  check, rebuild, re-check in this process:     {here:8.1f} ms   ratio {here / parse:.2f}")
        print(f"  the same in a forked child (as uploads run):  {child:8.1f} ms   ratio {child / parse:.2f}")
        row(f"upload check+rebuild ms, {pages}-page scan, vs pypdf parse", child, parse, child / parse)


if __name__ == "__main__":
    main()
