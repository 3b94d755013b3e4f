"""Whom an issued document is about (an output's `subject`, catalogue.subjects): read and checked by the loader
with the place of each mistake, worked out when the document is asked for, refused by the worker when empty."""

from __future__ import annotations

import logging
import shutil

import pytest

from portal.domain.catalogue import DefinitionError, load_catalogue, subjects
from portal.domain.catalogue.expressions import parse
from portal.domain.catalogue.model import Output
from portal.paths import PROJECT_ROOT
from tests.service_roots import edit_definition

WHERE = "services/residence-certificate/service.yaml: outputs.certificate.subject"


@pytest.fixture
def services(tmp_path):
    root = tmp_path / "services"
    shutil.copytree(PROJECT_ROOT / "services", root)
    return root


def _with_subject(root, subject):
    edit_definition(root, "residence-certificate", lambda data: data["outputs"]["certificate"].update(subject=subject))
    return load_catalogue(root).get("residence-certificate").outputs["certificate"]


def test_one_expression_names_the_subject_in_both_languages(services):
    output = _with_subject(services, "name_latin")
    assert [e.source for e in output.subject["km"]] == [e.source for e in output.subject["en"]] == ["name_latin"]


def test_an_expression_per_language(services):
    output = _with_subject(services, {"km": "name_km", "en": ["name_latin", "reference"]})
    assert [e.source for e in output.subject["km"]] == ["name_km"]
    assert [e.source for e in output.subject["en"]] == ["name_latin", "reference"]


def test_without_subject_the_holder_is_as_before(services):
    assert load_catalogue(services).get("residence-certificate").outputs["certificate"].subject is None


@pytest.mark.parametrize(("subject", "message"), [
    ("child_name", f"{WHERE}: unknown field 'child_name'"),
    ({"km": "name_km", "en": "fees_total"}, f"{WHERE}.en: "),
    ({"km": "name_km", "en": "name_latin +"}, f"{WHERE}.en: bad expression"),
    ({"km": "name_km"}, f"{WHERE}: missing key 'en'"),
    ({"km": "name_km", "en": "name_latin", "fr": "name_latin"}, f"{WHERE}.fr: unknown key 'fr'"),
    ("", f"{WHERE}: expected an expression"),
    (3, f"{WHERE}: expected an expression"),
    ({"km": ["name_km", ""], "en": "name_latin"}, f"{WHERE}.km[1]: expected an expression"),
    (["name_km", "plate"], f"{WHERE}[1]: unknown field 'plate'"),
])
def test_a_wrong_subject_is_refused_at_load_with_its_place(services, subject, message):
    with pytest.raises(DefinitionError) as error:
        _with_subject(services, subject)
    assert str(error.value).startswith(message), str(error.value)


def _output(subject):
    return Output(id="copy", template="copy.html", title={"km": "ច្បាប់ចម្លង", "en": "Copy"}, data={},
                  subject={lang: tuple(map(parse, sources)) for lang, sources in subject.items()})


def test_the_names_travel_in_the_request_and_the_worker_takes_them():
    context = subjects.named(_output({"km": ["plate", "make_km", "colour"], "en": ["plate", "make"]}),
                             {"plate": "2A-1234", "make": "Toyota", "make_km": "តូយ៉ូតា", "colour": None})
    assert subjects.first(context) == "2A-1234 តូយ៉ូតា"
    assert subjects.holder(context, "request 1") == {"km": "2A-1234 តូយ៉ូតា", "en": "2A-1234 Toyota"}
    assert subjects.named(Output(id="c", template="c.html", title={"km": "ក", "en": "C"}, data={}), {}) == {}
    assert subjects.holder({"name_km": "សុខ"}, "request 1") is None


def test_an_empty_name_issues_nothing_and_says_why(caplog):
    context = subjects.named(_output({"km": ["child_km"], "en": ["child_latin"]}),
                             {"child_km": "សុខ បុប្ផា", "child_latin": None})
    with caplog.at_level(logging.ERROR, logger=subjects.__name__), pytest.raises(subjects.SubjectError) as error:
        subjects.holder(context, "document request 7 (x/copy.html)")
    assert "subject gives an empty name in en; nothing was issued" in str(error.value)
    assert any("document request 7" in r.getMessage() for r in caplog.records)
