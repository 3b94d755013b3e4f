"""Who a person is: names in Khmer and in Latin letters, the national ID number, the date of birth.

Each `clean_*` function takes whatever text a person typed and returns the value we store, or
raises `ValidationError` with a message ready to show in the page's language; nothing else
escapes from them, whatever the input (the property tests hold them to that). The fields
below run them after `Optional()` or `InputRequired()` and keep the cleaned value in `data`.
Khmer digits (០-៩) are read as Latin ones wherever digits are expected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Optional, StopValidation, ValidationError

from portal.domain import clock
from portal.domain.i18n.formatting import to_latin_digits

NAME_MIN, NAME_MAX = 2, 60
MAX_AGE_YEARS = 120
# Longer input is refused before any other work: nothing we accept comes near it.
_RAW_LIMIT = 200

KHMER_NAME_EMPTY = _l("Enter the name in Khmer")
KHMER_NAME_SCRIPT = _l("Write the name in Khmer letters only, without Latin letters, digits or symbols")
KHMER_NAME_WORD_START = _l("Check the spelling: each word must begin with a Khmer consonant or vowel letter")
KHMER_NAME_LENGTH = _l("The name in Khmer must be between 2 and 60 characters")
LATIN_NAME_EMPTY = _l("Enter the name in Latin letters")
LATIN_NAME_SCRIPT = _l("Write the name in Latin letters (A to Z, accents allowed), as in a passport")
LATIN_NAME_SHAPE = _l("Begin and end each word with a letter; use a single hyphen or apostrophe between letters")
LATIN_NAME_LENGTH = _l("The name in Latin letters must be between 2 and 60 characters")
NATIONAL_ID_EMPTY = _l("Enter the national ID number")
NATIONAL_ID_DIGITS = _l("Enter the national ID number using digits only, as printed on the card")
NATIONAL_ID_LENGTH = _l("A national ID number has 9 or 10 digits")
BIRTH_DATE_EMPTY = _l("Enter the date of birth")
BIRTH_DATE_FORMAT = _l("Enter the date of birth as a real date, for example 1990-03-15 or 15/03/1990")
BIRTH_DATE_FUTURE = _l("The date of birth must be today or in the past")
BIRTH_DATE_TOO_OLD = _l("Check the year: the date of birth cannot be more than 120 years ago")
MESSAGES = (
    KHMER_NAME_EMPTY, KHMER_NAME_SCRIPT, KHMER_NAME_WORD_START, KHMER_NAME_LENGTH,
    LATIN_NAME_EMPTY, LATIN_NAME_SCRIPT, LATIN_NAME_SHAPE, LATIN_NAME_LENGTH,
    NATIONAL_ID_EMPTY, NATIONAL_ID_DIGITS, NATIONAL_ID_LENGTH,
    BIRTH_DATE_EMPTY, BIRTH_DATE_FORMAT, BIRTH_DATE_FUTURE, BIRTH_DATE_TOO_OLD,
)

# Typed or pasted along with Khmer text by many keyboards, and invisible: dropped, never refused.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_APOSTROPHES_AND_HYPHENS = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'",
                                          "\u2010": "-", "\u2011": "-", "\u2013": "-"})
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DAY_FIRST_DATE = re.compile(r"([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})")
_ID_SEPARATORS = re.compile(r"[\s\-]")
_DIGITS = re.compile(r"[0-9]+")


def tidy(text: object) -> str:
    """NFC, invisible characters dropped, runs of white space made one space, ends trimmed."""
    text = unicodedata.normalize("NFC", str(text or "")).translate(_INVISIBLE)
    return " ".join(text.split())


def _is_khmer_letter(char: str) -> bool:
    # Consonants and independent vowels: U+1780..U+17B3.
    return "\u1780" <= char <= "\u17b3"


def _is_khmer_sign(char: str) -> bool:
    # Dependent vowels, signs and the coeng (U+17B6..U+17D3), and the atthacan sign U+17DD.
    return "\u17b6" <= char <= "\u17d3" or char == "\u17dd"


def clean_khmer_name(text: object) -> str:
    if len(str(text or "")) > _RAW_LIMIT:
        raise ValidationError(KHMER_NAME_LENGTH)
    name = tidy(text)
    if not name:
        raise ValidationError(KHMER_NAME_EMPTY)
    if not all(c == " " or _is_khmer_letter(c) or _is_khmer_sign(c) for c in name):
        raise ValidationError(KHMER_NAME_SCRIPT)
    if not all(_is_khmer_letter(word[0]) for word in name.split(" ")):
        raise ValidationError(KHMER_NAME_WORD_START)
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise ValidationError(KHMER_NAME_LENGTH)
    return name


def _is_latin_letter(char: str) -> bool:
    return unicodedata.category(char).startswith("L") and unicodedata.name(char, "").startswith("LATIN ")


def _is_accent(char: str) -> bool:
    # Combining accents left over after NFC (a letter with no precomposed form).
    return "\u0300" <= char <= "\u036f"


def _latin_word_ok(word: str) -> bool:
    if not _is_latin_letter(word[0]) or word[-1] in "-'":
        return False
    for before, char in zip(word, word[1:], strict=False):
        if char in "-'" and before in "-'":
            return False
        if _is_accent(char) and not (_is_latin_letter(before) or _is_accent(before)):
            return False
    return True


def clean_latin_name(text: object) -> str:
    if len(str(text or "")) > _RAW_LIMIT:
        raise ValidationError(LATIN_NAME_LENGTH)
    name = tidy(text).translate(_APOSTROPHES_AND_HYPHENS)
    if not name:
        raise ValidationError(LATIN_NAME_EMPTY)
    if not all(c in " -'" or _is_latin_letter(c) or _is_accent(c) for c in name):
        raise ValidationError(LATIN_NAME_SCRIPT)
    if not all(_latin_word_ok(word) for word in name.split(" ")):
        raise ValidationError(LATIN_NAME_SHAPE)
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise ValidationError(LATIN_NAME_LENGTH)
    return name


def clean_national_id(text: object) -> str:
    """`០១២៣៤៥៦៧៨`, `0123 45678` and `012345678` all become `012345678`."""
    if len(str(text or "")) > _RAW_LIMIT:
        raise ValidationError(NATIONAL_ID_LENGTH)
    number = _ID_SEPARATORS.sub("", to_latin_digits(tidy(text)))
    if not number:
        raise ValidationError(NATIONAL_ID_EMPTY)
    # `[0-9]`, not `\d`: Python's `\d` would also let through Thai, Arabic or full-width digits.
    if not _DIGITS.fullmatch(number):
        raise ValidationError(NATIONAL_ID_DIGITS)
    if len(number) not in (9, 10):
        raise ValidationError(NATIONAL_ID_LENGTH)
    return number


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def clean_date_of_birth(value: object, today: date | None = None) -> date:
    """`1990-03-15` (what `<input type=date>` sends), `15/03/1990`, or either in Khmer digits."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        born = value
    else:
        if len(str(value or "")) > _RAW_LIMIT:
            raise ValidationError(BIRTH_DATE_FORMAT)
        text = to_latin_digits(tidy(value)).replace(" ", "")
        if not text:
            raise ValidationError(BIRTH_DATE_EMPTY)
        if match := _ISO_DATE.fullmatch(text):
            year, month, day = match.groups()
        elif match := _DAY_FIRST_DATE.fullmatch(text):
            day, month, year = match.groups()
        else:
            raise ValidationError(BIRTH_DATE_FORMAT)
        try:
            born = date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(BIRTH_DATE_FORMAT) from None
    today = today or clock.today()
    if born > today:
        raise ValidationError(BIRTH_DATE_FUTURE)
    if born < _years_before(today, MAX_AGE_YEARS):
        raise ValidationError(BIRTH_DATE_TOO_OLD)
    return born


