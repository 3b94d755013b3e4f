"""KHQR payment strings: the encoding, the CRC, the decoder's refusals, round trips, and the QR image.

The same strings are checked with the official SDK in tests/e2e/test_khqr_with_official_sdk.py."""

from __future__ import annotations

import contextlib
import hashlib
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.payments import khqr, khqr_image
from portal.payments.khqr import Khqr, KhqrError, Payee

NOW = datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
PERSON = Payee("john_smith@devb", "John Smith", "Phnom Penh")
OFFICE = Payee("onewindow@nbcq", "One Window Office", "Phnom Penh", merchant_id="123456",
               acquiring_bank="Dev Bank", merchant_name_km="ការិយាល័យច្រកចេញចូលតែមួយ"[:25],
               merchant_city_km="ភ្នំពេញ", store_label="MPTC", terminal_label="portal")

# Strings from the official SDK's own tests (bakong-khqr 1.0.20, test/feature/timestamp/decode.test.js).
SDK_INDIVIDUAL = ("00020101021229460015john_smith@devb0111855122334550208Dev Bank52045999530384054031005802KH"
                  "5910John Smith6010PHNOM PENH62670106#123450211855122334550311Coffee Shop0709Cashier_10810Buy "
                  "coffee64280002km0108ចន ស្មីន0206ភ្នំពញ993400131726821915797011317268220357976304B73E")
SDK_MERCHANT = ("00020101021230350009khqr@devb01061234560208Dev Bank52045999530384054031005802KH5910John Smith"
                "6010PHNOM PENH62670106#123450211855122334550311Coffee Shop0709Cashier_10810Buy coffee64280002km"
                "0108ចន ស្មីន0206ភ្នំពញ993400131726822962612011317268230826126304A560")


def request(payee: Payee = PERSON, **overrides) -> str:
    fields = {"currency": "KHR", "amount": 100_000, "bill_number": "BR-7KQ4-M9XD", "created": NOW,
              "expires": NOW + timedelta(hours=24)} | overrides
    return khqr.payment_request(payee, **fields)


class TestTheCrc:
    def test_is_crc16_ccitt_false_by_its_check_value(self):
        # The catalogue's check value of CRC-16/CCITT-FALSE (aka CRC-16/IBM-3740) over "123456789".
        assert khqr.crc16(b"123456789") == 0x29B1

    def test_covers_the_string_up_to_and_including_6304(self):
        text = request()
        assert text[-8:-4] == "6304"
        assert text[-4:] == f"{khqr.crc16(text[:-4].encode()):04X}"

    @pytest.mark.parametrize("vector", [SDK_INDIVIDUAL, SDK_MERCHANT])
    def test_agrees_with_the_sdks_own_strings_khmer_included(self, vector):
        assert khqr.verify_crc(vector)
        assert khqr.verify_crc(vector[:-4] + vector[-4:].lower())  # hex digits in either case, as the SDK

    def test_a_changed_character_or_a_missing_crc_is_caught(self):
        text = request()
        assert not khqr.verify_crc(text.replace("John Smith", "John Smyth"))
        assert not khqr.verify_crc(text[:-4])
        assert not khqr.verify_crc(text[:-8])


class TestAmounts:
    @pytest.mark.parametrize(("minor", "currency", "text"), [
        (1, "KHR", "1"), (100_000, "KHR", "100000"), (10**12, "KHR", "1000000000000"),
        (1, "USD", "0.01"), (10, "USD", "0.10"), (100, "USD", "1.00"), (1250, "USD", "12.50"),
        (999_999_999_999, "USD", "9999999999.99"),
    ])
    def test_riel_are_whole_and_dollars_have_two_decimals(self, minor, currency, text):
        assert khqr.format_amount(minor, currency) == text
        assert khqr.parse_amount(text, currency) == minor

    @pytest.mark.parametrize(("minor", "currency"), [
        (0, "KHR"), (-5, "KHR"), (10**13, "KHR"), (10**12, "USD"), (True, "KHR"), (12.5, "USD"), (100, "EUR"),
    ])
    def test_amounts_khqr_cannot_carry_are_refused(self, minor, currency):
        with pytest.raises(KhqrError):
            khqr.format_amount(minor, currency)

    @pytest.mark.parametrize(("text", "currency"), [
        ("100.5", "KHR"), ("0.001", "USD"), ("0", "KHR"), ("", "KHR"), ("1e3", "KHR"), ("-5", "KHR"),
        ("០១", "KHR"), ("01", "KHR"), ("12345678901234", "KHR"),
    ])
    def test_a_read_amount_must_be_a_positive_number_of_minor_units(self, text, currency):
        with pytest.raises(KhqrError):
            khqr.parse_amount(text, currency)

    def test_whole_riel_written_with_zero_cents_are_read(self):
        assert khqr.parse_amount("100.00", "KHR") == 100
        assert khqr.parse_amount("12.5", "USD") == 1250


