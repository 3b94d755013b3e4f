"""KHQR: the payment strings of Bakong's QR code (EMVCo merchant-presented mode), built and checked.

A KHQR string is a list of data objects, each `TAG LENGTH VALUE`: a two-digit tag, a two-digit length (in
characters) and the value; some values are themselves such lists (templates). The last object is the CRC
(tag 63, four hex digits): CRC-16/CCITT-FALSE over the UTF-8 bytes of everything before those four digits,
`6304` included. docs/payments-khqr.md lists the tags and where each rule comes from; the suite checks these
strings with the official JavaScript SDK (npm `bakong-khqr`).

We only make *dynamic* strings (point of initiation 12): one payment request, one amount, one expiry.
Amounts are integers in the currency's minor unit, as everywhere in the portal: riel (no decimals) and
US cents (written with two decimals). Pure Python: no Flask, no database, no clock (the caller gives times).
"""

from __future__ import annotations

import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

# Tags of the top level and of the templates we write (the SDK's `emv` constants, same names where possible).
PAYLOAD_FORMAT_INDICATOR = "00"
POINT_OF_INITIATION = "01"
INDIVIDUAL_ACCOUNT = "29"
MERCHANT_ACCOUNT = "30"
MERCHANT_CATEGORY_CODE = "52"
TRANSACTION_CURRENCY = "53"
TRANSACTION_AMOUNT = "54"
COUNTRY_CODE = "58"
MERCHANT_NAME = "59"
MERCHANT_CITY = "60"
ADDITIONAL_DATA = "62"
CRC = "63"
LANGUAGE_TEMPLATE = "64"
TIMESTAMPS = "99"

ACCOUNT_ID, ACCOUNT_MERCHANT_ID, ACCOUNT_ACQUIRING_BANK = "00", "01", "02"  # inside 29 / 30
BILL_NUMBER, STORE_LABEL, TERMINAL_LABEL, PURPOSE = "01", "03", "07", "08"  # inside 62
LANGUAGE_PREFERENCE, NAME_ALTERNATE, CITY_ALTERNATE = "00", "01", "02"  # inside 64
CREATED, EXPIRES = "00", "01"  # inside 99

DYNAMIC = "12"  # point of initiation: a QR code for one payment (11 would be a static, reusable one)
STATIC = "11"
COUNTRY = "KH"
DEFAULT_MERCHANT_CATEGORY_CODE = "5999"  # the SDK's default; the acquiring bank may assign another
KHMER = "km"

# ISO 4217 numeric codes, and the digits after the point of the minor unit we count in.
CURRENCY_NUMBERS = {"KHR": "116", "USD": "840"}
CURRENCY_CODES = {number: code for code, number in CURRENCY_NUMBERS.items()}
DECIMALS = {"KHR": 0, "USD": 2}

# Longest values the SDK accepts (its `emv.INVALID_LENGTH`), in characters.
MAX_LENGTH = {
    "bakong_account_id": 32, "merchant_id": 32, "acquiring_bank": 32, "merchant_name": 25, "merchant_city": 15,
    "bill_number": 25, "store_label": 25, "terminal_label": 25, "purpose": 25, "amount": 13,
    "merchant_name_km": 25, "merchant_city_km": 15,
}
TIMESTAMP_DIGITS = 13  # milliseconds since 1970: the SDK refuses any other length

# EMVCo's "ans" format: printable ASCII. Merchant name, city and the additional data are in it; other
# scripts go in the language template (64), and only there.
_ANS = re.compile(r"[\x20-\x7e]+")
_ACCOUNT_ID = re.compile(r"[\x21-\x3f\x41-\x7e]+@[\x21-\x3f\x41-\x7e]+")  # name@bank, one @, no spaces
_AMOUNT = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]{1,2})?")
_CRC_AT_END = re.compile(r"6304[0-9A-Fa-f]{4}\Z")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class KhqrError(ValueError):
    """The fields cannot make a KHQR string, or a string is not a valid KHQR payment request."""


