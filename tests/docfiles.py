"""Small real files for upload tests, made in memory."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from PIL import Image


def pdf(text: str = "hello") -> bytes:
    body = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, content in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + content + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def jpeg(size=(64, 48), exif: bool = False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "PhoneMaker"  # Make
        tags[0x8825] = {2: (11.0, 33.0, 0.0)}  # GPS latitude: where the photo was taken
        image.save(out, "JPEG", exif=tags)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def png(size=(32, 32)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 90, 200, 255)).save(out, "PNG")
    return out.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims 10 gigapixels (decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 100_000, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def zip_file() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("a.txt", "hello")
    return out.getvalue()


HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


def pdf_from_objects(
    objects: list[tuple[int, bytes]], *, root: int = 1, version: bytes = b"1.4", shift: int = 0,
    xref: bool = True, trailer_extra: bytes = b"",
) -> bytes:
    """A PDF written object by object, for the tricks a hostile file plays. An object number may appear
    twice (the table then points at its first definition); `shift` moves every offset in the table off
    its object by that many bytes; `xref=False` leaves out the table and startxref, as some scanners do."""
    out = io.BytesIO()
    out.write(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number, content in objects:
        offsets.setdefault(number, out.tell())
        out.write(b"%d 0 obj\n" % number + content + b"\nendobj\n")
    size = max(offsets) + 1
    trailer = b"trailer\n<< /Size %d /Root %d 0 R %s>>\n" % (size, root, trailer_extra)
    if not xref:
        out.write(trailer + b"%%EOF\n")
        return out.getvalue()
    table_at = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for number in range(1, size):
        out.write(b"%010d 00000 n \n" % (offsets[number] + shift) if number in offsets else b"0000000000 65535 f \n")
    out.write(trailer + b"startxref\n%d\n%%%%EOF\n" % table_at)
    return out.getvalue()


def page_objects(text: str = "hello", catalog_extra: bytes = b"", page_extra: bytes = b"") -> list[tuple[int, bytes]]:
    """Catalog (1), page tree (2), one page (3) showing `text` in Helvetica (5), its content stream (4)."""
    body = f"BT /F1 24 Tf 72 700 Td ({text}) Tj ET".encode()
    return [
        (1, b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>"),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
        (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> " + page_extra + b">>"),
        (4, b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream"),
        (5, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"),
    ]


def with_update(pdf_bytes: bytes, objects: list[tuple[int, bytes]], *, root: int = 1, eof: bool = True) -> bytes:
    """`pdf_bytes` with an incremental update appended that (re)defines `objects`, as editors and signing
    tools save changes; `eof=False` leaves off the closing %%EOF (an update smuggled after the end)."""
    previous = int(pdf_bytes.rsplit(b"startxref", 1)[1].split()[0])
    out = io.BytesIO()
    out.write(pdf_bytes)
    offsets = {}
    for number, content in objects:
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n" % number + content + b"\nendobj\n")
    table_at = out.tell()
    out.write(b"xref\n")
    for number in sorted(offsets):
        out.write(b"%d 1\n%010d 00000 n \n" % (number, offsets[number]))
    size = max(max(offsets) + 1, int(pdf_bytes.rsplit(b"/Size", 1)[1].split()[0]))
    out.write(b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n" % (size, root, previous, table_at))
    if eof:
        out.write(b"%%EOF\n")
    return out.getvalue()
