"""Several copies of one output (an output's `copies`, catalogue.copies): checked by the loader with its place,
one numbered request per copy when the documents are asked for, and a wrong number refused by the worker."""

from __future__ import annotations

import logging
import shutil
from types import SimpleNamespace

import pytest

from portal.domain.catalogue import DefinitionError, copies, load_catalogue
from portal.domain.catalogue.expressions import parse
from portal.paths import PROJECT_ROOT
from tests.service_roots import edit_definition

WHERE = "services/residence-certificate/service.yaml: outputs.certificate.copies"


@pytest.fixture
def services(tmp_path):
    root = tmp_path / "services"
    shutil.copytree(PROJECT_ROOT / "services", root)
    return root


def _with_copies(root, value):
    edit_definition(root, "residence-certificate", lambda data: data["outputs"]["certificate"].update(copies=value))
    return load_catalogue(root).get("residence-certificate").outputs["certificate"]


def test_a_number_or_an_expression_is_kept(services):
    assert _with_copies(services, 3).copies.source == "3"
    assert copies.read("1 + 1", "x", lambda value, at: parse(value), ValueError).source == "1 + 1"


@pytest.mark.parametrize(("value", "message"), [
    ("copy_count", f"{WHERE}: unknown field 'copy_count'"),
    (0, f"{WHERE}: '0' is not a whole number from 1 to 10"),
    (11, f"{WHERE}: '11' is not a whole number from 1 to 10"),
    ("2.5", f"{WHERE}: '2.5' is not a whole number"),
    ("copies +", f"{WHERE}: bad expression"),
    ([2], f"{WHERE}: expected a whole number from 1 to 10"),
    (True, f"{WHERE}: expected a whole number from 1 to 10"),
])
def test_a_wrong_number_of_copies_is_refused_at_load_with_its_place(services, value, message):
    with pytest.raises(DefinitionError) as error:
        _with_copies(services, value)
    assert str(error.value).startswith(message), str(error.value)


def _output(source):
    return SimpleNamespace(copies=parse(source) if source else None)


def test_one_numbered_request_per_copy():
    assert copies.numbered(_output("n"), {"n": 3}) == [{"_copy": {"number": i, "of": 3}} for i in (1, 2, 3)]
    assert copies.of({"_copy": {"number": 2, "of": 3}}, "request 1") == (2, 3)


def test_one_copy_or_no_copies_key_is_one_document_not_numbered():
    assert copies.numbered(_output("n"), {"n": 1}) == [{}]
    assert copies.numbered(_output(None), {}) == [{}]
    assert copies.of({"name_km": "សុខ"}, "request 1") is None


def test_a_corrected_copy_keeps_its_number():
    assert copies.numbered(_output("n"), {"n": 5}, SimpleNamespace(copy_number=2, copy_count=3)) == \
        [{"_copy": {"number": 2, "of": 3}}]
    assert copies.numbered(_output("n"), {"n": 5}, SimpleNamespace(copy_number=None, copy_count=None)) == [{}]


@pytest.mark.parametrize("given", [None, 0, 11, "2.5", "two"])
def test_a_wrong_number_from_the_answers_issues_nothing_and_says_why(given, caplog):
    (context,) = copies.numbered(_output("n"), {"n": given})
    with caplog.at_level(logging.ERROR, logger=copies.__name__), pytest.raises(copies.CopiesError) as error:
        copies.of(context, "document request 7")
    assert "not a whole number from 1 to 10; nothing was issued" in str(error.value)
