"""Forms for business profiles: creating one, and inviting a member by email or phone."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import AnyOf, StopValidation, ValidationError

from portal.domain.fields.identity import Blank, Cleaned, tidy
from portal.domain.i18n.formatting import to_latin_digits
from portal.domain.identity.contacts import ContactError, parse_contact
from portal.domain.organisations.membership import ROLES

NAME_MAX = 200
REGISTRATION_MAX = 40

ENTER_NAME_KM = _l("Enter the business name in Khmer")
NAME_KM_NO_KHMER = _l("Write the business name in Khmer script")
NAME_TOO_SHORT = _l("The business name must be at least 2 characters")
NAME_TOO_LONG = _l("The business name must be 200 characters or fewer")
NAME_CHARACTERS = _l("The business name can use letters, digits, spaces and . , & ( ) ' - /, "
                     "but not emoji or other symbols")
NAME_EN_LATIN = _l("Write the English name in Latin letters, digits, spaces and . , & ( ) ' - /")
REGISTRATION_FORMAT = _l("Enter the registration number as printed on the Ministry of Commerce certificate, "
                         "using Latin letters, digits and . / -")
REGISTRATION_TOO_LONG = _l("The registration number must be 40 characters or fewer")
TAX_ID_FORMAT = _l("Enter the tax identification number (TIN) as the General Department of Taxation "
                   "issued it: a letter, 3 digits, a hyphen and 9 digits, for example K001-901234567")
ENTER_MEMBER_CONTACT = _l("Enter the email address or mobile phone number of the person you want to invite")
CHOOSE_ROLE = _l("Choose a role")

_NAME_PUNCTUATION = set(".,&()'-/\"«»:+!")
_REGISTRATION = re.compile(r"[A-Z0-9][A-Z0-9./\- ]*")
_TAX_ID = re.compile(r"([A-Z])([0-9]{3})-?([0-9]{9})")


def _is_khmer(char: str) -> bool:
    # The Khmer block without its rarely used symbols and the currency sign.
    return "\u1780" <= char <= "\u17dd" and char not in "\u17b4\u17b5\u17db\u17dc" or "\u17e0" <= char <= "\u17e9"


def _is_latin(char: str) -> bool:
    if "0" <= char <= "9":
        return True
    category = unicodedata.category(char)
    return (category.startswith("L") and unicodedata.name(char, "").startswith("LATIN ")) or (
        category == "Mn" and "\u0300" <= char <= "\u036f"
    )


def _check_length(name: str) -> None:
    if len(name) > NAME_MAX:
        raise ValidationError(NAME_TOO_LONG)
    if len(name) < 2:
        raise ValidationError(NAME_TOO_SHORT)


def clean_name_km(text: object) -> str:
    """A business name in Khmer; brand words in Latin letters may appear beside the Khmer."""
    if len(str(text or "")) > NAME_MAX * 2:
        raise ValidationError(NAME_TOO_LONG)
    name = tidy(text)
    if not name:
        raise ValidationError(ENTER_NAME_KM)
    _check_length(name)
    if not all(c == " " or c in _NAME_PUNCTUATION or _is_khmer(c) or _is_latin(c) for c in name):
        raise ValidationError(NAME_CHARACTERS)
    if not any("\u1780" <= c <= "\u17b3" for c in name):
        raise ValidationError(NAME_KM_NO_KHMER)
    return name


def clean_name_en(text: object) -> str:
    if len(str(text or "")) > NAME_MAX * 2:
        raise ValidationError(NAME_TOO_LONG)
    name = tidy(text)
    _check_length(name)
    if not all(c == " " or c in _NAME_PUNCTUATION or _is_latin(c) for c in name):
        raise ValidationError(NAME_EN_LATIN)
    if not any(unicodedata.category(c).startswith("L") for c in name):
        raise ValidationError(NAME_EN_LATIN)
    return name


def clean_registration_number(text: object) -> str:
    if len(str(text or "")) > REGISTRATION_MAX * 2:
        raise ValidationError(REGISTRATION_TOO_LONG)
    number = to_latin_digits(tidy(text)).upper()
    if len(number) > REGISTRATION_MAX:
        raise ValidationError(REGISTRATION_TOO_LONG)
    if not _REGISTRATION.fullmatch(number) or not any(c.isdigit() for c in number):
        raise ValidationError(REGISTRATION_FORMAT)
    return number


def clean_tax_id(text: object) -> str:
    """`k001 901234567`, `K001901234567` and `K០០១-៩០១២៣៤៥៦៧` all become `K001-901234567`."""
    if len(str(text or "")) > 40:
        raise ValidationError(TAX_ID_FORMAT)
    compact = to_latin_digits(tidy(text)).replace(" ", "").upper()
    match = _TAX_ID.fullmatch(compact)
    if not match:
        raise ValidationError(TAX_ID_FORMAT)
    letter, office, serial = match.groups()
    return f"{letter}{office}-{serial}"


class BusinessForm(FlaskForm):
    name_km = StringField(_l("Business name in Khmer"), [Cleaned(clean_name_km)])
    name_en = StringField(_l("Business name in English (optional)"), [Blank(), Cleaned(clean_name_en)])
    registration_number = StringField(
        _l("Ministry of Commerce registration number (optional)"), [Blank(), Cleaned(clean_registration_number)]
    )
    tax_id = StringField(_l("Tax identification number (TIN) (optional)"), [Blank(), Cleaned(clean_tax_id)])

    def values(self) -> dict:
        return {name: self[name].data for name in ("name_km", "name_en", "registration_number", "tax_id")}


class MemberContactField(StringField):
    """The email address or phone number of the person to invite; after validation `contact`
    holds it normalised (`portal.domain.fields.contact`), while the field shows what was typed."""

    contact = None

    def pre_validate(self, form) -> None:
        self.contact = None
        if not tidy(self.data):
            raise StopValidation(str(ENTER_MEMBER_CONTACT))
        try:
            self.contact = parse_contact(tidy(self.data))
        except ContactError as error:
            raise StopValidation(str(error.message)) from None


class InviteForm(FlaskForm):
    contact = MemberContactField(_l("Email address or mobile phone number"))
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("member", _l("Member: can apply for services for the business")),
                 SelectChoice("owner", _l("Owner: can also invite and remove members"))],
        default="member",
        validate_choice=False,
        validators=[AnyOf(ROLES, message=CHOOSE_ROLE)],
    )
