"""Checking and cleaning an uploaded file before it is stored.

The file's type comes from its bytes; its name is made safe and given the extension of what it
really is; images are decoded and re-encoded (which drops EXIF, GPS and anything hidden after
the image data) and refused when they would decode into too many pixels (decompression bombs).
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from portal.docstore.sniff import EXTENSIONS, JPEG, PDF, PNG, sniff

# A 40-megapixel photo is larger than any phone takes; a decompression bomb is far larger.
MAX_PIXELS = 40_000_000
# Stored images are scaled down to this on their longer side: plenty to read a document.
MAX_SIDE = 3000
_ACTIVE_PDF_CONTENT = (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/EmbeddedFile")


class UploadRefused(ValueError):
    """Why a file was not accepted; `reason` keys a message the web layer shows in the user's language."""

    def __init__(self, reason: str, **params):
        super().__init__(reason)
        self.reason = reason
        self.params = params


@dataclass(frozen=True)
class CleanFile:
    data: bytes
    media_type: str
    name: str


def safe_name(name: str | None, media_type: str) -> str:
    """A display and download name: no folders, no control characters, the right extension."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]  # "../../etc/passwd" and "C:\\x\\y.pdf" keep only the last part
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"\s+", " ", stem).strip(" .-_") or "document"
    return f"{stem[:100]}.{EXTENSIONS[media_type]}"


def clean_upload(
    data: bytes, name: str | None, max_bytes: int, accept: tuple[str, ...] = (PDF, JPEG, PNG)
) -> CleanFile:
    """The file as it will be stored, or UploadRefused."""
    if name and (re.search(r"[\\/\x00]", name) or name.strip() in (".", "..")):
        # Browsers send a bare file name; a path in it is a crafted request, not a mistake.
        raise UploadRefused("bad_name")
    if not data:
        raise UploadRefused("empty")
    if len(data) > max_bytes:
        raise UploadRefused("too_large", max_mb=round(max_bytes / 1024 / 1024, 1))
    media_type = sniff(data)
    if media_type not in accept:
        raise UploadRefused("wrong_type", found=media_type)
    data = _check_pdf(data) if media_type == PDF else _reencode_image(data, media_type)
    return CleanFile(data=data, media_type=media_type, name=safe_name(name, media_type))


def _check_pdf(data: bytes) -> bytes:
    if b"%%EOF" not in data[-2048:]:
        raise UploadRefused("damaged")
    if b"/Encrypt" in data:
        raise UploadRefused("encrypted_pdf")
    # The byte search is quick and catches the plain cases; the parse below catches what it cannot see:
    # names written with #xx escapes (/J#61vaScript) and objects packed inside compressed object streams.
    if any(marker in data for marker in _ACTIVE_PDF_CONTENT) or _has_active_content(data):
        raise UploadRefused("active_pdf")
    return data


# Dictionary keys that carry scripts, files or programs; action types that run or send something.
_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/RichMedia", "/XFA"})
_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/RichMediaExecute", "/GoToE"})
# pypdf logs every oddity of a malformed file as a warning; a refused upload says enough.
logging.getLogger("pypdf").setLevel(logging.ERROR)
# A scanned letter has some hundreds of objects; a file that makes us visit more is refused, not walked.
_MAX_PDF_OBJECTS = 50_000


def _has_active_content(data: bytes) -> bool:
    """Parse the PDF and walk every object reachable from its trailer, as a viewer would read them.
    A file pypdf cannot parse is refused as damaged: it is no use to a clerk either."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = PdfReader(io.BytesIO(data), strict=False)
            return _walk_pdf(reader.trailer)
    except UploadRefused:
        raise
    except Exception:  # noqa: BLE001 - pypdf raises many kinds of error on hostile or broken files
        raise UploadRefused("damaged") from None


def _walk_pdf(root) -> bool:
    seen: set[tuple[int, int]] = set()
    pending = [root]
    visited = 0
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > _MAX_PDF_OBJECTS:
            raise UploadRefused("damaged")
        if isinstance(node, DictionaryObject):
            if _ACTIVE_KEYS & set(node.keys()) or node.get("/S") in _ACTIVE_ACTIONS:
                return True
            pending.extend(node.values())
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    return False


def _reencode_image(data: bytes, media_type: str) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as image:
            # The header gives the size before any pixel is decoded: stop bombs here.
            if image.width * image.height > MAX_PIXELS:
                raise UploadRefused("too_many_pixels", max_megapixels=MAX_PIXELS // 1_000_000)
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image.load()
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            if media_type == JPEG:
                image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
            else:
                keep = image.mode if image.mode in ("RGB", "RGBA", "L", "LA", "P") else "RGBA"
                image.convert(keep).save(out, "PNG", optimize=True)
            return out.getvalue()
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRefused("too_many_pixels", max_megapixels=MAX_PIXELS // 1_000_000) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise UploadRefused("damaged") from None
