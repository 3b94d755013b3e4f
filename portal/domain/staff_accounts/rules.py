"""What a staff account's details must look like. Shared by the admin form and the commands so
that both accept and refuse exactly the same input."""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

from portal.domain.catalogue.model import is_routing_placeholder
from portal.domain.staff_accounts.errors import InvalidEmail, InvalidName

# A cashier takes payments at the counter and keeps the agency's books (the finance page); works no case.
ROLES = ("clerk", "supervisor", "cashier")
EMAIL_MAX = 254
NAME_MAX = 120

_SPACES = re.compile(r"\s+")
# Khmer consonants, independent vowels, dependent vowels and signs; no digits or punctuation.
_KHMER_LETTER = re.compile(r"[\u1780-\u17B3]")
_KHMER_NAME_CHAR = re.compile(r"[\u1780-\u17D3\u17DD ]")
_LATIN_PUNCTUATION = frozenset(" -'’.")


def clean_email(value: str) -> str:
    """The address, lower-cased, or InvalidEmail. Staff addresses are plain ASCII: government
    mail servers do not all accept internationalised addresses."""
    email = (value or "").strip()
    if not email:
        raise InvalidEmail(email, "it is empty")
    if len(email) > EMAIL_MAX:
        raise InvalidEmail(email, f"it is longer than {EMAIL_MAX} characters")
    if not email.isascii():
        raise InvalidEmail(email, "it may only contain Latin letters, digits and punctuation")
    try:
        result = validate_email(email, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise InvalidEmail(email, str(error)) from None
    return result.normalized.lower()


def normalise_name(value: str | None) -> str:
    # One spelling of the same name: NFC, no zero-width spaces (Khmer keyboards insert them), single spaces.
    text = unicodedata.normalize("NFC", value or "").replace("\u200b", "")
    return _SPACES.sub(" ", text).strip()


def is_khmer_name(name: str) -> bool:
    return bool(_KHMER_LETTER.match(name)) and all(_KHMER_NAME_CHAR.match(c) for c in name)


def is_latin_name(name: str) -> bool:
    def allowed(c: str) -> bool:
        return c in _LATIN_PUNCTUATION or (c.isalpha() and "LATIN" in unicodedata.name(c, ""))

    return bool(name) and name[0].isalpha() and all(allowed(c) for c in name)


def clean_name_km(value: str | None, required: bool = True) -> str | None:
    name = normalise_name(value)
    if not name:
        if required:
            raise InvalidName("Khmer", "is empty")
        return None
    if len(name) > NAME_MAX:
        raise InvalidName("Khmer", f"is longer than {NAME_MAX} characters")
    if not is_khmer_name(name):
        raise InvalidName("Khmer", "must be written in Khmer script only")
    return name


def clean_name_latin(value: str | None, required: bool = True) -> str | None:
    name = normalise_name(value)
    if not name:
        if required:
            raise InvalidName("Latin", "is empty")
        return None
    if len(name) > NAME_MAX:
        raise InvalidName("Latin", f"is longer than {NAME_MAX} characters")
    if not is_latin_name(name):
        raise InvalidName("Latin", "must be written in Latin letters only")
    return name


def is_office(agency) -> bool:
    """Staff work in real offices, not at the routing placeholder `commune-office`."""
    return not is_routing_placeholder(agency)