class TestTheFields:
    def test_an_individual_request_has_the_tags_in_the_sdks_order(self):
        pairs = khqr.parse_tlv(request(currency="USD", amount=1250, purpose="Business registration"))
        assert [tag for tag, _ in pairs] == ["00", "01", "29", "52", "53", "54", "58", "59", "60", "62", "99", "63"]
        fields = dict(pairs)
        assert fields["01"] == "12" and fields["53"] == "840" and fields["54"] == "12.50" and fields["58"] == "KH"
        assert khqr.parse_tlv(fields["29"]) == [("00", "john_smith@devb")]
        assert khqr.parse_tlv(fields["62"]) == [("01", "BR-7KQ4-M9XD"), ("08", "Business registration")]
        created, expires = khqr.parse_tlv(fields["99"])
        assert created == ("00", str(khqr.milliseconds(NOW)))
        assert expires == ("01", str(khqr.milliseconds(NOW + timedelta(hours=24))))

    def test_a_merchant_request_names_the_merchant_id_and_bank_and_its_name_in_khmer(self):
        fields = dict(khqr.parse_tlv(request(OFFICE)))
        assert "29" not in fields
        assert khqr.parse_tlv(fields["30"]) == [("00", "onewindow@nbcq"), ("01", "123456"), ("02", "Dev Bank")]
        assert khqr.parse_tlv(fields["64"]) == [("00", "km"), ("01", OFFICE.merchant_name_km), ("02", "ភ្នំពេញ")]
        assert khqr.parse_tlv(fields["62"]) == [("01", "BR-7KQ4-M9XD"), ("03", "MPTC"), ("07", "portal")]

    def test_lengths_count_characters_not_utf8_bytes(self):
        fields = dict(khqr.parse_tlv(request(OFFICE)))
        assert fields["64"].endswith("0207ភ្នំពេញ")  # 7 characters, 21 bytes

    @pytest.mark.parametrize("payee", [
        replace(PERSON, merchant_name="ចន ស្មីន"),  # Khmer belongs in the language template only
        replace(PERSON, merchant_name="J" * 26),
        replace(PERSON, merchant_name=""),
        replace(PERSON, merchant_city="Kampong Chhnang!"),
        replace(PERSON, bakong_account_id="john_smith"),
        replace(PERSON, bakong_account_id="john@smith@devb"),
        replace(PERSON, bakong_account_id="a" * 28 + "@devb"),
        replace(PERSON, merchant_id="123456"),  # a merchant without its acquiring bank
        replace(PERSON, merchant_city_km="ភ្នំពេញ"),  # a Khmer city without the Khmer name
        replace(PERSON, merchant_name_km="😀"),  # outside the BMP: the SDK would count it twice
        replace(PERSON, merchant_name_km="ក" * 26),
        replace(PERSON, merchant_category_code="59999"),
        replace(PERSON, store_label="S" * 25, terminal_label="T" * 25),  # with a purpose: tag 62 over 99
        replace(OFFICE, bakong_account_id="a" * 20 + "@devb", merchant_id="M" * 32, acquiring_bank="B" * 32),  # 30
    ])
    def test_fields_khqr_cannot_carry_are_refused(self, payee):
        with pytest.raises(KhqrError):
            request(payee, purpose="P" * 25)

    @pytest.mark.parametrize("overrides", [
        {"currency": "EUR"},
        {"bill_number": "BR-7KQ4-M9XD-" + "X" * 13},
        {"bill_number": "ពាក្យ"},
        {"expires": NOW},
        {"expires": NOW - timedelta(seconds=1)},
        {"created": NOW.replace(tzinfo=None)},
        {"created": datetime(1999, 1, 1, tzinfo=UTC)},  # 12-digit milliseconds: the SDK wants 13
    ])
    def test_a_request_khqr_cannot_express_is_refused(self, overrides):
        with pytest.raises(KhqrError):
            request(**overrides)

    def test_the_md5_is_of_the_utf8_string(self):
        text = request(OFFICE)
        assert khqr.md5(text) == hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 - Bakong's key
        assert len(khqr.md5(text)) == 32


