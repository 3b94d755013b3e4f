"""What a person reads when their upload is refused (UploadRefused.reason -> message)."""

from __future__ import annotations

from flask_babel import gettext as _

from portal.domain.documents.uploads import UploadRefused
from portal.domain.i18n.formatting import number


def refusal_message(refused: UploadRefused) -> str:
    reason, params = refused.reason, refused.params
    if reason == "empty":
        return _("The file is empty. Choose the file again.")
    if reason == "too_large":
        return _("The file is larger than %(size)s MB. Choose a smaller file or scan it at a lower resolution.",
                 size=number(params["max_mb"]))
    if reason == "wrong_type":
        return _("The file must be a PDF, JPEG or PNG. This file is another kind of file, whatever its name says.")
    if reason == "too_many_pixels":
        return _("The image is too large (more than %(count)s million pixels). Take a smaller photo.",
                 count=number(params["max_megapixels"]))
    if reason == "encrypted_pdf":
        return _("The PDF is protected with a password. Upload a copy without a password.")
    if reason == "active_pdf":
        return _(
            "The PDF contains scripts or attached files, which are not accepted. "
            "Print it to a new PDF and upload that."
        )
    if reason == "unclear_pdf":
        return _(
            "The PDF is damaged in a way that different programs would show differently, so it cannot be "
            "checked. Open it, print it to a new PDF and upload that."
        )
    if reason == "name_too_long":
        return _("The file name is longer than %(count)s characters. Give the file a shorter name and choose it again.",
                 count=number(params["max_length"]))
    if reason == "bad_name":
        return _("The file name is not allowed. Rename the file, without slashes, and choose it again.")
    if reason == "infected":
        return _("The file was refused because the virus check found a threat.")
    if reason == "scan_failed":
        return _("The file could not be checked for viruses just now. Please try again in a few minutes.")
    return _("The file is damaged or cannot be read. Choose the file again.")