@dataclass(frozen=True)
class Payee:
    """Who is paid: the same for every request (configuration).

    An individual account (tag 29) is a Bakong account id alone; a merchant account (tag 30) also has the
    merchant id and the acquiring bank the bank gave it. Khmer name and city go in the language template.
    """

    bakong_account_id: str
    merchant_name: str
    merchant_city: str
    merchant_id: str | None = None
    acquiring_bank: str | None = None
    merchant_name_km: str | None = None
    merchant_city_km: str | None = None
    store_label: str | None = None
    terminal_label: str | None = None
    merchant_category_code: str = DEFAULT_MERCHANT_CATEGORY_CODE

    @property
    def is_merchant(self) -> bool:
        return self.merchant_id is not None


@dataclass(frozen=True)
class Khqr:
    """The fields of one dynamic KHQR string: what `encode` writes and `decode` reads back."""

    payee: Payee
    currency: str  # "KHR" or "USD"
    amount: int  # in the minor unit: riel, or US cents
    created_ms: int  # milliseconds since 1970 (UTC), as tag 99 carries them
    expires_ms: int
    bill_number: str | None = None  # the application reference
    purpose: str | None = None

    @property
    def created_at(self) -> datetime:
        return from_milliseconds(self.created_ms)

    @property
    def expires_at(self) -> datetime:
        return from_milliseconds(self.expires_ms)

    def expired(self, now: datetime) -> bool:
        return milliseconds(now) > self.expires_ms


def milliseconds(moment: datetime) -> int:
    """`moment` as whole milliseconds since 1970, the unit of tag 99. It must be timezone-aware: a naive time
    read from the database is UTC (`portal.data.db.utcnow`), and saying so (`.replace(tzinfo=UTC)`) is the
    caller's job, not a guess made here."""
    if moment.tzinfo is None:
        raise KhqrError("KHQR times must be timezone-aware")
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def from_milliseconds(ms: int) -> datetime:
    return _EPOCH + timedelta(milliseconds=ms)


def payment_request(
    payee: Payee,
    *,
    currency: str,
    amount: int,
    bill_number: str | None,
    created: datetime,
    expires: datetime,
    purpose: str | None = None,
) -> str:
    """The KHQR string asking for `amount` (minor units of `currency`) to `payee`, valid until `expires`."""
    return encode(Khqr(payee=payee, currency=currency, amount=amount, created_ms=milliseconds(created),
                       expires_ms=milliseconds(expires), bill_number=bill_number, purpose=purpose))


def encode(khqr: Khqr) -> str:
    """The KHQR string of `khqr`, CRC included; KhqrError names the first field that cannot go in one."""
    payee = khqr.payee
    parts = [
        _tlv(PAYLOAD_FORMAT_INDICATOR, "01"),
        _tlv(POINT_OF_INITIATION, DYNAMIC),
        _account(payee),
        _tlv(MERCHANT_CATEGORY_CODE, _category_code(payee.merchant_category_code)),
        _tlv(TRANSACTION_CURRENCY, _currency_number(khqr.currency)),
        _tlv(TRANSACTION_AMOUNT, format_amount(khqr.amount, khqr.currency)),
        _tlv(COUNTRY_CODE, COUNTRY),
        _tlv(MERCHANT_NAME, _ans("merchant_name", payee.merchant_name)),
        _tlv(MERCHANT_CITY, _ans("merchant_city", payee.merchant_city)),
        _template(ADDITIONAL_DATA, [
            (BILL_NUMBER, _ans("bill_number", khqr.bill_number, optional=True)),
            (STORE_LABEL, _ans("store_label", payee.store_label, optional=True)),
            (TERMINAL_LABEL, _ans("terminal_label", payee.terminal_label, optional=True)),
            (PURPOSE, _ans("purpose", khqr.purpose, optional=True)),
        ]),
        _language_template(payee),
        _tlv(TIMESTAMPS, _timestamps(khqr.created_ms, khqr.expires_ms)),
    ]
    return with_crc("".join(parts))


def with_crc(body: str) -> str:
    """`body` followed by its CRC object: `6304` and CRC-16/CCITT-FALSE over `body + "6304"` in hex."""
    body += CRC + "04"
    return body + f"{crc16(body.encode('utf-8')):04X}"


