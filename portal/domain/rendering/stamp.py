"""The verification stamp an issued PDF carries on its first page: a QR code and its caption.

Drawn without a WeasyPrint render per document (issue 16: that second render cost ~1x the body's):
- the QR code is written as PDF path operators straight from segno's module matrix, each row's dark
  modules merged into runs, all filled as one path (one shape: no seams between rows);
- the caption "ស្កេនដើម្បីផ្ទៀងផ្ទាត់ / Scan to verify" needs Khmer shaping, which only WeasyPrint does
  here: it is rendered once per page size and renderer (so per process), its content stream and
  resources (the font subset) are kept as an immutable tree, and each stamp copies that tree into its
  own PDF. The copy only reads the tree, so threads of one worker share it safely.
"""

from __future__ import annotations

import io
import threading
import weakref
import zlib
from dataclasses import dataclass
from pathlib import Path

import segno
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    EncodedStreamObject,
    IndirectObject,
    NameObject,
    PdfObject,
    RectangleObject,
    StreamObject,
)

from portal.domain.rendering.pdf import PdfRenderer

_MM = 72 / 25.4
# The stamp's place on the first page (templates keep this corner free): a 30 mm QR code, its caption
# under it, the whole 14 mm from the right edge and 12 mm from the bottom. The caption is two lines of
# 6.5pt at line-height 1.4; the QR code sits on top of them, where the <img> of the former one-render
# stamp sat.
RIGHT, BOTTOM, WIDTH = 14 * _MM, 12 * _MM, 30 * _MM
CAPTION_HEIGHT = 2 * 6.5 * 1.4

CAPTION = """<!doctype html><html lang="km"><head><style>
@page {{ size: {width}pt {height}pt; margin: 0 }}
body {{ margin: 0; font-family: "Noto Sans Khmer", sans-serif; }}
.caption {{ position: absolute; right: {right}pt; bottom: {bottom}pt; width: {qr}pt; height: {caption}pt;
            text-align: center; font-size: 6.5pt; line-height: 1.4; color: #333; }}
</style></head><body><div class="caption">ស្កេនដើម្បីផ្ទៀងផ្ទាត់<br>Scan to verify</div></body></html>"""


def qr_operators(url: str, page_box: RectangleObject) -> bytes:
    """PDF operators that fill the QR code of `url` in its place on a page of `page_box`.

    Module units are mapped to points by one `cm` (origin at the code's top left corner, y down), so each
    run of dark modules is `column row length 1 re` in whole numbers. No quiet zone is painted: like the
    former stamp, the code relies on the white corner the templates keep around it."""
    code = segno.make(url, error="m")
    modules = code.symbol_size(border=0)[0]
    scale = WIDTH / modules
    left = float(page_box.right) - RIGHT - WIDTH
    top = float(page_box.bottom) + BOTTOM + CAPTION_HEIGHT + WIDTH
    ops = [f"q 0 g {scale:.6f} 0 0 {-scale:.6f} {left:.4f} {top:.4f} cm"]
    for row, dark in enumerate(code.matrix_iter(scale=1, border=0)):
        column = 0
        while column < modules:
            if dark[column]:
                start = column
                while column < modules and dark[column]:
                    column += 1
                ops.append(f"{start} {row} {column - start} 1 re")
            else:
                column += 1
    ops.append("f Q")
    return "\n".join(ops).encode()


# --- the caption, rendered once and copied into every stamped PDF -------------------------------


@dataclass(frozen=True)
class _Shared:
    """An object the caption's PDF referred to indirectly (a font, a stream): copied once per PDF."""

    value: object


@dataclass(frozen=True)
class _Stream:
    entries: tuple  # (name, frozen value) pairs, /Length left out: pypdf writes it
    data: bytes  # as stored (still encoded by its /Filter)


@dataclass(frozen=True)
class _Dict:
    entries: tuple


@dataclass(frozen=True)
class Caption:
    content: bytes  # the page's content stream, decoded
    resources: _Dict