class TestDecoding:
    def test_reads_back_what_was_written(self):
        text = request(OFFICE, currency="USD", amount=1250, purpose="Business registration")
        decoded = khqr.decode(text)
        assert decoded == Khqr(payee=OFFICE, currency="USD", amount=1250, created_ms=khqr.milliseconds(NOW),
                               expires_ms=khqr.milliseconds(NOW + timedelta(hours=24)),
                               bill_number="BR-7KQ4-M9XD", purpose="Business registration")
        assert decoded.expires_at == NOW + timedelta(hours=24)
        assert not decoded.expired(NOW) and decoded.expired(NOW + timedelta(hours=25))

    def test_reads_the_sdks_own_strings(self):
        person = khqr.decode(SDK_INDIVIDUAL)
        assert person.payee.bakong_account_id == "john_smith@devb" and person.payee.merchant_id is None
        assert (person.currency, person.amount, person.bill_number) == ("USD", 10_000, "#12345")
        assert person.payee.merchant_name_km == "ចន ស្មីន" and person.payee.merchant_city_km == "ភ្នំពញ"
        merchant = khqr.decode(SDK_MERCHANT)
        assert (merchant.payee.merchant_id, merchant.payee.acquiring_bank) == ("123456", "Dev Bank")

    def test_refuses_a_string_whose_crc_does_not_match(self):
        with pytest.raises(KhqrError, match="CRC"):
            khqr.decode(request().replace("John Smith", "Jane Smith"))

    @pytest.mark.parametrize("body", [
        "000201010211" "29190015john_smith@devb" "52045999" "5303116" "5802KH" "5910John Smith"
        "6010Phnom Penh",  # static: no amount, so not a payment request
        "000201010212" "29190015john_smith@devb" "52045999" "5303116" "5802KH" "5910John Smith"
        "6010Phnom Penh" "99340013179656560000001131796569200000",  # dynamic without an amount
        "000201010212" "29190015john_smith@devb" "52045999" "5303116" "540510000" "5802KH" "5910John Smith"
        "6010Phnom Penh",  # dynamic without an expiry
        "000201010212" "29190015john_smith@devb" "52045999" "5303978" "540510000" "5802KH" "5910John Smith"
        "6010Phnom Penh" "99340013179656560000001131796569200000",  # euro
        "000201010212" "29190015john_smith@devb" "52045999" "5303116" "540510000" "5802TH" "5910John Smith"
        "6010Phnom Penh" "99340013179656560000001131796569200000",  # Thailand
        "000201010212" "29190015john_smith@devb" "52045999" "5303116" "540510000" "5802KH" "5910John Smith"
        "5910John Smyth" "6010Phnom Penh" "99340013179656560000001131796569200000",  # a tag twice
        "000201010212" "29190015john_smith@devb" "30190015john_smith@devb" "52045999" "5303116" "540510000"
        "5802KH" "5910John Smith" "6010Phnom Penh" "99340013179656560000001131796569200000",  # two accounts
        "000201010212" "30190015john_smith@devb" "52045999" "5303116" "540510000" "5802KH" "5910John Smith"
        "6010Phnom Penh" "99340013179656560000001131796569200000",  # merchant without id and bank
        "000201010212" "29190015john_smith@devb" "52045999" "5303116" "540510000" "5802KH" "5910John Smith"
        "6010Phnom Penh" "99340013179656920000001131796565600000",  # expires before it is created
        "000201010212" "29190015john_smith@devb" "52045999" "5303116" "540510000" "5802KH" "5910John Smith"
        "6010Phnom Penh" "99340013179656560000001131796569200000" "6220",  # a length running past the end
    ])
    def test_refuses_a_well_sealed_string_that_is_not_a_payment_request(self, body):
        with pytest.raises(KhqrError):
            khqr.decode(khqr.with_crc(body))

    @pytest.mark.parametrize("text", ["", "6304", "ABC     ", "កខគឃង", "https://example.com/6304ABCD"])
    def test_refuses_what_is_not_a_khqr_at_all(self, text):
        with pytest.raises(KhqrError):
            khqr.decode(text)


