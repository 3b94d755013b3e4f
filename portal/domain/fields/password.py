"""The password policy for a new password (ASVS 2.1), as a WTForms validator.

Length is counted in code points after NFC, so Khmer (whose letters often take two or three
code points) is measured as the person sees it as typed, not in bytes. Any character may be used.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import StopValidation

from portal.domain.identity.passwords import MAX_LENGTH, MIN_LENGTH, is_common, normalise

ENTER_PASSWORD = _l("Enter a password")
TOO_SHORT = _l("Your password must be at least 8 characters long")
TOO_LONG = _l("Your password must be 128 characters or fewer")
TOO_COMMON = _l("This password is too common and easy to guess. Choose another, for example three or four "
                "words you will remember")


def policy_problem(password: str | None):
    """The message for what is wrong with a new password, or None if it may be used."""
    if not password:
        return ENTER_PASSWORD
    length = len(normalise(password))
    if length < MIN_LENGTH:
        return TOO_SHORT
    if length > MAX_LENGTH:
        return TOO_LONG
    if is_common(password):
        return TOO_COMMON
    return None


class NewPassword:
    """Validator: the field holds a password that the policy accepts."""

    def __call__(self, form, field) -> None:
        problem = policy_problem(field.data)
        if problem is not None:
            raise StopValidation(str(problem))


class NotTooLong:
    """Validator for a password typed to sign in or to confirm: only the upper limit, counted like the
    policy counts it. (WTForms' Length would also print `maxlength`, which browsers count in UTF-16
    units and use to cut the text silently: a long Khmer or emoji password would arrive shortened.)"""

    def __call__(self, form, field) -> None:
        if field.data and len(normalise(field.data)) > MAX_LENGTH:
            raise StopValidation(str(TOO_LONG))
