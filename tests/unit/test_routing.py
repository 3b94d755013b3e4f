"""Routing in a definition (portal/domain/catalogue/routing.py): the loader names each mistake in
`routing:` by its place, and a case goes to the office the deciding address and the rules say."""

from __future__ import annotations

import re
import shutil

import pytest

from portal.domain.catalogue import DefinitionError, load_catalogue
from portal.domain.catalogue.expressions import parse
from portal.domain.catalogue.routing import Route, RoutingRule, deciding_place, routed_office
from portal.paths import PROJECT_ROOT
from tests.service_roots import edit_definition as edit

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "services"
SOURCE = "services/building-permit/service.yaml"


@pytest.fixture
def services(tmp_path):
    root = tmp_path / "services"
    shutil.copytree(FIXTURE, root)
    return root


def route_of(data):
    return data["routing"]["district-office"]


def rule(when, to):
    return {"when": when, "to": to}


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: route_of(d).update(address="site"),
     "routing.district-office.address: 'site' is not an address field of this service"),
    (lambda d: route_of(d).update(address="floor_area"),
     "routing.district-office.address: 'floor_area' is not an address field of this service"),
    (lambda d: route_of(d).update(rules=[rule("floor_area > 500", "mlmupc"), rule("floor_area > 9", "ministry")]),
     "routing.district-office.rules[1].to: unknown office 'ministry': expected commune-office, district-office, "
     "province-office or an agency of services/agencies.yaml"),
    (lambda d: route_of(d).update(rules=[rule("storeys > 3", "province-office")]),
     "routing.district-office.rules[0].when: unknown field 'storeys' in 'storeys > 3'"),
    (lambda d: route_of(d).update(rules=[rule("paid", "province-office")]),
     "routing.district-office.rules[0].when: unknown field 'paid' in 'paid'"),
    (lambda d: route_of(d).update(rules=[rule("floor_area >", "province-office")]),
     "routing.district-office.rules[0].when: bad expression"),
    (lambda d: route_of(d).update(rules=[{"when": "floor_area > 1"}]),
     "routing.district-office.rules[0].to: is required"),
    (lambda d: route_of(d).update(rules="province-office"), "routing.district-office.rules: expected a list"),
    (lambda d: route_of(d).update(fallback="district-9999"),
     "routing.district-office.fallback: unknown office 'district-9999'"),
    (lambda d: route_of(d).update(colour="red"), "routing.district-office.colour: unknown key 'colour'"),
    (lambda d: d["routing"].update({"commune-office": {"fallback": "province-office"}}),
     "routing.commune-office: this service does not use 'commune-office' in its agencies"),
    (lambda d: d["routing"].update({"village-office": {}}),
     "routing.village-office: 'village-office' is not a routing placeholder (commune-office, district-office, "
     "province-office)"),
    (lambda d: d.update(routing=["district-office"]), "routing: expected a mapping of keys to values"),
])
def test_a_mistake_in_routing_names_file_path_and_problem(services, change, message):
    edit(services, "building-permit", change)
    with pytest.raises(DefinitionError, match=re.escape(f"{SOURCE}: {message}")):
        load_catalogue(services)


def test_an_agency_that_is_itself_a_routing_placeholder_is_no_destination(services):
    """A commune office listed without its commune (as the shipped `commune-office` is) stands for no
    office: a rule or a fallback cannot send a case there."""
    (services / "agencies.yaml").write_text((services / "agencies.yaml").read_text() + (
        "  - slug: sangkat-office\n    kind: commune_office\n    name: {km: រដ្ឋបាលសង្កាត់, en: Sangkat office}\n"))
    edit(services, "building-permit", lambda d: route_of(d).update(fallback="sangkat-office"))
    with pytest.raises(DefinitionError, match=re.escape("routing.district-office.fallback: unknown office")):
        load_catalogue(services)


def test_the_routing_is_read(services):
    service = load_catalogue(services).get("building-permit")
    route = service.routing["district-office"]
    assert route.address == "site_address"
    assert [(r.when.source, r.to) for r in route.rules] == [("floor_area > 3000", "mlmupc"),
                                                           ("floor_area > 500", "province-office")]
    assert route.fallback is None
    assert load_catalogue(services).get("road-use-permit").routing["commune-office"] == Route(
        fallback="province-office")


def test_a_service_may_name_two_placeholders_each_with_its_routing(services):
    """The commune certifies, the district issues: each placeholder is routed on its own."""
    def two_levels(data):
        data["agencies"] = ["commune-office", "district-office"]
        data["routing"]["commune-office"] = {"address": "owner_address"}
        data["workflow"]["states"]["submitted"]["actor"] = "commune-office.clerk"
        data["workflow"]["transitions"][0]["roles"] = ["commune-office.clerk"]

    edit(services, "building-permit", two_levels)
    service = load_catalogue(services).get("building-permit")
    assert service.routing["commune-office"].address == "owner_address"
    assert service.routing["district-office"].address == "site_address"


