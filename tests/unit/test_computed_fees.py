"""Computed fees (portal/domain/catalogue/fee_rules.py, portal/domain/applications/fee_explained.py): a rate
per unit of a decimal quantity, a percent of an amount, tiers; rounding, minimum and maximum; the working
explained in Khmer and English; a fee whose inputs are not known is to be assessed; and the loader's errors,
each naming its place. Run on copies of the YAML fixture service `small-building-permit`."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal

import pytest

from portal.domain.applications.fee_explained import describe
from portal.domain.applications.fees import fee_lines, to_be_assessed, totals
from portal.domain.catalogue import DefinitionError, load_catalogue
from tests.service_roots import FIXTURE_ROOT, edit_service

SLUG = "small-building-permit"
PLACE = f"services/{SLUG}/service.yaml"
LABEL = {"km": "កម្រៃ", "en": "Fee"}
VALUE_FIELD = {"id": "declared_value", "type": "money", "currencies": ["KHR"],
               "label": {"km": "តម្លៃប្រកាស", "en": "Declared value"}}


class _App:
    """`edit_service` forgets the loaded catalogue of an app; these tests load the folder themselves."""
    extensions: dict = {}


@pytest.fixture
def root(tmp_path):
    copied = tmp_path / "services"
    shutil.copytree(FIXTURE_ROOT, copied)
    return copied


def service_with(root, *fees, fields=()):
    def change(data):
        data["fees"] = list(fees)
        data["steps"][1]["fields"].extend(fields)
    edit_service(_App(), root, SLUG, change)
    return load_catalogue(root).get(SLUG)


def line_for(service, answers):
    [line] = fee_lines(service, answers)
    return line


def rate(**extra):
    return {"id": "permit", "label": LABEL, "rate": {"KHR": 2000}, "per": "floor_area", **extra}


def english(line):
    return [step["en"] for step in line.explanation]


class TestRate:
    def test_a_decimal_quantity_is_charged_exactly(self, root):
        service = service_with(root, rate(unit={"km": "ម²", "en": "m²"}))
        line = line_for(service, {"floor_area": "120.5"})
        assert line.amounts == {"KHR": Decimal(241000)}
        assert english(line) == ["2,000 ៛ × 120.5 m² = 241,000 ៛"]
        assert line.explanation[0]["km"] == "២,០០០ ៛ × ១២០.៥ ម² = ២៤១,០០០ ៛"

    @pytest.mark.parametrize(("rounding", "area", "expected"), [
        ("half_up", "100.025", 200100),  # 200,050 is half way: up
        ("half_up", "100.024", 200000),  # 200,048
        ("up", "100.001", 200100),  # 200,002
        ("down", "100.049", 200000),  # 200,098
    ])
    def test_the_line_is_rounded_to_a_multiple_as_the_definition_says(self, root, rounding, area, expected):
        service = service_with(root, rate(round_to=100, rounding=rounding))
        line = line_for(service, {"floor_area": area})
        assert line.amounts == {"KHR": Decimal(expected)}
        assert len(line.explanation) == 2 and line.explanation[1]["en"].endswith(f"100 ៛ = {expected:,} ៛")

    def test_half_up_is_the_default_and_riel_are_whole(self, root):
        service = service_with(root, {"id": "permit", "label": LABEL, "rate": {"KHR": 1}, "per": "floor_area"})
        assert line_for(service, {"floor_area": "10.5"}).amounts == {"KHR": Decimal(11)}
        assert english(line_for(service, {"floor_area": "10.5"}))[1] == "rounded to the nearest 1 ៛ = 11 ៛"

    def test_dollars_go_to_the_cent(self, root):
        service = service_with(root, {"id": "permit", "label": LABEL, "rate": {"USD": "0.125"}, "per": "floor_area"})
        line = line_for(service, {"floor_area": "3"})
        assert line.amounts == {"USD": Decimal("0.38")}
        assert english(line)[0] == "$0.125 × 3 = $0.375"

    def test_the_minimum_and_the_maximum_apply_and_say_so(self, root):
        service = service_with(root, rate(minimum={"KHR": 50000}, maximum={"KHR": 1000000}))
        low = line_for(service, {"floor_area": "20.5"})
        assert low.amounts == {"KHR": Decimal(50000)}
        assert english(low) == ["2,000 ៛ × 20.5 = 41,000 ៛", "the minimum of 50,000 ៛ applies"]
        assert low.explanation[1]["km"] == "អនុវត្តចំនួនអប្បបរមា ៥០,០០០ ៛"
        high = line_for(service, {"floor_area": "600"})
        assert high.amounts == {"KHR": Decimal(1000000)} and english(high)[1] == "the maximum of 1,000,000 ៛ applies"
        assert line_for(service, {"floor_area": "25"}).amounts == {"KHR": Decimal(50000)}  # exactly the minimum

    def test_a_computed_value_can_be_the_quantity(self, root):
        def change(data):
            data["computed"] = [{"id": "area_twice", "label": {"km": "ផ្ទៃ", "en": "Area"},
                                 "expression": "floor_area * 2"}]
            data["fees"] = [rate(per="area_twice")]
        edit_service(_App(), root, SLUG, change)
        service = load_catalogue(root).get(SLUG)
        assert line_for(service, {"floor_area": "1.25"}).amounts == {"KHR": Decimal(5000)}

    def test_the_service_page_describes_the_rule(self, root):
        service = service_with(root, rate(unit={"km": "ម²", "en": "m²"}, minimum={"KHR": 50000}))
        assert describe(service.fees[0].rule) == {"en": "2,000 ៛ per m², at least 50,000 ៛",
                                                  "km": "២,០០០ ៛ ក្នុងមួយ ម², យ៉ាងតិច ៥០,០០០ ៛"}


class TestPercent:
    def fee(self, **extra):
        return {"id": "transfer_tax", "label": LABEL, "percent": "4", "of": "declared_value.amount",
                "currency": "KHR", **extra}

    def test_a_percent_of_an_amount(self, root):
        service = service_with(root, self.fee(round_to=100), fields=[VALUE_FIELD])
        line = line_for(service, {"floor_area": "50", "declared_value": {"amount": "300000000", "currency": "KHR"}})
        assert line.amounts == {"KHR": Decimal(12000000)}
        assert english(line) == ["4 % of 300,000,000 ៛ = 12,000,000 ៛"]
        assert line.explanation[0]["km"] == "៤ % នៃ ៣០០,០០០,០០០ ៛ = ១២,០០០,០០០ ៛"

    def test_a_percent_with_decimals_is_exact_then_rounded(self, root):
        service = service_with(root, self.fee(percent=0.15, round_to=100), fields=[VALUE_FIELD])
        line = line_for(service, {"floor_area": "50", "declared_value": {"amount": "1234567", "currency": "KHR"}})
        assert line.amounts == {"KHR": Decimal(1900)}  # 1,851.8505
        assert english(line) == ["0.15 % of 1,234,567 ៛ = 1,851.8505 ៛", "rounded to the nearest 100 ៛ = 1,900 ៛"]


class TestTiers:
    def fee(self):
        return {"id": "by_size", "label": LABEL, "tiers": {"by": "floor_area", "bands": [
            {"up_to": 100, "amount": {"KHR": 100000}}, {"up_to": 500, "amount": {"KHR": 400000}},
            {"amount": {"KHR": 1000000}}]}}

    @pytest.mark.parametrize(("area", "expected"), [
        ("1", 100000), ("100", 100000), ("100.01", 400000), ("500", 400000), ("500.5", 1000000), ("90000", 1000000)])
    def test_the_first_band_whose_up_to_holds_the_quantity(self, root, area, expected):
        assert line_for(service_with(root, self.fee()), {"floor_area": area}).amounts == {"KHR": Decimal(expected)}

    def test_the_band_is_explained(self, root):
        service = service_with(root, self.fee())
        assert english(line_for(service, {"floor_area": "120.5"})) == ["120.5 is over 100 and up to 500: 400,000 ៛"]
        assert english(line_for(service, {"floor_area": "600"})) == ["600 is over 500: 1,000,000 ៛"]
        assert describe(service.fees[0].rule)["en"] == "up to 100: 100,000 ៛ · up to 500: 400,000 ៛ · " \
                                                       "over 500: 1,000,000 ៛"


class TestToBeAssessed:
    def test_a_fee_whose_input_is_unknown_is_to_be_assessed_not_zero(self, root):
        service = service_with(root, rate(), {"id": "fixed", "label": LABEL, "amount": {"KHR": 10000}})
        lines = fee_lines(service, {})
        assert [(line.fee.id, line.pending, line.amounts) for line in lines] == [
            ("permit", True, {}), ("fixed", False, {"KHR": Decimal(10000)})]
        assert totals(lines) == {"KHR": Decimal(10000)} and to_be_assessed(lines)
        assert not to_be_assessed(fee_lines(service, {"floor_area": "10"}))

    def test_the_fee_values_may_hold_more_than_the_answers(self, root):
        from portal.domain.applications.fees import lines_for

        service = service_with(root, rate(per="floor_area"))
        [line] = lines_for(service, {"floor_area": Decimal("2.5")})  # e.g. a value staff entered
        assert line.amounts == {"KHR": Decimal(5000)}


class TestLoaderErrors:
    @pytest.mark.parametrize(("fee", "message"), [
        (rate(amount={"KHR": 1}), "fees[0]: give exactly one of amount, rate (with per), percent (with of) or "
                                  "tiers (it has amount and rate)"),
        ({"id": "permit", "label": LABEL}, "fees[0]: give exactly one of amount, rate (with per), percent"),
        (rate(per="name_km"), "fees[0].per: 'name_km' is not a number or integer field"),
        (rate(per="floor_aera"), "fees[0].per: 'floor_aera' is not a number or integer field"),
        (rate(rate={"KHR": -5}), "fees[0].rate.KHR: expected a number of at least 0, not -5"),
        (rate(rate={"KHR": 1, "USD": 1}), "fees[0].rate: expected one amount, in KHR or USD"),
        (rate(round_to=0), "fees[0].round_to: expected a positive amount, not 0"),
        (rate(round_to=0.5), "fees[0].round_to: 0.5 is not a whole number of riel"),
        (rate(rounding="nearest"), "fees[0].rounding: 'nearest' is not one of half_up, up, down"),
        (rate(minimum={"KHR": 60000}, maximum={"KHR": 50000}),
         "fees[0].minimum: 60000 is more than the maximum 50000"),
        (rate(minimum={"USD": 5}), "fees[0].minimum.USD: this fee charges in KHR"),
        (rate(per_unit=1), "fees[0].per_unit: unknown key 'per_unit'"),
        ({"id": "tax", "label": LABEL, "percent": 4, "of": "declared_valu.amount", "currency": "KHR"},
         "fees[0].of: unknown field 'declared_valu'"),
        ({"id": "tax", "label": LABEL, "percent": -1, "of": "floor_area", "currency": "KHR"},
         "fees[0].percent: expected a number of at least 0, not -1"),
        ({"id": "tax", "label": LABEL, "percent": 4, "of": "floor_area"}, "fees[0].currency: is required"),
        ({"id": "t", "label": LABEL, "tiers": {"by": "floor_area", "bands": [
            {"up_to": 500, "amount": {"KHR": 1}}, {"up_to": 100, "amount": {"KHR": 2}}, {"amount": {"KHR": 3}}]}},
         "fees[0].tiers.bands[1].up_to: the bands must go up: 100 is not above 500"),
        ({"id": "t", "label": LABEL, "tiers": {"by": "floor_area", "bands": [
            {"up_to": 100, "amount": {"KHR": 1}}, {"up_to": 500, "amount": {"KHR": 2}}]}},
         "fees[0].tiers.bands[1].up_to: the last band has no up_to"),
        ({"id": "t", "label": LABEL, "tiers": {"by": "floor_area", "bands": [
            {"amount": {"KHR": 1}}, {"amount": {"KHR": 2}}]}}, "fees[0].tiers.bands[0].up_to: is required"),
        ({"id": "t", "label": LABEL, "tiers": {"by": "floor_area", "bands": [
            {"up_to": 100, "amount": {"KHR": 1}}, {"amount": {"USD": 2}}]}},
         "fees[0].tiers.bands[1].amount: every band charges in KHR"),
        ({"id": "t", "label": LABEL, "tiers": {"by": "floor_area", "bands": [{"amount": {"KHR": 0.5}}]}},
         "fees[0].tiers.bands[0].amount.KHR: 0.5 is not a whole number of riel"),
        ({"id": "t", "label": LABEL, "tiers": {"by": "flor_area", "bands": [{"amount": {"KHR": 5}}]}},
         "fees[0].tiers.by: unknown field 'flor_area'"),
    ])
    def test_each_mistake_is_named_with_its_place(self, root, fee, message):
        with pytest.raises(DefinitionError, match=re.escape(f"{PLACE}: {message}")):
            service_with(root, {k: v for k, v in fee.items() if v is not None}, fields=[VALUE_FIELD])

    def test_a_fixed_amount_is_read_as_before(self, root):
        service = service_with(root, {"id": "fixed", "label": LABEL, "amount": {"KHR": 10000, "USD": 3}})
        assert service.fees[0].rule is None and service.fees[0].amounts == {"KHR": 10000, "USD": 3}


def test_a_fixed_fee_is_frozen_with_the_same_keys_as_before_computed_fees():
    from portal.payments.assessments import Line

    assert Line("fixed", LABEL, 2, {"KHR": 300000}).as_json() == {
        "fee": "fixed", "label": LABEL, "quantity": 2, "amounts": {"KHR": 300000}, "waived_by": None}
    pending = Line("permit", LABEL, 1, {}, pending=True).as_json()
    assert pending["pending"] is True and pending["amounts"] == {}
