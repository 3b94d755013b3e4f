"""A mistake in services/ is reported with the file, the path inside it and the problem."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from portal.domain.catalogue import DefinitionError, load_catalogue
from portal.paths import PROJECT_ROOT
from tests.service_roots import edit_definition as edit
from tests.service_roots import edit_yaml


@pytest.fixture
def services(tmp_path):
    root = tmp_path / "services"
    shutil.copytree(PROJECT_ROOT / "services", root)
    return root


def test_the_shipped_services_load(services):
    catalogue = load_catalogue(services)
    folders = {path.parent.name for path in services.glob("*/service.yaml")}
    assert folders and {s.slug for s in catalogue.services} == folders
    assert catalogue.get("business-registration").agencies == ("moc", "gdt")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["title"].pop("km"), "services/tax-filing/service.yaml: title.km: is required"),
        (lambda d: d["title"].update(km="Monthly filing"), "title.km: is not written in Khmer"),
        (lambda d: d.update(colour="blue"), "services/tax-filing/service.yaml: colour: unknown key 'colour'"),
        (lambda d: d.update(agencies=["gdt", "tax-office"]), "agencies[1]: unknown agency 'tax-office'"),
        (lambda d: d.update(status="open"), "status: 'open' is not one of draft, live, retired"),
        (lambda d: d.update(version=0), "version: expected a whole number of at least 1"),
        (lambda d: d.update(fees=[{"id": "x", "label": {"km": "ក", "en": "x"}, "amount": {"KHR": 10.5}}]),
         "fees[0].amount.KHR: expected a non-negative amount (riel has no decimals)"),
        (lambda d: d.update(fees=[{"id": "x", "label": {"km": "ក", "en": "x"}, "amount": {"EUR": 1}}]),
         "fees[0].amount.EUR: unknown key 'EUR'"),
        (lambda d: d.update(slug="tax"), "slug: 'tax' does not match its folder name 'tax-filing'"),
        (lambda d: d["processing_time"].update(working_days="two"), "processing_time.working_days: expected"),
        (lambda d: d["period"].update(year="month"),
         "period.year: 'month' is not a whole-number field of this service"),
        (lambda d: d["period"].update(month="tin"),
         "period.month: 'tin' is not a field of this service with one option chosen"),
        (lambda d: d["once_per_applicant"].update(fields=["year", "mnth"]),
         "once_per_applicant.fields[1]: unknown field 'mnth'"),
        (lambda d: d["once_per_applicant"].update(except_states=["refused"]),
         "once_per_applicant.except_states[0]: unknown state 'refused'"),
        (lambda d: d["once_per_applicant"].pop("message"), "once_per_applicant.message: is required"),
        (lambda d: d["outputs"]["acknowledgement"].update(issued_by="moc"),
         "services/tax-filing/service.yaml: outputs.acknowledgement.issued_by: 'moc' is not one of this "
         "service's agencies (gdt)"),
    ],
)
def test_a_broken_definition_names_file_path_and_problem(services, change, message):
    edit(services, "tax-filing", change)
    with pytest.raises(DefinitionError, match=re.escape(message)):
        load_catalogue(services)


def test_invalid_yaml_names_the_line(services):
    (services / "tax-filing" / "service.yaml").write_text("slug: tax-filing\ntitle: {km: [\n")
    with pytest.raises(DefinitionError, match=r"tax-filing/service.yaml: line \d+: is not valid YAML"):
        load_catalogue(services)


def test_services_validate_command_fails_on_a_broken_definition(app, services):
    edit(services, "tax-filing", lambda d: d.update(category="fishing"))
    runner = app.test_cli_runner()
    app.config["SERVICES_PATH"], saved = services, app.config["SERVICES_PATH"]
    try:
        result = runner.invoke(args=["services", "validate"])
    finally:
        app.config["SERVICES_PATH"] = saved
    assert result.exit_code != 0
    assert "category: unknown category 'fishing'" in result.output


def edit_first_agency(root, change):
    path = root / "agencies.yaml"
    data = yaml.safe_load(path.read_text())
    change(data["agencies"][0])
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a.update(seal="seals/missing.svg"), "agencies[0].seal: no file 'seals/missing.svg'"),
        (lambda a: a.update(seal="../../etc/passwd"), "agencies[0].seal: expected the path of a .svg or .png"),
        (lambda a: a.update(seal="../outside.svg"), "agencies[0].seal: no file '../outside.svg' under the services"),
        (lambda a: a.update(signatory={"name": {"km": "កែវ សុភា", "en": "Keo Sophea"}}),
         "agencies[0].signatory.title: is required"),
        (lambda a: a.update(signatory={"title": {"km": "ប្រធាន", "en": "Head"}, "name": {"km": "កែវ", "en": "កែវ"}}),
         "agencies[0].signatory.name.en: is not written in Latin letters"),
    ],
)
def test_a_broken_seal_or_signatory_names_the_agency_and_the_problem(services, change, message):
    edit_first_agency(services, change)
    with pytest.raises(DefinitionError, match=re.escape(message)):
        load_catalogue(services)


def test_an_agency_carries_its_seal_and_signatory(services):
    edit_first_agency(services, lambda a: a.update(
        seal="seals/demo-ministry.svg",
        signatory={"title": {"km": "ប្រធាន", "en": "Head"}, "name": {"km": "កែវ សុភា", "en": "Keo Sophea"}}))
    agency = next(iter(load_catalogue(services).agencies.values()))
    assert agency.seal == "seals/demo-ministry.svg"
    assert agency.signatory_title == {"km": "ប្រធាន", "en": "Head"}
    assert agency.signatory_name == {"km": "កែវ សុភា", "en": "Keo Sophea"}

class TestWhereAnAgencyIs:
    """Issue 12, item 8: an agency may give its address, hours and phone for the contact page."""

    def agencies_with(self, services, **fields):
        path = services / "agencies.yaml"
        data = yaml.safe_load(path.read_text())
        data["agencies"][0].update(fields)
        path.write_text(yaml.safe_dump(data, allow_unicode=True))
        return data["agencies"][0]["slug"]

    def test_they_are_read_in_both_languages(self, services):
        slug = self.agencies_with(services, address={"km": "ភ្នំពេញ", "en": "Phnom Penh"},
                                  hours={"km": "ច័ន្ទ ដល់ សុក្រ", "en": "Monday to Friday"}, phone="023 724 000")
        agency = load_catalogue(services).agencies[slug]
        assert agency.address == {"km": "ភ្នំពេញ", "en": "Phnom Penh"} and agency.phone == "023 724 000"
        assert agency.hours["en"] == "Monday to Friday"

    @pytest.mark.parametrize(("fields", "message"), [
        ({"address": {"en": "Phnom Penh"}}, r"agencies\[0\]\.address\.km: is required"),
        ({"phone": "call us"}, r"agencies\[0\]\.phone: expected a phone number"),
    ])
    def test_a_mistake_is_named(self, services, fields, message):
        self.agencies_with(services, **fields)
        with pytest.raises(DefinitionError, match=message):
            load_catalogue(services)

    def test_documents_retention_is_read_and_defaults_to_the_applications(self, services):
        edit(services, "tax-filing", lambda d: d.update(retention={"applications_years": 7}))
        edit(services, "residence-certificate", lambda d: d.update(
            retention={"applications_years": 5, "documents_years": 3}))
        catalogue = load_catalogue(services)
        assert catalogue.get("tax-filing").documents_retention_years == 7
        assert catalogue.get("residence-certificate").documents_retention_years == 3
        assert catalogue.get("residence-certificate").keep_record is False

    def test_documents_outlive_an_application_only_when_its_record_is_kept(self, services):
        edit(services, "residence-certificate", lambda d: d.update(
            retention={"applications_years": 2, "documents_years": 5}))
        with pytest.raises(DefinitionError, match="documents_years.*cannot be longer than applications_years"):
            load_catalogue(services)
        edit(services, "residence-certificate", lambda d: d.update(
            retention={"applications_years": 2, "documents_years": 5, "keep_record": True}))
        assert load_catalogue(services).get("residence-certificate").keep_record is True


def edit_samples(root, slug, change):
    edit_yaml(root / slug / "samples.yaml", change)


def edit_agencies_file(root, change):
    edit_yaml(root / "agencies.yaml", change)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(applicant="company"), "applicant: 'company' is not one of person, business"),
        (lambda d: d.update(applicant="person"),
         "applicant: 'person' cannot apply: the service's audience is business"),
        (lambda d: d["steps"].update(figurez={}), "steps.figurez: unknown key 'figurez'"),
        (lambda d: d["steps"]["figures"].update(turnovr=1), "steps.figures.turnovr: unknown key 'turnovr'"),
        (lambda d: d["documents"].update(sales_journal="photo"),
         "documents.sales_journal: 'photo' is not one of image, pdf"),
        (lambda d: d.update(paths=[["acknowledge", "approve"]]),
         "paths[0][1]: no transition 'approve' from state 'acknowledged'"),
        (lambda d: d.update(paths=[[]]), "paths[0]: expected a non-empty list"),
        (lambda d: d.update(colour="blue"), "colour: unknown key 'colour'"),
    ],
)
def test_broken_sample_answers_name_file_path_and_problem(app, services, change, message, monkeypatch):
    edit_samples(services, "tax-filing", change)
    monkeypatch.setitem(app.config, "SERVICES_PATH", services)
    result = app.test_cli_runner().invoke(args=["services", "validate"])
    assert result.exit_code != 0
    assert f"services/tax-filing/samples.yaml: {message}" in result.output, result.output


def test_a_service_without_sample_answers_fails_validation(app, services, monkeypatch):
    (services / "tax-filing" / "samples.yaml").unlink()
    monkeypatch.setitem(app.config, "SERVICES_PATH", services)
    result = app.test_cli_runner().invoke(args=["services", "validate"])
    assert result.exit_code != 0 and "services/tax-filing/samples.yaml: is missing" in result.output


def test_without_paths_one_path_leads_to_each_terminal_state(services):
    from portal.domain.catalogue.samples import load_samples

    catalogue = load_catalogue(services)
    for service in catalogue.services:
        paths = load_samples(services, service).paths
        workflow = service.workflow
        ends = set()
        for path in paths:
            state = workflow.start
            for action in path:
                state = next(t.target for t in workflow.transitions if t.action == action and state in t.sources)
            ends.add(state)
        terminal = {s for s, state in workflow.states.items() if state.terminal}
        assert ends == terminal, service.slug
def add_agency(**fields):
    return lambda data: data["agencies"].append(
        {"name": {"km": "រដ្ឋបាលស្រុក", "en": "A district office"}, **fields})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (add_agency(slug="x-office", kind="commune_office", commune_code="999999"),
         "agencies[{n}].commune_code: '999999' is not a commune of the address data"),
        (add_agency(slug="x-office", kind="district_office"), "agencies[{n}].district_code: is required"),
        (add_agency(slug="x-office", kind="province_office", province_code="99"),
         "agencies[{n}].province_code: '99' is not a province of the address data"),
        (add_agency(slug="x-office", kind="ministry", district_code="1710"),
         "agencies[{n}].district_code: only a district_office has a district_code"),
        (add_agency(slug="x-office", kind="commune_office", commune_code="020310"),
         "agencies[{n}].commune_code: '020310' already has its office, 'sangkat-svay-por'"),
        (lambda data: data.update(municipalities=["1710", "9999"]), "municipalities[1]: '9999' is not a district"),
    ],
)
def test_a_local_office_or_municipality_naming_a_place_the_address_data_lacks_is_refused(services, change, message):
    edit_agencies_file(services, change)
    count = len(yaml.safe_load((services / "agencies.yaml").read_text())["agencies"])
    with pytest.raises(DefinitionError, match=re.escape(message.format(n=count - 1))):
        load_catalogue(services)


def test_a_district_office_listed_with_its_code_replaces_the_generated_one(services):
    edit_agencies_file(services, add_agency(slug="siem-reap-town-hall", kind="district_office", district_code="1710"))
    catalogue = load_catalogue(services)
    listed = catalogue.agency("siem-reap-town-hall")
    assert (listed.district_code, listed.province_code) == ("1710", "17")
    assert catalogue.agency("district-1710") is None
    assert catalogue.offices.for_place("district_office", "1710") is listed
    # the generated communes below it are still there
    assert catalogue.agency("commune-171001").district_code == "1710"


def test_a_district_not_listed_as_a_municipality_has_communes_not_sangkats(services):
    edit_agencies_file(services, lambda data: data.update(municipalities=[]))
    catalogue = load_catalogue(services)
    assert catalogue.agency("commune-171001").name["en"].endswith("Commune Office, Siem Reab District")
    assert catalogue.agency("commune-120101").name["en"].startswith("Tonle Basak Sangkat Office")  # the capital
