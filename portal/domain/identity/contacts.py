"""Email addresses and Cambodian mobile numbers, typed in one field.

A person may type `012 345 678`, `+855 12 345 678`, `85512345678` or the same in Khmer digits
(`០១២ ៣៤៥ ៦៧៨`); we store the number in E.164 (`+85512345678`) and emails lower-cased, so
that the same account is found however it is typed. Parsing never raises anything but
`ContactError`, whose message is ready to show to the person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from portal.domain.i18n.formatting import to_latin_digits

MAX_LENGTH = 254  # the longest email address SMTP allows; far longer than any phone number
EMAIL, PHONE = "email", "phone"

ENTER_CONTACT = _l("Enter your email address or mobile phone number")
CONTACT_TOO_LONG = _l("Email address or phone number must be 254 characters or fewer")
NOT_A_CONTACT = _l("Enter an email address, like name@example.com, or a mobile phone number, like 012 345 678")
BAD_EMAIL = _l("Enter an email address in the correct format, like name@example.com")
LATIN_EMAIL = _l("The part of the email address before the @ can only use Latin letters, numbers and . _ - +")
ENTER_EMAIL = _l("Enter your email address")
BAD_PHONE = _l("Enter a Cambodian mobile phone number, like 012 345 678 or +855 12 345 678")
NOT_CAMBODIAN = _l("Enter a Cambodian mobile phone number (+855); numbers from other countries cannot be used")
NOT_MOBILE = _l("Enter a mobile phone number; we send text messages to it, so a landline cannot be used")
ENTER_PHONE = _l("Enter your mobile phone number")

# What a phone number may look like before parsing: digits with the usual separators.
_PHONE_SHAPE = re.compile(r"\+?\(?[0-9][0-9\s().\-]*")
_SEPARATORS = re.compile(r"[\s().\-]")
_MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


class ContactError(ValueError):
    """The text is not a usable email address or phone number; `message` says why, for the person."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message  # lazy: shown in the language of the page that catches it


@dataclass(frozen=True)
class Contact:
    kind: str  # EMAIL or PHONE
    value: str  # normalised: lower-cased email, or E.164 phone number


def parse_email(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ContactError(ENTER_EMAIL)
    if len(text) > MAX_LENGTH:
        raise ContactError(CONTACT_TOO_LONG)
    try:
        # Addresses with non-Latin letters before the @ need SMTPUTF8, which many mail servers refuse.
        info = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        local_part = text.rpartition("@")[0]
        raise ContactError(LATIN_EMAIL if local_part and not local_part.isascii() else BAD_EMAIL) from None
    # The ASCII form turns an internationalised domain into punycode, so both spellings match one account.
    return (info.ascii_email or info.normalized).lower()


def parse_phone(text: str) -> str:
    text = to_latin_digits((text or "").strip())
    if not text:
        raise ContactError(ENTER_PHONE)
    if len(text) > MAX_LENGTH:
        raise ContactError(CONTACT_TOO_LONG)
    if not _PHONE_SHAPE.fullmatch(text):
        raise ContactError(BAD_PHONE)
    try:
        number = phonenumbers.parse(_SEPARATORS.sub("", text), "KH")
    except phonenumbers.NumberParseException:
        raise ContactError(BAD_PHONE) from None
    if number.country_code != 855:
        if phonenumbers.is_valid_number(number):
            raise ContactError(NOT_CAMBODIAN)
        raise ContactError(BAD_PHONE)
    if not phonenumbers.is_valid_number(number):
        raise ContactError(BAD_PHONE)
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ContactError(NOT_MOBILE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


MESSAGES = (ENTER_CONTACT, CONTACT_TOO_LONG, NOT_A_CONTACT, BAD_EMAIL, LATIN_EMAIL, ENTER_EMAIL, BAD_PHONE,
            NOT_CAMBODIAN, NOT_MOBILE, ENTER_PHONE)


def looks_like_phone(text: str) -> bool:
    return bool(_PHONE_SHAPE.fullmatch(to_latin_digits(text.strip())))


def parse_contact(text: str) -> Contact:
    """An email address if it has an @, a phone number if it is made of digits, else a clear error."""
    text = (text or "").strip()
    if not text:
        raise ContactError(ENTER_CONTACT)
    if len(text) > MAX_LENGTH:
        raise ContactError(CONTACT_TOO_LONG)
    if "@" in text:
        return Contact(EMAIL, parse_email(text))
    if looks_like_phone(text):
        return Contact(PHONE, parse_phone(text))
    raise ContactError(NOT_A_CONTACT)