_captions: weakref.WeakKeyDictionary[PdfRenderer, dict[tuple[float, float], Caption]] = weakref.WeakKeyDictionary()
_captions_lock = threading.Lock()


def caption(renderer: PdfRenderer, page_box: RectangleObject, base_dir: Path) -> Caption:
    """The caption for pages of `page_box`'s size: rendered by `renderer` the first time, then reused.

    Kept per renderer (a renderer is one set of fonts); the lock makes concurrent first stamps of one size
    render it once (renders are serialised by the renderer's own lock anyway)."""
    size = (round(float(page_box.width), 3), round(float(page_box.height), 3))
    with _captions_lock:
        known = _captions.setdefault(renderer, {})
        if size not in known:
            known[size] = _render_caption(renderer, size, base_dir)
        return known[size]


def _render_caption(renderer: PdfRenderer, size: tuple[float, float], base_dir: Path) -> Caption:
    html = CAPTION.format(width=size[0], height=size[1], right=RIGHT, bottom=BOTTOM, qr=WIDTH,
                          caption=CAPTION_HEIGHT)
    page = PdfReader(io.BytesIO(renderer.render(html, base_dir, tagged=False))).pages[0]
    contents = page[NameObject("/Contents")].get_object()
    parts = contents if isinstance(contents, ArrayObject) else [contents]
    resources = _freeze(page.raw_get(NameObject("/Resources")), {})
    if isinstance(resources, _Shared):
        resources = resources.value
    return Caption(content=b"\n".join(part.get_object().get_data() for part in parts), resources=resources)


def _freeze(value, seen: dict):
    """An immutable copy of a PDF object tree read by pypdf, with nothing left to read from the file."""
    if isinstance(value, IndirectObject):
        key = (value.idnum, value.generation)
        if key not in seen:
            seen[key] = _Shared(_freeze(value.get_object(), seen))
        return seen[key]
    if isinstance(value, StreamObject):
        entries = tuple((k, _freeze(v, seen)) for k, v in dict.items(value) if k != "/Length")
        return _Stream(entries, value._data)
    if isinstance(value, DictionaryObject):
        return _Dict(tuple((k, _freeze(v, seen)) for k, v in dict.items(value)))
    if isinstance(value, ArrayObject):
        return tuple(_freeze(item, seen) for item in value)
    return value  # names, numbers, strings: immutable values


def copy_into(writer: PdfWriter, frozen, copied: dict) -> PdfObject:
    """New pypdf objects of `frozen` for `writer`; each _Shared becomes one indirect object of it."""
    if isinstance(frozen, _Shared):
        if id(frozen) not in copied:
            copied[id(frozen)] = writer._add_object(copy_into(writer, frozen.value, copied))
        return copied[id(frozen)]
    if isinstance(frozen, _Stream):
        stream = EncodedStreamObject()
        stream.update({NameObject(k): copy_into(writer, v, copied) for k, v in frozen.entries})
        stream._data = frozen.data
        return stream
    if isinstance(frozen, _Dict):
        return DictionaryObject({NameObject(k): copy_into(writer, v, copied) for k, v in frozen.entries})
    if isinstance(frozen, tuple):
        return ArrayObject(copy_into(writer, item, copied) for item in frozen)
    return frozen


def stamp_form(writer: PdfWriter, page, url: str, caption: Caption) -> IndirectObject:
    """The stamp for `page` as a form XObject of `writer`: the caption (bracketed, its transform stays
    inside) and the QR code, in page space."""
    form = EncodedStreamObject()
    box = page.mediabox
    # The caption was laid out on a page whose lower left corner is 0 0; move it to this page's.
    place = f"q 1 0 0 1 {float(box.left):g} {float(box.bottom):g} cm\n".encode()
    form._data = zlib.compress(place + caption.content + b"\nQ\n" + qr_operators(url, box), 6)
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/Filter"): NameObject("/FlateDecode"),
        NameObject("/BBox"): box,
        NameObject("/Resources"): copy_into(writer, caption.resources, {}),
    })
    return writer._add_object(form)