def crc16(data: bytes) -> int:
    """CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no final xor).

    `binascii.crc_hqx` is that polynomial without reflection; started at 0xFFFF it is exactly this CRC."""
    return binascii.crc_hqx(data, 0xFFFF)


def md5(khqr_string: str) -> str:
    """The hex MD5 of the string, the key Bakong's `check_transaction_by_md5` looks a payment up by."""
    return hashlib.md5(khqr_string.encode("utf-8"), usedforsecurity=False).hexdigest()


def format_amount(amount: int, currency: str) -> str:
    """Minor units as tag 54 writes them: riel as a whole number, dollars with two decimals (`12.50`)."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise KhqrError("the amount must be an integer number of minor units")
    if amount <= 0:
        raise KhqrError("a payment request needs an amount above zero")
    decimals = DECIMALS[_currency_code(currency)]
    text = str(amount) if decimals == 0 else f"{amount // 10**decimals}.{amount % 10**decimals:0{decimals}d}"
    if len(text) > MAX_LENGTH["amount"]:
        raise KhqrError(f"the amount {text} is longer than the {MAX_LENGTH['amount']} characters KHQR allows")
    return text


def parse_amount(text: str, currency: str) -> int:
    """Tag 54 back to minor units; refuses fractions smaller than the currency's minor unit."""
    if not _AMOUNT.fullmatch(text) or len(text) > MAX_LENGTH["amount"]:
        raise KhqrError(f"the amount {text!r} is not a KHQR amount")
    scaled = Decimal(text).scaleb(DECIMALS[_currency_code(currency)])
    if scaled != scaled.to_integral_value() or scaled <= 0:
        raise KhqrError(f"the amount {text!r} is not a positive whole number of the currency's minor unit")
    return int(scaled)


# --- decoding -------------------------------------------------------------------------------------------


def verify_crc(text: str) -> bool:
    """Whether `text` ends with a CRC object (`6304` and four hex digits) that matches what comes before."""
    if not _CRC_AT_END.search(text):
        return False
    return f"{crc16(text[:-4].encode('utf-8')):04X}" == text[-4:].upper()


def parse_tlv(text: str) -> list[tuple[str, str]]:
    """The (tag, value) pairs of a list of data objects, in order; KhqrError if it does not parse exactly."""
    pairs = []
    position = 0
    while position < len(text):
        tag, length = text[position:position + 2], text[position + 2:position + 4]
        if not (len(tag) == 2 and tag.isdigit() and tag.isascii()) or not (
            len(length) == 2 and length.isdigit() and length.isascii()
        ):
            raise KhqrError(f"no tag and length at character {position}")
        end = position + 4 + int(length)
        if end > len(text) or int(length) == 0:
            raise KhqrError(f"the value of tag {tag} at character {position} is cut short or empty")
        pairs.append((tag, text[position + 4:end]))
        position = end
    return pairs


