from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from portal.domain.i18n import formatting


class TestKhmerDigits:
    def test_khmer_gets_khmer_digits(self):
        assert formatting.digits(2026, "km") == "២០២៦"

    def test_english_keeps_latin_digits(self):
        assert formatting.digits(2026, "en") == "2026"

    def test_typed_khmer_digits_read_as_latin(self):
        assert formatting.to_latin_digits("០១២ ៣៤៥ ៦៧៨") == "012 345 678"


class TestMoney:
    @pytest.mark.parametrize(
        ("amount", "currency", "locale", "expected"),
        [
            (1500000, "KHR", "km", "១,៥០០,០០០ ៛"),
            (1500000, "KHR", "en", "1,500,000 ៛"),
            (Decimal("12.5"), "USD", "en", "$12.50"),
            (Decimal("12.5"), "USD", "km", "$១២.៥០"),
        ],
    )
    def test_riel_has_no_decimals_and_dollars_have_cents(self, amount, currency, locale, expected):
        assert formatting.money(amount, currency, locale) == expected


class TestDates:
    def test_a_khmer_date_has_khmer_month_and_digits(self):
        assert formatting.date(date(2026, 11, 25), "long", "km") == "២៥ វិច្ឆិកា ២០២៦"

    def test_an_english_date(self):
        assert formatting.date(date(2026, 11, 25), "long", "en") == "November 25, 2026"

    def test_times_are_shown_in_cambodian_time(self):
        # 20:30 UTC is 03:30 the next morning in Phnom Penh (UTC+7).
        shown = formatting.date_time(datetime(2026, 11, 25, 20, 30), "short", "en")
        assert "11/26/26" in shown and "3:30" in shown
        assert formatting.date(datetime(2026, 11, 25, 20, 30), "short", "en") == "11/26/26"

    def test_a_moment_reads_on_the_24_hour_clock_in_cambodian_time(self):
        assert formatting.date_time(datetime(2026, 11, 25, 10, 5, 42), "medium", "km") == "២៥ វិច្ឆិកា ២០២៦ ម៉ោង ១៧:០៥"
        assert formatting.date_time(datetime(2026, 11, 25, 10, 5, 42), "medium", "en") == "25 November 2026, 17:05"

    def test_nothing_gives_an_empty_string(self):
        assert formatting.date(None, "long", "km") == ""


class TestBilingualText:
    def test_picks_the_locale_and_falls_back_to_khmer(self):
        assert formatting.pick({"km": "ក", "en": "A"}, "en") == "A"
        assert formatting.pick({"km": "ក"}, "en") == "ក"
        assert formatting.pick(None, "en") == ""