def test_without_a_routing_key_a_placeholder_is_routed_by_default(services):
    edit(services, "building-permit", lambda d: d.pop("routing"))
    assert load_catalogue(services).get("building-permit").routing == {}


class FakeOffices:
    """The offices of a few places, as LocalOffices.for_place answers."""

    def __init__(self, *slugs):
        self.slugs = set(slugs)

    def for_place(self, kind, code):
        slug = {"commune_office": "commune-", "district_office": "district-", "province_office": "province-"}[kind]
        slug += code or ""
        return type("Office", (), {"slug": slug})() if slug in self.slugs else None


SIEM_REAP = {"province": "17", "district": "1710", "commune": "171001", "village": "17100101"}
KAMPOT = {"province": "07", "district": "0708", "commune": "070801", "village": "07080101"}
PROFILE = {"province": "02", "district": "0203", "commune": "020310"}
EVERYWHERE = FakeOffices("commune-171001", "district-1710", "province-17", "commune-070801", "district-0708",
                         "province-07", "commune-020310", "district-0203", "province-02")


class TestTheDecidingAddress:
    def test_the_named_address_field_decides(self):
        answers = {"home": KAMPOT, "site": SIEM_REAP}
        assert deciding_place(Route(address="site"), ["home", "site"], answers, PROFILE)["district"] == "1710"

    def test_by_default_the_first_answered_address_decides(self):
        assert deciding_place(Route(), ["home", "site"], {"home": KAMPOT, "site": SIEM_REAP}, PROFILE)[
            "commune"] == "070801"
        assert deciding_place(Route(), ["home", "site"], {"home": None, "site": SIEM_REAP}, PROFILE)[
            "commune"] == "171001"

    def test_without_an_answered_address_the_profile_decides(self):
        assert deciding_place(Route(address="site"), ["site"], {}, PROFILE) == PROFILE
        assert deciding_place(Route(), ["site"], {"site": {}}, PROFILE) == PROFILE

    def test_a_commune_code_gives_its_district_and_province(self):
        assert deciding_place(Route(), [], {}, {"commune": "120913"}) == {
            "commune": "120913", "district": "1209", "province": "12"}


class TestTheOffice:
    RULES = Route(rules=(RoutingRule(parse("floor_area > 3000"), "mlmupc"),
                         RoutingRule(parse("floor_area > 500"), "province-office")))

    def test_the_placeholders_level_for_the_deciding_place(self):
        assert routed_office("district-office", Route(), {}, SIEM_REAP, EVERYWHERE) == "district-1710"
        assert routed_office("province-office", Route(), {}, SIEM_REAP, EVERYWHERE) == "province-17"
        assert routed_office("commune-office", Route(), {}, SIEM_REAP, EVERYWHERE) == "commune-171001"

    @pytest.mark.parametrize(("area", "office"), [(120, "district-1710"), (501, "province-17"), (3001, "mlmupc"),
                                                  (None, "district-1710")])
    def test_the_first_rule_that_holds_wins_and_one_that_cannot_be_evaluated_does_not_hold(self, area, office):
        assert routed_office("district-office", self.RULES, {"floor_area": area}, SIEM_REAP, EVERYWHERE) == office

    def test_without_an_office_at_the_level_the_declared_fallback_else_the_next_level_up(self):
        missing = {"commune": "120913", "district": "1209", "province": "12"}
        offices = FakeOffices("district-1209", "province-12")
        assert routed_office("commune-office", Route(), {}, missing, offices) == "district-1209"
        assert routed_office("commune-office", Route(fallback="province-office"), {}, missing, offices) == "province-12"
        assert routed_office("commune-office", Route(fallback="mlmupc"), {}, missing, offices) == "mlmupc"
        assert routed_office("commune-office", Route(), {}, missing, FakeOffices()) is None


def test_which_offices_a_service_may_be_routed_to(services):
    """What the dashboards and /contact use to list a routed service under an office."""
    from portal.domain.catalogue.routing import may_route_to

    catalogue = load_catalogue(services)
    building, road = catalogue.get("building-permit"), catalogue.get("road-use-permit")
    office = catalogue.agency
    assert may_route_to(building, office("mlmupc")) and may_route_to(building, office("district-1710"))
    assert may_route_to(building, office("province-17")) and not may_route_to(building, office("commune-171001"))
    assert may_route_to(road, office("commune-171001")) and may_route_to(road, office("district-1710"))
    assert not may_route_to(road, office("mlmupc")) and not may_route_to(catalogue.get("market-stall-permit"),
                                                                         office("district-1710"))