def decode(text: str) -> Khqr:
    """The fields of a dynamic KHQR payment request, after checking its CRC and structure.

    Raises KhqrError for a wrong CRC, a malformed or duplicated data object, a missing required field,
    a value KHQR does not allow, or a static code (it carries no amount, so it requests nothing)."""
    if not verify_crc(text):
        raise KhqrError("the CRC does not match: the string is damaged or not a KHQR")
    pairs = parse_tlv(text)
    tags = [tag for tag, _ in pairs]
    if len(set(tags)) != len(tags):
        raise KhqrError("a tag appears twice")
    if tags[0] != PAYLOAD_FORMAT_INDICATOR or tags[-1] != CRC:
        raise KhqrError("a KHQR starts with the payload format indicator and ends with the CRC")
    fields = dict(pairs)
    if fields[PAYLOAD_FORMAT_INDICATOR] != "01":
        raise KhqrError("unknown payload format indicator")
    if fields.get(POINT_OF_INITIATION) == STATIC:
        raise KhqrError("a static KHQR carries no amount: it is not a payment request")
    if fields.get(POINT_OF_INITIATION) != DYNAMIC:
        raise KhqrError("the point of initiation must be 12 (dynamic)")
    if (INDIVIDUAL_ACCOUNT in fields) == (MERCHANT_ACCOUNT in fields):
        raise KhqrError("a KHQR has exactly one Bakong account: individual (29) or merchant (30)")
    for required in (MERCHANT_CATEGORY_CODE, TRANSACTION_CURRENCY, TRANSACTION_AMOUNT, COUNTRY_CODE,
                     MERCHANT_NAME, MERCHANT_CITY, TIMESTAMPS):
        if required not in fields:
            raise KhqrError(f"tag {required} is missing")
    if fields[COUNTRY_CODE] != COUNTRY:
        raise KhqrError("the country code must be KH")
    currency = CURRENCY_CODES.get(fields[TRANSACTION_CURRENCY])
    if currency is None:
        raise KhqrError("the currency must be 116 (riel) or 840 (US dollar)")

    merchant = MERCHANT_ACCOUNT in fields
    account = _sub_fields(fields[MERCHANT_ACCOUNT if merchant else INDIVIDUAL_ACCOUNT])
    additional = _sub_fields(fields.get(ADDITIONAL_DATA, ""))
    language = _sub_fields(fields.get(LANGUAGE_TEMPLATE, ""))
    times = _sub_fields(fields[TIMESTAMPS])
    if merchant and not (account.get(ACCOUNT_MERCHANT_ID) and account.get(ACCOUNT_ACQUIRING_BANK)):
        raise KhqrError("a merchant account needs a merchant id and an acquiring bank")
    if language and language.get(LANGUAGE_PREFERENCE) is None:
        raise KhqrError("the language template needs a language preference")
    if CREATED not in times or EXPIRES not in times:
        raise KhqrError("a dynamic KHQR carries its creation and expiry times")
    _timestamp_texts(times[CREATED], times[EXPIRES])

    payee = Payee(
        bakong_account_id=_account_id(account.get(ACCOUNT_ID)),
        merchant_name=_ans("merchant_name", fields[MERCHANT_NAME]),
        merchant_city=_ans("merchant_city", fields[MERCHANT_CITY]),
        merchant_id=_ans("merchant_id", account.get(ACCOUNT_MERCHANT_ID), optional=True) if merchant else None,
        acquiring_bank=_ans("acquiring_bank", account.get(ACCOUNT_ACQUIRING_BANK), optional=True),
        merchant_name_km=_alternate("merchant_name_km", language.get(NAME_ALTERNATE)),
        merchant_city_km=_alternate("merchant_city_km", language.get(CITY_ALTERNATE)),
        store_label=_ans("store_label", additional.get(STORE_LABEL), optional=True),
        terminal_label=_ans("terminal_label", additional.get(TERMINAL_LABEL), optional=True),
        merchant_category_code=_category_code(fields[MERCHANT_CATEGORY_CODE]),
    )
    khqr = Khqr(
        payee=payee,
        currency=currency,
        amount=parse_amount(fields[TRANSACTION_AMOUNT], currency),
        created_ms=int(times[CREATED]),
        expires_ms=int(times[EXPIRES]),
        bill_number=_ans("bill_number", additional.get(BILL_NUMBER), optional=True),
        purpose=_ans("purpose", additional.get(PURPOSE), optional=True),
    )
    _timestamps(khqr.created_ms, khqr.expires_ms)
    return khqr


# --- the pieces -----------------------------------------------------------------------------------------


def _tlv(tag: str, value: str) -> str:
    if not value or len(value) > 99:
        raise KhqrError(f"tag {tag} would hold {len(value)} characters; a data object holds 1 to 99")
    return f"{tag}{len(value):02d}{value}"


def _template(tag: str, sub_fields: list[tuple[str, str | None]]) -> str:
    """A template of the sub-fields that have a value, or nothing at all when none has."""
    value = "".join(_tlv(sub_tag, sub_value) for sub_tag, sub_value in sub_fields if sub_value is not None)
    return _tlv(tag, value) if value else ""


def _sub_fields(value: str) -> dict[str, str]:
    pairs = parse_tlv(value)
    if len({tag for tag, _ in pairs}) != len(pairs):
        raise KhqrError("a sub-tag appears twice")
    return dict(pairs)


