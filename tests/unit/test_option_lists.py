"""Reusable lists (`options_from: countries`): the loader's errors name the file and the place, and each
shipped list is whole (unique codes, Khmer in Khmer script, nothing empty)."""

from __future__ import annotations

import re
import shutil
from functools import cache

import pytest
import yaml
from wtforms import SelectChoice

from portal.domain.catalogue import DefinitionError, load_catalogue
from portal.domain.catalogue.lists import BUILT_IN, SHIPPED
from portal.domain.fields.kinds.choices import in_reading_order
from portal.domain.geo import places
from portal.paths import PROJECT_ROOT

KHMER = re.compile(r"[\u1780-\u17FF]")
VALUE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,40}$")
SHIPPED_LISTS = sorted(path.stem for path in SHIPPED.glob("*.yaml"))


@pytest.fixture
def services(tmp_path):
    root = tmp_path / "services"
    shutil.copytree(PROJECT_ROOT / "services", root)
    return root


def edit_business_type(root, change):
    """Change the business registration's `business_type` choice (steps[0].fields[2])."""
    path = root / "business-registration" / "service.yaml"
    data = yaml.safe_load(path.read_text())
    field = data["steps"][0]["fields"][2]
    assert field["id"] == "business_type"
    change(field, data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


def from_list(name):
    def change(field, data):
        field.pop("options")
        field["options_from"] = name
    return change


def test_a_choice_takes_its_options_from_a_list(services):
    edit_business_type(services, from_list("countries"))
    field = load_catalogue(services).get("business-registration").field("business_type")
    assert field.options_from == "countries" and len(field.options) > 200
    assert field.option_label("kh") == {"km": "កម្ពុជា", "en": "Cambodia"}


@pytest.mark.parametrize(("change", "message"), [
    (from_list("contries"), "services/business-registration/service.yaml: steps[0].fields[2].options_from: "
                            "unknown list 'contries'; one of countries, nationalities, provinces, vehicle-makes"),
    (lambda field, data: field.update(options_from="countries"),
     "steps[0].fields[2].options_from: give options or options_from, not both"),
    (lambda field, data: data["steps"][0]["fields"][0].update(options_from="countries"),
     "steps[0].fields[0].options_from: only choice and multi_choice fields have options_from, not text"),
    (lambda field, data: field.pop("options"), "steps[0].fields[2].options: expected a non-empty list"),
])
def test_a_wrong_options_from_names_the_field(services, change, message):
    edit_business_type(services, change)
    with pytest.raises(DefinitionError, match=re.escape(message)):
        load_catalogue(services)


@pytest.mark.parametrize(("text", "message"), [
    ("options:\n  - {value: a, label: {km: ក, en: A}}\n  - {value: a, label: {km: ខ, en: B}}\n",
     "services/lists/markets.yaml: options[1].value: 'a' is listed twice"),
    ("options:\n  - {value: a, label: {en: A}}\n", "services/lists/markets.yaml: options[0].label.km: is required"),
    ("options:\n  - {value: a, label: {km: Market A, en: A}}\n", "options[0].label.km: is not written in Khmer"),
    ("options:\n  - {value: a, label: {km: ក, en: ' '}}\n", "options[0].label.en: needs a non-empty text"),
    ("options:\n  - {value: Market A, label: {km: ក, en: A}}\n",
     "options[0].value: expected a short value of lower-case letters, digits, _ or -"),
    ("options: []\n", "services/lists/markets.yaml: options: expected a non-empty list"),
    ("choices:\n  - {value: a, label: {km: ក, en: A}}\n", "markets.yaml: choices: unknown key 'choices'"),
    ("options: [\n", "services/lists/markets.yaml: line 2: is not valid YAML"),
])
def test_a_broken_list_file_is_named_even_when_no_field_uses_it(services, text, message):
    (services / "lists" / "markets.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DefinitionError, match=re.escape(message)):
        load_catalogue(services)


def test_a_list_file_cannot_take_a_built_in_name(services):
    (services / "lists" / "provinces.yaml").write_text("options:\n  - {value: a, label: {km: ក, en: A}}\n")
    with pytest.raises(DefinitionError, match=re.escape("services/lists/provinces.yaml: 'provinces' is built in")):
        load_catalogue(services)


def test_a_services_folder_s_own_list_replaces_the_shipped_one_and_others_still_come_from_the_portal(tmp_path):
    root = tmp_path / "services"
    shutil.copytree(PROJECT_ROOT / "tests" / "fixtures" / "services", root)
    (root / "lists").mkdir(exist_ok=True)
    (root / "lists" / "countries.yaml").write_text(
        "options:\n  - {value: kh, label: {km: ព្រះរាជាណាចក្រកម្ពុជា, en: Kingdom of Cambodia}}\n", encoding="utf-8")
    service = load_catalogue(root).get("foreign-trader-permit")
    assert service.field("previous_country").options_from == "countries"
    assert [o.value for o in service.field("previous_country").options] == ["kh"]
    assert len(service.field("nationality").options) > 190  # the shipped list


def test_a_list_label_for_documents_and_an_answer_it_does_not_hold_as_it_is(services):
    lists = load_catalogue(services).lists
    assert lists.label("nationalities", "jp", "km") == "សញ្ជាតិជប៉ុន"
    assert lists.label("nationalities", "jp", "en") == "Japanese"
    assert lists.label("provinces", "12", "km") == "រាជធានីភ្នំពេញ"
    assert lists.label("countries", "other", "en") == "other"  # version 3's answer, kept readable
    with pytest.raises(KeyError):
        lists.label("contries", "kh", "en")


@cache
def _shipped_lists():
    return load_catalogue(PROJECT_ROOT / "services").lists


class TestTheShippedLists:
    @pytest.fixture
    def lists(self):
        return _shipped_lists()

    @pytest.mark.parametrize("name", [*SHIPPED_LISTS, *BUILT_IN])
    def test_each_is_whole(self, lists, name):
        options = lists.options_from(None, name, "")
        values = [o.value for o in options]
        assert options and len(set(values)) == len(values)
        for option in options:
            assert VALUE.match(option.value), option
            assert option.label["km"].strip() and KHMER.search(option.label["km"]), option
            assert option.label["en"].strip() and not KHMER.search(option.label["en"]), option
            assert "\u200b" not in option.label["km"], option  # CLDR's line-break hints are taken out

    def test_countries_are_iso_3166_codes_without_regions(self, lists):
        countries = {o.value: o.label for o in lists.options_from(None, "countries", "")}
        assert len(countries) == 249
        assert all(re.fullmatch(r"[a-z]{2}", code) for code in countries)
        assert not {"eu", "un", "zz", "xk", "qo", "ez"} & set(countries)
        assert countries["kh"] == {"km": "កម្ពុជា", "en": "Cambodia"}
        assert countries["th"] == {"km": "ថៃ", "en": "Thailand"}
        assert countries["vn"]["km"] == "វៀតណាម" and countries["cn"]["km"] == "ចិន"

    def test_nationalities_use_the_country_codes(self, lists):
        countries = {o.value for o in lists.options_from(None, "countries", "")}
        nationalities = {o.value: o.label for o in lists.options_from(None, "nationalities", "")}
        assert set(nationalities) - countries == {"stateless"}
        assert nationalities["kh"] == {"km": "សញ្ជាតិខ្មែរ", "en": "Cambodian"}
        assert all(label["km"].startswith(("សញ្ជាតិ", "គ្មានសញ្ជាតិ")) for label in nationalities.values())
        # The values the business registration's version 3 listed still read the same.
        assert {"kh", "cn", "vn", "th", "kr", "jp"} <= set(nationalities)

    def test_provinces_are_the_address_data_s(self, lists):
        provinces = lists.options_from(None, "provinces", "")
        assert len(provinces) == 25
        assert [(o.value, o.label["km"], o.label["en"]) for o in provinces] == \
            [(p.code, p.name_km, p.name_en) for p in places.children("province")]

    def test_vehicle_makes_are_a_few_dozen_with_another_make(self, lists):
        makes = {o.value: o.label for o in lists.options_from(None, "vehicle-makes", "")}
        assert 30 <= len(makes) <= 60
        assert makes["toyota"] == {"km": "តូយ៉ូតា", "en": "Toyota"} and "other" in makes


def test_a_multi_choice_takes_its_options_from_a_list_too(services):
    def change(field, data):
        sectors = data["steps"][0]["fields"][3]
        assert sectors["type"] == "multi_choice"
        sectors.pop("options")
        sectors["options_from"] = "provinces"
    edit_business_type(services, change)
    field = load_catalogue(services).get("business-registration").field("sectors")
    assert len(field.options) == 25 and field.option_label("12")["en"] == "Phnom Penh"


def test_a_list_is_shown_by_its_labels_with_another_make_last():
    choices = [SelectChoice("other", "ម៉ាកផ្សេងទៀត"), SelectChoice("toyota", "តូយ៉ូតា"),
               SelectChoice("audi", "អូឌី"), SelectChoice("ford", "ហ្វដ")]
    assert [c.value for c in in_reading_order(choices)] == ["toyota", "ford", "audi", "other"]
