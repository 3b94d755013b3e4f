"""Files given for an application: checked, cleaned, scanned and kept in the document store, owned by whoever
applies (the person, or the business they act for). The applicant's pages and the API both come here, so a
file is checked the same way however it arrives."""

from __future__ import annotations

from typing import BinaryIO

from flask_babel import gettext as _

from portal.data import organisations
from portal.domain.documents import get_document_store
from portal.domain.documents.sniff import KINDS
from portal.domain.i18n.formatting import digits
from portal.domain.rendering import photos


class PhotoTooSmall(Exception):
    """A photo the service prints on its document is smaller than it can be printed (photos.MIN_SIZE)."""


def accepted(kinds) -> tuple[str, ...]:
    """The media types of a requirement's or field's `accept` list (pdf, jpeg, png)."""
    return tuple(KINDS[kind] for kind in kinds)


def store_upload(application, person, stream: BinaryIO, filename: str | None, max_mb: int,
                 accept: tuple[str, ...] | None = None):
    """Into the store, for `person` filing `application`. Raises UploadRefused, writing nothing then."""
    data = stream.read(max_mb * 1024 * 1024 + 1)
    owner = {"owner_person": person} if application.organisation_id is None else {
        "owner_organisation": organisations.get_by_id(application.organisation_id)}
    return get_document_store().add_upload(data, filename, created_by=person, max_bytes=max_mb * 1024 * 1024,
                                           accept=accept, **owner)


def store_for_requirement(service, application, person, requirement, stream: BinaryIO, filename: str | None):
    """A file given for one of the service's document requirements, with the requirement's kinds and size;
    a photo the service prints must be large enough to print (PhotoTooSmall), checked before anything is
    stored so that a refused photo leaves nothing behind."""
    if photos.printed_as_photo(service, requirement.id):
        too_small = photos.too_small_to_print(stream.read(requirement.max_mb * 1024 * 1024 + 1))
        stream.seek(0)
        if too_small:
            raise PhotoTooSmall
    return store_upload(application, person, stream, filename, requirement.max_mb, accepted(requirement.accept))


def photo_too_small_message() -> str:
    width, height = photos.MIN_SIZE
    return _("This photo is too small to print on the document: it must be at least %(width)s by %(height)s "
             "pixels. Take a closer photo, or scan it at a higher resolution.",
             width=digits(str(width)), height=digits(str(height)))
