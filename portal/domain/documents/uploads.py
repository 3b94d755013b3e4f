"""Checking and cleaning an uploaded file before it is stored.

The file's type comes from its bytes; its name is made safe and given the extension of what it
really is; images are decoded and re-encoded (which drops EXIF, GPS and anything hidden after
the image data) and refused when they would decode into too many pixels (decompression bombs).
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from portal.domain.documents.pdfs import clean_pdf
from portal.domain.documents.refused import UploadRefused
from portal.domain.documents.sniff import EXTENSIONS, JPEG, PDF, PNG, sniff

# A 40-megapixel photo is larger than any phone takes; a decompression bomb is far larger.
MAX_PIXELS = 40_000_000
# Stored images are scaled down to this on their longer side: plenty to read a document.
MAX_SIDE = 3000
# Longer names are refused, not cut: a cut name may lose what tells two documents apart.
MAX_NAME_LENGTH = 100
# Names Windows keeps for devices, whatever follows the first dot ("con.pdf", "NUL .png", "com1.tar.jpg"):
# saved under such a name, a download fails or writes to the device.
_WINDOWS_DEVICE = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9\u00b9\u00b2\u00b3]|LPT[0-9\u00b9\u00b2\u00b3]|CONIN\$|CONOUT\$"
                             r"|CLOCK\$)", re.IGNORECASE)


@dataclass(frozen=True)
class CleanFile:
    data: bytes
    media_type: str
    name: str


def safe_name(name: str | None, media_type: str) -> str:
    """A display and download name: no folders, no control characters, no Windows device name, the right
    extension. (Uploads longer than MAX_NAME_LENGTH are refused before this; other names are cut.)"""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]  # "../../etc/passwd" and "C:\\x\\y.pdf" keep only the last part
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").rstrip(" .")  # Windows drops these
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = re.sub(r"\s+", " ", stem).strip(" .-_") or "document"
    return f"{device_safe(stem)[:MAX_NAME_LENGTH]}.{EXTENSIONS[media_type]}"


def device_safe(name: str) -> str:
    """`name` with an underscore after a Windows device name before its first dot: "con.pdf" -> "con_.pdf".
    The person still recognises their file; Windows no longer reads it as a device."""
    first, dot, rest = name.partition(".")
    first = first.rstrip(" ")
    return f"{first}_{dot}{rest}" if _WINDOWS_DEVICE.fullmatch(first) else name


def clean_upload(
    data: bytes, name: str | None, max_bytes: int, accept: tuple[str, ...] = (PDF, JPEG, PNG)
) -> CleanFile:
    """The file as it will be stored, or UploadRefused."""
    if name and (re.search(r"[\\/\x00]", name) or name.strip() in (".", "..")):
        # Browsers send a bare file name; a path in it is a crafted request, not a mistake.
        raise UploadRefused("bad_name")
    if name and len(unicodedata.normalize("NFC", name)) > MAX_NAME_LENGTH:
        raise UploadRefused("name_too_long", max_length=MAX_NAME_LENGTH)
    if not data:
        raise UploadRefused("empty")
    if len(data) > max_bytes:
        raise UploadRefused("too_large", max_mb=round(max_bytes / 1024 / 1024, 1))
    media_type = sniff(data)
    if media_type not in accept:
        raise UploadRefused("wrong_type", found=media_type)
    data = clean_pdf(data) if media_type == PDF else _reencode_image(data, media_type)
    return CleanFile(data=data, media_type=media_type, name=safe_name(name, media_type))


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
