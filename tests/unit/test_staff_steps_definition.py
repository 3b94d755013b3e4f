"""`staff_steps:` in a definition: read into staff steps, fields and numbers; each mistake named by its place."""

from __future__ import annotations

import shutil

import pytest

from portal.domain.catalogue import DefinitionError, load_catalogue
from portal.domain.catalogue.samples import load_samples
from portal.domain.catalogue.staff_steps import unfilled
from tests.service_roots import FIXTURE_ROOT, edit_yaml

SLUG = "signboard-permit"
SOURCE = f"services/{SLUG}/service.yaml"


@pytest.fixture
def services(tmp_path):
    root = tmp_path / "services"
    shutil.copytree(FIXTURE_ROOT, root)
    return root


def edit(root, change, file="service.yaml"):
    edit_yaml(root / SLUG / file, change)


def inspection(data):
    return data["staff_steps"][0]


def test_staff_steps_are_read_with_their_fields_numbers_and_what_the_applicant_sees(services):
    service = load_catalogue(services).get(SLUG)
    step = service.staff_steps[0]
    assert step.id == "inspection" and step.roles == ("phnom-penh-capital.clerk",) and step.states == ("submitted",)
    assert [f.id for f in step.fields] == ["register_number", "inspection_result", "inspector_note"]
    assert step.shown == {"register_number", "permit_number"}
    (number,) = step.sequences
    assert (number.assign_on, number.sequence) == ("approve", "SIGN/")
    assert number.number(2026, 123) == "SIGN/2026/000123"
    assert service.workflow.transitions[0].requires == ("inspection",)
    assert service.field("register_number") is None  # not an applicant's question


def test_a_required_staff_field_left_empty_is_unfilled(services):
    step = load_catalogue(services).get(SLUG).staff_steps[0]
    assert unfilled(step, {}, {}) == ["register_number", "inspection_result"]
    assert unfilled(step, {"register_number": "R-1", "inspection_result": "passed"}, {}) == []


def _number(data, **changes):
    field = inspection(data)["fields"][3]
    field.update(changes)
    for key in [k for k, v in changes.items() if v is None]:
        del field[key]


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: inspection(d).update(roles=["phnom-penh-capital.cashier"]),
     "staff_steps[0].roles[0]: unknown role 'cashier'"),
    (lambda d: inspection(d).update(roles=["moc.clerk"]),
     "staff_steps[0].roles[0]: 'moc' is not one of this service's agencies"),
    (lambda d: inspection(d).update(roles=["applicant"]), "staff_steps[0].roles[0]: a staff step is for staff"),
    (lambda d: inspection(d).update(states=["inspected"]), "staff_steps[0].states[0]: unknown state 'inspected'"),
    (lambda d: inspection(d).update(states=["approved"]), "staff_steps[0].states[0]: 'approved' is terminal"),
    (lambda d: _number(d, assign_on=None), "staff_steps[0].fields[3].assign_on: is required"),
    (lambda d: _number(d, assign_on="aprove"), "staff_steps[0].fields[3].assign_on: unknown transition 'aprove'"),
    (lambda d: _number(d, format="SIGN/{year}"), "staff_steps[0].fields[3].format: needs {number} once"),
    (lambda d: _number(d, format="SIGN/{yr}/{number}"), "staff_steps[0].fields[3].format: only {year} and"),
    (lambda d: _number(d, format="{number}"), "staff_steps[0].fields[3].sequence: is required when the format"),
    (lambda d: _number(d, id="register_number"), "staff_steps[0].fields[3].id: 'register_number' is used twice"),
    (lambda d: inspection(d)["fields"][0].update(id="sign_text"),
     "staff_steps[0].fields[0].id: 'sign_text' is used twice in this service"),
    (lambda d: d["staff_steps"].append(dict(inspection(d), fields=[])),
     "staff_steps[1].id: 'inspection' is the id of another staff step"),
    (lambda d: inspection(d)["fields"][2].update(type="file"), "staff_steps[0].fields[2].type: a file field cannot"),
    (lambda d: inspection(d)["fields"][2].update(show_when="colour == 'red'"),
     "staff_steps[0].fields[2].show_when: unknown field 'colour'"),
    (lambda d: inspection(d)["fields"][0].update(colour="red"),
     "staff_steps[0].fields[0].colour: unknown key 'colour'"),
    (lambda d: d["steps"][1]["fields"].append(
        {"id": "serial", "type": "sequence", "label": {"km": "លេខ", "en": "Number"}}),
     "steps[1].fields[2].type: a sequence is assigned by the portal: only a staff step may have one"),
    (lambda d: d["workflow"]["transitions"][0].update(requires=["inspecton"]),
     "workflow.transitions[0].requires[0]: unknown staff step 'inspecton'"),
    (lambda d: d["workflow"]["transitions"][0].update(guards=["inspection_reslt == 'passed'"]),
     "workflow.transitions[0].guards[0]: unknown field 'inspection_reslt'"),
    (lambda d: d["steps"][1]["fields"][0].update(show_when="inspection_result == 'passed'"),
     "steps[1].fields[0].show_when: unknown field 'inspection_result'"),
])
def test_a_broken_staff_step_names_file_path_and_problem(services, change, message):
    edit(services, change)
    with pytest.raises(DefinitionError) as raised:
        load_catalogue(services)
    assert f"{SOURCE}: {message}" in str(raised.value)


def test_documents_and_guards_may_name_staff_fields(services):
    service = load_catalogue(services).get(SLUG)
    assert service.outputs["permit"].data["permit_number"].names == {"permit_number"}


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["staff_steps"].update(inspecton={}), "staff_steps.inspecton: unknown key 'inspecton'"),
    (lambda d: d["staff_steps"]["inspection"].update(permit_number="X"),
     "staff_steps.inspection.permit_number: unknown key 'permit_number'"),
    (lambda d: d.pop("staff_steps"), "staff_steps: needs sample answers for 'inspection'"),
])
def test_broken_sample_staff_answers_name_file_path_and_problem(services, change, message):
    edit(services, change, "samples.yaml")
    service = load_catalogue(services).get(SLUG)
    with pytest.raises(DefinitionError) as raised:
        load_samples(services, service)
    assert f"services/{SLUG}/samples.yaml: {message}" in str(raised.value)