def _account(payee: Payee) -> str:
    account_id = _account_id(payee.bakong_account_id)
    if payee.is_merchant:
        if not payee.acquiring_bank:
            raise KhqrError("a merchant account needs its acquiring bank")
        return _template(MERCHANT_ACCOUNT, [
            (ACCOUNT_ID, account_id),
            (ACCOUNT_MERCHANT_ID, _ans("merchant_id", payee.merchant_id)),
            (ACCOUNT_ACQUIRING_BANK, _ans("acquiring_bank", payee.acquiring_bank)),
        ])
    return _template(INDIVIDUAL_ACCOUNT, [
        (ACCOUNT_ID, account_id),
        (ACCOUNT_ACQUIRING_BANK, _ans("acquiring_bank", payee.acquiring_bank, optional=True)),
    ])


def _language_template(payee: Payee) -> str:
    name = _alternate("merchant_name_km", payee.merchant_name_km)
    city = _alternate("merchant_city_km", payee.merchant_city_km)
    if name is None and city is not None:
        raise KhqrError("a Khmer city needs the Khmer name too (the template requires the name)")
    if name is None:
        return ""
    return _template(LANGUAGE_TEMPLATE, [(LANGUAGE_PREFERENCE, KHMER), (NAME_ALTERNATE, name),
                                         (CITY_ALTERNATE, city)])


def _timestamps(created_ms: int, expires_ms: int) -> str:
    created, expires = _timestamp_texts(str(created_ms), str(expires_ms))
    if expires_ms <= created_ms:
        raise KhqrError("a KHQR expires after it is created")
    return _tlv(CREATED, created) + _tlv(EXPIRES, expires)


def _timestamp_texts(*texts: str) -> tuple[str, ...]:
    if not all(text.isascii() and text.isdigit() and len(text) == TIMESTAMP_DIGITS for text in texts):
        raise KhqrError(f"KHQR times are {TIMESTAMP_DIGITS}-digit milliseconds since 1970")
    return texts


def _ans(field: str, value: str | None, optional: bool = False) -> str | None:
    """`value` checked against EMVCo's printable-ASCII format and the SDK's longest length for `field`."""
    if value is None and optional:
        return None
    if not value or not _ANS.fullmatch(value):
        raise KhqrError(f"{field} must be printable ASCII (Khmer goes in the language template)")
    if len(value) > MAX_LENGTH[field]:
        raise KhqrError(f"{field} is longer than {MAX_LENGTH[field]} characters")
    return value


def _account_id(value: str | None) -> str:
    if not value or not _ACCOUNT_ID.fullmatch(value) or len(value) > MAX_LENGTH["bakong_account_id"]:
        raise KhqrError(f"the Bakong account id must look like name@bank, in at most "
                        f"{MAX_LENGTH['bakong_account_id']} characters")
    return value


def _alternate(field: str, value: str | None) -> str | None:
    """A name in Khmer for the language template. Lengths count characters (the SDK's JavaScript string
    length, that is UTF-16 code units); characters outside the Basic Multilingual Plane would count twice
    there and once here, so they are refused, as are control characters and lone surrogates."""
    if value is None:
        return None
    if not value or any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000 or ord(c) > 0xFFFF
                                for c in value):
        raise KhqrError(f"{field} must be printable text of the Basic Multilingual Plane")
    if len(value) > MAX_LENGTH[field]:
        raise KhqrError(f"{field} is longer than {MAX_LENGTH[field]} characters")
    return value


def _category_code(value: str) -> str:
    if not (len(value) == 4 and value.isascii() and value.isdigit()):
        raise KhqrError("the merchant category code is four digits (ISO 18245)")
    return value


def _currency_code(currency: str) -> str:
    if currency not in CURRENCY_NUMBERS:
        raise KhqrError("KHQR takes riel (KHR) or US dollars (USD)")
    return currency


def _currency_number(currency: str) -> str:
    return CURRENCY_NUMBERS[_currency_code(currency)]


__all__ = [
    "Khqr", "KhqrError", "Payee", "crc16", "decode", "encode", "format_amount", "from_milliseconds", "md5",
    "milliseconds", "parse_amount", "payment_request", "verify_crc", "with_crc",
]
