"""Names in Khmer and Latin letters, national ID numbers and dates of birth, as people type them."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import ValidationError

from portal.domain.fields import identity
from portal.domain.fields.identity import (
    DateOfBirthField,
    KhmerNameField,
    LatinNameField,
    NationalIdField,
    clean_date_of_birth,
    clean_khmer_name,
    clean_latin_name,
    clean_national_id,
)

TODAY = date(2026, 11, 26)
EMOJI = "🙂"


@pytest.fixture(autouse=True)
def _english_request(app):
    # Messages are lazy; a request context lets them be turned into text.
    with app.test_request_context("/?lang=en"):
        yield


def refused(clean, text, **kwargs):
    with pytest.raises(ValidationError) as error:
        clean(text, **kwargs)
    return error.value.args[0]


class TestKhmerNames:
    @pytest.mark.parametrize("typed, stored", [
        ("សុខ ចាន់ធី", "សុខ ចាន់ធី"),
        ("  សុខ   ចាន់ធី ", "សុខ ចាន់ធី"),
        ("សុខ\u200bចាន់ធី", "សុខចាន់ធី"),
        ("ស្រី ស្រស់", "ស្រី ស្រស់"),
        ("ឧត្តម", "ឧត្តម"),
    ])
    def test_a_khmer_name_is_kept_with_its_spaces_tidied(self, typed, stored):
        assert clean_khmer_name(typed) == stored

    @pytest.mark.parametrize("typed", ["Sok Chanthy", "សុខ Chanthy", "សុខ ១២", "សុខ" + EMOJI, "សុខ.", "សុខ-ចាន់"])
    def test_anything_but_khmer_letters_and_signs_is_refused(self, typed):
        assert refused(clean_khmer_name, typed) is identity.KHMER_NAME_SCRIPT

    def test_a_word_that_starts_with_a_vowel_sign_is_refused(self):
        assert refused(clean_khmer_name, "សុខ ាន់") is identity.KHMER_NAME_WORD_START

    @pytest.mark.parametrize("typed", ["ក", "ក" * 61, "ក" * 500])
    def test_too_short_or_too_long_is_refused(self, typed):
        assert refused(clean_khmer_name, typed) is identity.KHMER_NAME_LENGTH

    def test_sixty_characters_are_enough(self):
        assert clean_khmer_name("ក" * 60) == "ក" * 60

    @pytest.mark.parametrize("typed", ["", "   ", "\u200b"])
    def test_nothing_visible_asks_for_the_name(self, typed):
        assert refused(clean_khmer_name, typed) is identity.KHMER_NAME_EMPTY


class TestLatinNames:
    @pytest.mark.parametrize("typed, stored", [
        ("Sok Chanthy", "Sok Chanthy"),
        ("  SOK   CHANTHY ", "SOK CHANTHY"),
        ("Jean-Pierre O\u2019Neil", "Jean-Pierre O'Neil"),
        ("Nguyễn Thị Ánh", "Nguyễn Thị Ánh"),
        ("Ngo\u0302 Ba\u0309o", "Ngô Bảo"),
        ("Zoë", "Zoë"),
    ])
    def test_latin_letters_with_accents_hyphens_and_apostrophes_are_kept(self, typed, stored):
        assert clean_latin_name(typed) == stored

    @pytest.mark.parametrize("typed", ["សុខ ចាន់ធី", "Sok សុខ", "Sok 2", "Sok" + EMOJI, "Sok_Chanthy", "Сок", "Ｓｏｋ"])
    def test_other_scripts_digits_and_symbols_are_refused(self, typed):
        assert refused(clean_latin_name, typed) is identity.LATIN_NAME_SCRIPT

    @pytest.mark.parametrize("typed", ["-Sok", "Sok-", "Sok--Chanthy", "O''Neil", "Sok '", "\u0301Sok"])
    def test_hyphens_and_apostrophes_must_sit_between_letters(self, typed):
        assert refused(clean_latin_name, typed) is identity.LATIN_NAME_SHAPE

    @pytest.mark.parametrize("typed", ["S", "a" * 61])
    def test_too_short_or_too_long_is_refused(self, typed):
        assert refused(clean_latin_name, typed) is identity.LATIN_NAME_LENGTH


class TestNationalIdNumbers:
    @pytest.mark.parametrize("typed, stored", [
        ("012345678", "012345678"),
        ("0123456789", "0123456789"),
        ("០១២៣៤៥៦៧៨", "012345678"),
        (" 0123 45678 ", "012345678"),
        ("012-345-678", "012345678"),
    ])
    def test_nine_or_ten_digits_are_kept_in_latin_digits(self, typed, stored):
        assert clean_national_id(typed) == stored

    @pytest.mark.parametrize("typed", ["01234567A", "N0123456", "០១២៣៤៥៦៧ក", "12345678" + EMOJI,
                                       "١٢٣٤٥٦٧٨٩", "１２３４５６７８９", "๑๒๓๔๕๖๗๘๙"])
    def test_letters_symbols_and_other_scripts_digits_are_refused(self, typed):
        assert refused(clean_national_id, typed) is identity.NATIONAL_ID_DIGITS

    @pytest.mark.parametrize("typed", ["12345678", "12345678901", "1" * 300])
    def test_a_number_of_another_length_is_refused(self, typed):
        assert refused(clean_national_id, typed) is identity.NATIONAL_ID_LENGTH


class TestDatesOfBirth:
    @pytest.mark.parametrize("typed", ["1990-03-15", "1990-3-15", "15/03/1990", "15.3.1990", "15-03-1990",
                                       "១៩៩០-០៣-១៥", "១៥/០៣/១៩៩០"])
    def test_iso_and_day_first_dates_are_read_in_either_script(self, typed):
        assert clean_date_of_birth(typed, today=TODAY) == date(1990, 3, 15)

    def test_today_is_a_possible_date_of_birth(self):
        assert clean_date_of_birth("2026-11-26", today=TODAY) == TODAY

    def test_a_date_in_the_future_is_refused(self):
        assert refused(clean_date_of_birth, "2026-11-27", today=TODAY) is identity.BIRTH_DATE_FUTURE

    def test_exactly_120_years_ago_is_accepted_and_a_day_more_is_not(self):
        assert clean_date_of_birth("1906-11-26", today=TODAY) == date(1906, 11, 26)
        assert refused(clean_date_of_birth, "1906-11-25", today=TODAY) is identity.BIRTH_DATE_TOO_OLD

    def test_120_years_before_a_29_february_that_did_not_exist_is_28_february(self):
        assert clean_date_of_birth("1900-02-28", today=date(2020, 2, 29)) == date(1900, 2, 28)
        assert refused(clean_date_of_birth, "1900-02-27", today=date(2020, 2, 29)) is identity.BIRTH_DATE_TOO_OLD

    @pytest.mark.parametrize("typed", ["1990-02-30", "31/04/1990", "1990/03/15", "15 March 1990", "1990-03-15" + EMOJI,
                                       "ដប់ប្រាំ", "0000-01-01", "99999-01-01", "1990-13-01"])
    def test_what_is_not_a_real_date_is_refused(self, typed):
        assert refused(clean_date_of_birth, typed, today=TODAY) is identity.BIRTH_DATE_FORMAT


class _IdentityForm(Form):
    name_km = KhmerNameField()
    name_latin = LatinNameField()
    national_id = NationalIdField()
    date_of_birth = DateOfBirthField()


class TestTheFields:
    def test_empty_fields_are_left_empty_as_none(self):
        form = _IdentityForm(MultiDict({"name_km": "\u200b", "name_latin": " ", "national_id": "",
                                        "date_of_birth": ""}))
        assert form.validate()
        assert form.data == {"name_km": None, "name_latin": None, "national_id": None, "date_of_birth": None}

    def test_filled_fields_hold_the_cleaned_values(self):
        form = _IdentityForm(MultiDict({"name_km": " សុខ  ចាន់ធី", "name_latin": "Sok Chanthy",
                                        "national_id": "០១២៣៤៥៦៧៨", "date_of_birth": "1990-03-15"}))
        assert form.validate()
        assert form.data == {"name_km": "សុខ ចាន់ធី", "name_latin": "Sok Chanthy",
                             "national_id": "012345678", "date_of_birth": date(1990, 3, 15)}

    def test_a_date_field_shows_a_stored_date_as_the_date_input_expects_and_bad_text_as_typed(self):
        assert _IdentityForm(data={"date_of_birth": date(1990, 3, 15)}).date_of_birth._value() == "1990-03-15"
        form = _IdentityForm(MultiDict({"date_of_birth": "15 March"}))
        assert not form.validate()
        assert form.date_of_birth._value() == "15 March"
        assert form.errors == {"date_of_birth": [identity.BIRTH_DATE_FORMAT]}


ANY_TEXT = st.text(max_size=300) | st.text(alphabet=st.characters(min_codepoint=0x1780, max_codepoint=0x17FF),
                                           max_size=80)


def _is_our_message(error: ValidationError) -> bool:
    return any(error.args[0] is message for message in identity.MESSAGES)


class TestAnyTextGivesAValueOrOneOfOurMessages:
    @settings(max_examples=300, deadline=None)
    @given(ANY_TEXT)
    def test_khmer_name(self, text):
        try:
            name = clean_khmer_name(text)
        except ValidationError as error:
            assert _is_our_message(error)
        else:
            assert 2 <= len(name) <= 60 and name == name.strip() and "  " not in name
            assert clean_khmer_name(name) == name

    @settings(max_examples=300, deadline=None)
    @given(ANY_TEXT | st.text(alphabet="abcéÁ -'\u2019\u0301", max_size=70))
    def test_latin_name(self, text):
        try:
            name = clean_latin_name(text)
        except ValidationError as error:
            assert _is_our_message(error)
        else:
            assert 2 <= len(name) <= 60 and name[0].isalpha() and not any("\u1780" <= c <= "\u17ff" for c in name)
            assert clean_latin_name(name) == name

    @settings(max_examples=300, deadline=None)
    @given(ANY_TEXT | st.text(alphabet="0123456789០១២៣៤៥៦៧៨៩ -", max_size=14))
    def test_national_id(self, text):
        try:
            number = clean_national_id(text)
        except ValidationError as error:
            assert _is_our_message(error)
        else:
            assert len(number) in (9, 10) and all(c in "0123456789" for c in number)

    @settings(max_examples=300, deadline=None)
    @given(ANY_TEXT | st.from_regex(r"[0-9០-៩]{1,5}[-/.][0-9០-៩]{1,3}[-/.][0-9០-៩]{1,5}", fullmatch=True))
    def test_date_of_birth(self, text):
        try:
            born = clean_date_of_birth(text, today=TODAY)
        except ValidationError as error:
            assert _is_our_message(error)
        else:
            assert date(1906, 11, 26) <= born <= TODAY