class Cleaned:
    """A validator that replaces the field's data with what `clean` makes of it."""

    def __init__(self, clean: Callable[[object], object]) -> None:
        self.clean = clean

    def __call__(self, form, field) -> None:
        field.data = self.clean(field.data)


class Blank(Optional):
    """`Optional()` that also counts invisible characters as blank, and leaves None as the data."""

    def __call__(self, form, field) -> None:
        if not field.raw_data or not tidy(field.raw_data[0]):
            field.data = None
            field.errors[:] = []
            raise StopValidation()


class _CleanedField(StringField):
    """A text field whose value is cleaned by `clean` after the given validators (by default
    `Blank()`: an empty field is left empty, as None, and not checked)."""

    clean: Callable[[object], object]

    def __init__(self, label=None, validators=None, **kwargs) -> None:
        validators = list(validators) if validators is not None else [Blank()]
        super().__init__(label, [*validators, Cleaned(type(self).clean)], **kwargs)


class KhmerNameField(_CleanedField):
    clean = staticmethod(clean_khmer_name)


class LatinNameField(_CleanedField):
    clean = staticmethod(clean_latin_name)


class NationalIdField(_CleanedField):
    clean = staticmethod(clean_national_id)


class DateOfBirthField(_CleanedField):
    """Shown as `YYYY-MM-DD`, the value `<input type=date>` expects; what the person typed is
    shown back unchanged when it could not be read."""

    clean = staticmethod(clean_date_of_birth)

    def _value(self) -> str:
        if isinstance(self.data, date):
            return self.data.isoformat()
        return super()._value()
