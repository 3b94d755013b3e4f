"""Numbers, money and dates in the current locale.

Babel never prints Khmer digits (LIBRARY-NOTES): in `km` we format with Babel and then swap
the digits ourselves. Identifiers and references stay in Latin digits; only call these on
quantities, amounts and dates.
"""

from __future__ import annotations

from datetime import date as date_type
from datetime import datetime
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask_babel import get_locale

from portal.domain.clock import CAMBODIA

KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
LATIN_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


@cache
def _babel(locale: str) -> Locale:
    """Babel's Locale for a code, made once: given the code itself, Babel parses it again on every call,
    half the time of formatting a date (a page of applications formats dozens)."""
    return Locale.parse(locale)


def _babel_code() -> str:
    locale = get_locale()
    return str(locale) if locale else "km"


# Where the current language code comes from. The web layer swaps in one that remembers the code for
# the request (portal/web/request_language.py): every `bilingual`, `date` and `digits` of a page asks,
# dozens of times, and Flask-Babel's answer costs a context lookup and a `str(Locale)` each time.
_code_source = _babel_code


def use_locale_source(source) -> None:
    global _code_source
    _code_source = source


def current_locale() -> str:
    return _code_source()


def digits(value: object, locale: str | None = None) -> str:
    text = str(value)
    return text.translate(KHMER_DIGITS) if (locale or current_locale()) == "km" else text


def to_latin_digits(text: str) -> str:
    """Khmer digits typed by a user, read as Latin ones."""
    return text.translate(LATIN_DIGITS)


# CLDR's "minimum grouping digits" of 2: a separator only from five digits on (10,000), so that a
# four-digit number, most often a year (2024, ២០២៧) and never meant as a thousand-and-something, is
# written as people write years. Money keeps its separators (`money` below).
GROUPING_FROM = 10_000


def number(value: int | float | Decimal, locale: str | None = None) -> str:
    locale = locale or current_locale()
    grouped = abs(value) >= GROUPING_FROM
    return digits(babel_numbers.format_decimal(value, locale=_babel("en"), group_separator=grouped), locale)


def money(amount: int | float | Decimal, currency: str = "KHR", locale: str | None = None) -> str:
    """Riel without decimals (`1,500,000 ៛`), US dollars with cents (`$12.50`)."""
    locale = locale or current_locale()
    if currency == "KHR":
        text = babel_numbers.format_currency(
            amount, "KHR", format="#,##0 ¤", currency_digits=False, locale=_babel("km")
        )
    else:
        text = babel_numbers.format_currency(amount, currency, locale=_babel("en"))
    return digits(text, locale)


def in_cambodia(value: datetime) -> datetime:
    # Stored in UTC without a zone; people read Cambodian time.
    aware = value if value.tzinfo else value.replace(tzinfo=ZoneInfo("UTC"))
    return aware.astimezone(CAMBODIA)


def date(value: date_type | datetime | None, format: str = "long", locale: str | None = None) -> str:
    """`25 វិច្ឆិកា 2026` becomes `២៥ វិច្ឆិកា ២០២៦` in Khmer; English stays as Babel writes it.
    A datetime shows as its date in Cambodia."""
    if value is None:
        return ""
    locale = locale or current_locale()
    if isinstance(value, datetime):
        value = in_cambodia(value).date()
    return digits(babel_dates.format_date(value, format=format, locale=_babel(locale)), locale)


MOMENT = {"km": "d MMMM y 'ម៉ោង' HH:mm", "en": "d MMMM y, HH:mm"}


def date_time(value: datetime | None, format: str = "medium", locale: str | None = None) -> str:
    """A moment, in Cambodian time: `26 វិច្ឆិកា 2026 ម៉ោង 14:05`-style, with Khmer digits in Khmer."""
    if value is None:
        return ""
    locale = locale or current_locale()
    # Babel's own "medium" is `h:mm:ss a` for Khmer too, with the Latin AM/PM: people here read the
    # 24-hour clock, and the seconds of a deadline or an event say nothing.
    pattern = MOMENT.get(locale, MOMENT["en"]) if format == "medium" else format
    text = babel_dates.format_datetime(in_cambodia(value), format=pattern, tzinfo=CAMBODIA, locale=_babel(locale))
    return digits(text, locale)


def pick(texts: dict | None, locale: str | None = None) -> str:
    """The text for the current locale from a bilingual `{km: ..., en: ...}` mapping."""
    if not texts:
        return ""
    locale = locale or current_locale()
    return texts.get(locale) or texts.get("km") or next(iter(texts.values()))
