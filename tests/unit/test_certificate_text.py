"""What issued documents say, line by line: each address line in one language."""

from __future__ import annotations

import re

import pytest

from portal.domain.fields.kinds.address import AddressKind

KHMER = re.compile(r"[\u1780-\u17FF]")
LATIN = re.compile(r"[A-Za-z]")
CHAIN = {"province": "02", "district": "0203", "commune": "020310", "village": "02031001"}


def one_language(line: str) -> bool:
    return not (KHMER.search(line) and LATIN.search(line))


class TestAddressLines:
    @pytest.mark.parametrize("street", ["ផ្ទះលេខ ១២ ផ្លូវលេខ ៣", "House 5, street 2", "12", None])
    def test_neither_line_mixes_khmer_and_latin(self, street):
        value = {**CHAIN, "street": street}
        km, en = AddressKind.document(value, "km"), AddressKind.document(value, "en")
        assert one_language(km) and one_language(en), (km, en)

    def test_the_street_is_on_the_line_of_its_own_script_and_digits_only_on_both(self):
        khmer_street = {**CHAIN, "street": "ផ្ទះលេខ ១២ ផ្លូវលេខ ៣"}
        assert AddressKind.document(khmer_street, "km").startswith("ផ្ទះលេខ ១២ ផ្លូវលេខ ៣, ")
        assert "ផ្ទះ" not in AddressKind.document(khmer_street, "en")
        latin_street = {**CHAIN, "street": "House 5, street 2"}
        assert AddressKind.document(latin_street, "en").startswith("House 5, street 2, ")
        assert AddressKind.document({**CHAIN, "street": "12"}, "km").startswith("១២, ")
        assert AddressKind.document({**CHAIN, "street": "12"}, "en").startswith("12, ")
