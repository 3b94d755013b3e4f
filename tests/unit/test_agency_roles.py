"""Roles an agency declares (agencies.yaml `roles`, `office_roles`): read with path-precise errors, and a
definition's `<agency>.<role>` checked against the roles that agency (or the placeholder's kind) has."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from portal.domain.catalogue import DefinitionError, agency_roles, load_catalogue
from tests.service_roots import FIXTURE_ROOT


@pytest.fixture
def services(tmp_path):
    root = tmp_path / "services"
    shutil.copytree(FIXTURE_ROOT, root)
    return root


def edit(path, change):
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


def test_declared_roles_and_what_they_act_as(services):
    catalogue = load_catalogue(services)
    # A generated district office, a routing placeholder: the roles of their kind.
    for slug in ("district-1710", "district-office"):
        assert agency_roles.acts_as(catalogue, slug, "technical_officer") == "clerk"
        assert agency_roles.acts_as(catalogue, slug, "governor") == "supervisor"
    assert agency_roles.acts_as(catalogue, "commune-171001", "governor") is None  # not its kind's
    assert agency_roles.acts_as(catalogue, "district-1710", "cashier") == "cashier"
    assert agency_roles.effective(catalogue, {("district-1710", "governor")}) == {
        ("district-1710", "governor"), ("district-1710", "supervisor")}
    assert catalogue.get("guesthouse-licence").workflow.states["inspecting"].actor == \
        "district-office.technical_officer"


def _office_roles(data):
    return data["office_roles"]["district_office"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _office_roles(d)["governor"].update(acts_as="cashier"),
         "agencies.yaml: office_roles.district_office.governor.acts_as: 'cashier' is not one of clerk, supervisor"),
        (lambda d: _office_roles(d)["governor"].pop("title"),
         "office_roles.district_office.governor.title: is required"),
        (lambda d: d["office_roles"].update(village_office={}), "office_roles.village_office: unknown key"),
        (lambda d: _office_roles(d).update(clerk={"title": {"km": "ស្មៀន", "en": "Clerk"}, "acts_as": "clerk"}),
         "office_roles.district_office.clerk: 'clerk' is built in"),
        (lambda d: d["agencies"][0].update(roles={"Head-Office": {"title": {"km": "ប្រធាន", "en": "Head"},
                                                                   "acts_as": "supervisor"}}),
         "agencies[0].roles.Head-Office: expected a role id of 2 to 20 lower-case letters and underscores"),
        (lambda d: d["agencies"][0].update(roles={"head": {"title": {"km": "ប្រធាន", "en": "Head"},
                                                           "acts_as": "supervisor", "pay": 1}}),
         "agencies[0].roles.head.pay: unknown key 'pay'"),
    ],
)
def test_mistakes_in_the_agency_data_name_their_place(services, change, message):
    edit(services / "agencies.yaml", change)
    with pytest.raises(DefinitionError, match=re.escape(message)):
        load_catalogue(services)


def test_a_definition_may_name_only_a_role_its_agency_has(services):
    edit(services / "agencies.yaml", lambda d: d.pop("office_roles"))
    with pytest.raises(DefinitionError, match=re.escape(
            "guesthouse-licence/service.yaml: staff_steps[0].roles[0]: unknown role 'technical_officer'; "
            "one of clerk, supervisor at 'district-office'")):
        load_catalogue(services)


def test_a_role_of_another_kind_of_office_is_refused(services):
    edit(services / "night-market-licence" / "service.yaml",
         lambda d: d["workflow"]["transitions"][0].update(roles=["phnom-penh-capital.governor"]))
    with pytest.raises(DefinitionError, match=re.escape(
            "night-market-licence/service.yaml: workflow.transitions[0].roles[0]: unknown role 'governor'")):
        load_catalogue(services)


def test_an_agency_of_its_own_declares_a_role_a_definition_may_use(services):
    edit(services / "agencies.yaml", lambda d: d["agencies"][0].update(
        roles={"front_office": {"title": {"km": "មន្ត្រីបម្រើសេវាមុខ", "en": "Front office officer"},
                                "acts_as": "clerk"}}))
    edit(services / "night-market-licence" / "service.yaml",
         lambda d: d["workflow"]["transitions"][0].update(roles=["phnom-penh-capital.front_office"]))
    catalogue = load_catalogue(services)
    assert catalogue.get("night-market-licence").workflow.transitions[0].roles == ("phnom-penh-capital.front_office",)
    assert agency_roles.acts_as(catalogue, "phnom-penh-capital", "front_office") == "clerk"


def test_a_declared_role_must_exist_where_routing_may_send_the_case(services):
    def route_to_the_province(data):
        data["routing"]["district-office"]["rules"] = [{"when": "rooms > 100", "to": "province-office"}]

    edit(services / "guesthouse-licence" / "service.yaml", route_to_the_province)
    with pytest.raises(DefinitionError, match=re.escape(
            "guesthouse-licence/service.yaml: workflow.states.inspected.actor: 'province-office', where "
            "routing.district-office may send the case, has no role 'governor'")):
        load_catalogue(services)
    # Declared for province offices too, it loads.
    edit(services / "agencies.yaml",
         lambda d: d["office_roles"].update(province_office=d["office_roles"]["district_office"]))
    assert load_catalogue(services).get("guesthouse-licence").routing["district-office"].rules
