"""The photo an issued document shows (an output's `photo`, catalogue.photos), made from the uploaded file.

The upload was already re-encoded when it was stored; it is decoded again here, turned upright, stripped of
every metadata (EXIF, GPS, ICC, text chunks: only pixels are re-encoded), converted to RGB, cropped to a
35 x 45 mm passport photo at 300 dpi and encoded as a JPEG, which the template gets as a `data:` URI. A photo
that is missing or too small to print sharply issues nothing: the job fails with the reason in the log, like
a template that names data it was not given.
"""

from __future__ import annotations

import base64
import io
import logging

from PIL import Image, ImageOps, UnidentifiedImageError

from portal.data import documents as document_data
from portal.domain.catalogue.photos import CONTEXT_KEY
from portal.domain.documents import get_document_store

log = logging.getLogger(__name__)

# 35 x 45 mm at 300 dpi: the size printed.
SIZE = (413, 531)
# Smaller than half of it on either side, a photo prints blurred: refused.
MIN_SIZE = (SIZE[0] // 2, SIZE[1] // 2)


class PhotoError(ValueError):
    """The photo for a document is missing or unusable: the document is not issued."""


def printed_as_photo(service, requirement_id: str) -> bool:
    """Whether an output of `service` prints the file attached for this `documents:` entry as its photo."""
    return any(getattr(output, "photo", None) == requirement_id for output in service.outputs.values())


def too_small_to_print(data: bytes) -> bool:
    """An image smaller than MIN_SIZE, for an entry `printed_as_photo`: refused when it is attached, rather
    than failing the document once it is decided. A file that is not an image is for the upload checks."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = ImageOps.exif_transpose(image).size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return False
    return width < MIN_SIZE[0] or height < MIN_SIZE[1]


def photo_uri(context: dict, what: str) -> str | None:
    """The `data:` URI of the photo a request's context names; None for an output without a photo.
    Raises PhotoError, logged, when there is none or it is too small: nothing is issued."""
    wanted = (context or {}).get(CONTEXT_KEY)
    if wanted is None:
        return None
    document = document_data.get_by_id(wanted["document_id"]) if wanted.get("document_id") else None
    if document is None:
        return _refuse(f"{what}: no photo was attached for {wanted['requirement']!r}")
    return "data:image/jpeg;base64," + base64.b64encode(printable(get_document_store().read(document), what)).decode()


def printable(data: bytes, what: str) -> bytes:
    """The image as the document prints it: upright, RGB, cropped to SIZE, a JPEG without any metadata."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return _refuse(f"{what}: the photo cannot be read")
    if upright.width < MIN_SIZE[0] or upright.height < MIN_SIZE[1]:
        return _refuse(f"{what}: the photo is {upright.width} x {upright.height} pixels, smaller than "
                       f"{MIN_SIZE[0]} x {MIN_SIZE[1]}: too small to print")
    # Only the pixels go on: a new image has no EXIF, ICC profile or text chunks to carry over.
    pixels = ImageOps.fit(upright.convert("RGB"), SIZE, Image.Resampling.LANCZOS)
    clean = Image.new("RGB", SIZE)
    clean.paste(pixels)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=90, dpi=(300, 300))
    return out.getvalue()


def _refuse(problem: str):
    message = f"{problem}; nothing was issued. Ask for a new photo or correct the definition, then retry the job."
    log.error(message)
    raise PhotoError(message)
