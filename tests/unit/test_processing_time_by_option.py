"""Processing time per option of a choice (`processing_time.by`): the applicant's days follow the option they
answered, the service page shows the range, and a mistake names its place."""

from __future__ import annotations

import shutil

import pytest
import yaml

from portal.domain.catalogue import DefinitionError, load_catalogue
from tests.service_roots import FIXTURE_ROOT

SLUG = "trade-licence"


@pytest.fixture
def services(tmp_path):
    root = tmp_path / "services"
    shutil.copytree(FIXTURE_ROOT, root)
    return root


def edit(root, change):
    path = root / SLUG / "service.yaml"
    data = yaml.safe_load(path.read_text())
    change(data["processing_time"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


def test_the_days_follow_the_option_answered(services):
    service = load_catalogue(services).get(SLUG)
    assert service.working_days_for({"business_kind": "guesthouse_rooms"}) == 28
    assert service.working_days_for({"business_kind": "barber"}) == 7
    assert service.working_days_for({"business_kind": "grocery"}) == 7  # not listed: the default
    assert service.working_days_for({}) == 7
    assert service.processing_range == (7, 28)


def test_a_service_without_options_has_one_number(services):
    service = load_catalogue(services).get("night-market-licence")
    assert service.working_days_for({"months": "6"}) == 5
    assert service.processing_range == (5, 5)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.update(by="kind"), "trade-licence/service.yaml: processing_time.by: unknown field 'kind'"),
        (lambda p: p.update(by="name_km"),
         "processing_time.by: 'name_km' is not a choice of one option (it is a khmer_name field)"),
        (lambda p: p["options"].update(hairdresser=5),
         "processing_time.options.hairdresser: unknown option value 'hairdresser' of 'business_kind'"),
        (lambda p: p["options"].update(barber=0),
         "processing_time.options.barber: expected a whole number of at least 1"),
        (lambda p: p["options"].update(barber=-3),
         "processing_time.options.barber: expected a whole number of at least 1"),
        (lambda p: p.pop("options"), "processing_time.options: `by` and `options` go together"),
        (lambda p: p.update(options=[7, 28]),
         "processing_time.options: expected a mapping of option values to working days"),
        (lambda p: p.update(per="x"), "processing_time.per: unknown key 'per'"),
    ],
)
def test_mistakes_name_their_place(services, change, message):
    edit(services, change)
    with pytest.raises(DefinitionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_catalogue(services)
