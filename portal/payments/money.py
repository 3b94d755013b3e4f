"""Money as integers in the currency's minor unit: riel have none (1 riel is the smallest amount),
US dollars have cents. No floats anywhere: definitions give Decimals, the ledger keeps ints, and
pages format through `portal.domain.i18n.formatting.money`."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from portal.domain.i18n.formatting import money as format_major
from portal.domain.i18n.formatting import to_latin_digits

MINOR_DIGITS = {"KHR": 0, "USD": 2}
CURRENCIES = tuple(MINOR_DIGITS)


class NotAnAmount(ValueError):
    """Typed text that is not a positive amount in the currency (letters, too many decimals, zero)."""


def to_minor(amount: Decimal | int, currency: str) -> int:
    """A definition's amount (Decimal, major unit) in the minor unit; refuses a fraction of a riel or cent."""
    scaled = Decimal(amount).scaleb(MINOR_DIGITS[currency])
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{amount} {currency} is not a whole number of minor units")
    return int(scaled)


def to_major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-MINOR_DIGITS[currency])


def parse(text: str, currency: str) -> int:
    """What a cashier typed ("10,000", "១០០០០", "12.50") as a positive amount in minor units."""
    cleaned = to_latin_digits((text or "").strip()).replace(",", "").replace(" ", "").replace("\u00a0", "")
    if not re.fullmatch(r"\d{1,12}(\.\d+)?", cleaned):
        raise NotAnAmount(text)
    try:
        minor = to_minor(Decimal(cleaned), currency)
    except (InvalidOperation, ValueError):
        raise NotAnAmount(text) from None
    if minor <= 0:
        raise NotAnAmount(text)
    return minor


def shown(minor: int, currency: str, locale: str | None = None) -> str:
    """`10,000 ៛` / `១០,០០០ ៛`, `$12.50`: riel without decimals, Khmer digits in km."""
    return format_major(to_major(minor, currency), currency, locale)