# --- properties -----------------------------------------------------------------------------------------

ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
KHMER = st.characters(min_codepoint=0x1780, max_codepoint=0x17F9) | st.just(" ")


def ascii_text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(ASCII, min_size=1, max_size=max_size)


_ACCOUNT_PART = st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="@")
account_ids = st.builds(lambda name, bank: f"{name}@{bank}",  # at most 20 + 1 + 11 = 32 characters
                        st.text(_ACCOUNT_PART, min_size=1, max_size=20),
                        st.text(_ACCOUNT_PART, min_size=1, max_size=11))


@st.composite
def payees(draw) -> Payee:
    merchant = draw(st.booleans())
    name_km = draw(st.none() | st.text(KHMER, min_size=1, max_size=25))
    account_id = draw(account_ids)
    merchant_id = draw(ascii_text(32)) if merchant else None
    # Tag 30 holds the account, merchant id and bank, each with its 4-character tag and length, in 99 characters:
    # a payee over that is refused (test_fields_khqr_cannot_carry_are_refused), not one to encode.
    bank_room = 32 if not merchant else min(32, 99 - 12 - len(account_id) - len(merchant_id))
    return Payee(
        bakong_account_id=account_id,
        merchant_name=draw(ascii_text(25)),
        merchant_city=draw(ascii_text(15)),
        merchant_id=merchant_id,
        acquiring_bank=draw(ascii_text(bank_room)) if merchant else draw(st.none() | ascii_text(32)),
        merchant_name_km=name_km,
        merchant_city_km=draw(st.none() | st.text(KHMER, min_size=1, max_size=15)) if name_km else None,
        store_label=draw(st.none() | ascii_text(20)),
        terminal_label=draw(st.none() | ascii_text(20)),
        merchant_category_code=draw(st.sampled_from(["5999", "9399", "9311", "0000"])),
    )


@st.composite
def requests(draw) -> Khqr:
    currency = draw(st.sampled_from(["KHR", "USD"]))
    created = draw(st.integers(10**12, 4 * 10**12))
    return Khqr(
        payee=draw(payees()),
        currency=currency,
        amount=draw(st.integers(1, 10**12 if currency == "KHR" else 10**12 - 1)),
        created_ms=created,
        expires_ms=draw(st.integers(created + 1, 9_999_999_999_999)),
        bill_number=draw(st.none() | ascii_text(20)),
        purpose=draw(st.none() | ascii_text(12)),
    )


@settings(max_examples=400, deadline=None)
@given(requests())
def test_decoding_an_encoded_request_gives_the_request_back(request_fields):
    text = khqr.encode(request_fields)
    assert khqr.decode(text) == request_fields
    assert "".join(f"{tag}{len(value):02d}{value}" for tag, value in khqr.parse_tlv(text)) == text


@settings(max_examples=300, deadline=None)
@given(requests(), st.data())
def test_any_one_changed_ascii_character_breaks_the_crc(request_fields, data):
    text = khqr.encode(request_fields)
    ascii_positions = [i for i, c in enumerate(text) if c.isascii()]
    position = data.draw(st.sampled_from(ascii_positions))
    replacement = data.draw(ASCII.filter(lambda c: c.upper() != text[position].upper()))
    changed = text[:position] + replacement + text[position + 1:]
    assert not khqr.verify_crc(changed)
    with pytest.raises(KhqrError):
        khqr.decode(changed)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_the_crc_matches_a_plain_bitwise_ccitt_false(data):
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    assert khqr.crc16(data) == crc


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_decodes_or_is_refused_never_crashes(text):
    with contextlib.suppress(KhqrError):
        khqr.decode(text)


# --- the image ------------------------------------------------------------------------------------------


def test_the_qr_code_scans_back_to_the_string_khmer_included(tmp_path):
    text = request(OFFICE, currency="USD", amount=1250)
    (tmp_path / "khqr.png").write_bytes(khqr_image.png(text))
    scanned = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "khqr.png")], capture_output=True,
                             check=True)
    assert scanned.stdout.decode("utf-8").strip() == text


def test_the_svg_is_a_data_uri_for_an_img():
    uri = khqr_image.svg_data_uri(request())
    assert uri.startswith("data:image/svg+xml;base64,")
