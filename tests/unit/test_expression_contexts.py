"""Issue 15, item 8: each kind of expression (forms, fees, documents, guards, outputs) may name the answers,
the computed values and exactly the names `portal.domain.expression_contexts` says it sees; the loader
refuses any other name at its place and says what that kind of expression knows."""

from __future__ import annotations

import re
import shutil

import pytest
import yaml

from portal.domain.catalogue import DefinitionError, load_catalogue
from portal.domain.expression_contexts import (
    DOCUMENTS,
    FEES,
    FORMS,
    GUARDS,
    NAMES,
    OUTPUTS,
    USES,
    described,
    names_seen,
)
from portal.paths import PROJECT_ROOT
from tests.every_name import PLACES, SLUG, WHERE, naming_every_name, rewrite
from tests.service_roots import FIXTURE_ROOT


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "services"
    shutil.copytree(FIXTURE_ROOT, root)
    return root


def load_with(root, changes) -> object:
    rewrite(root, changes)
    return load_catalogue(root).get(SLUG)


def test_every_use_has_its_place_in_the_test():
    assert {use.id for use in USES} == set(PLACES) == set(WHERE)


def test_each_use_may_name_every_name_it_sees(root):
    service = load_with(root, [(use, naming_every_name(use)) for use in USES])
    assert service.workflow.transitions[0].guard_expressions[0].names >= names_seen(GUARDS)
    assert service.outputs["permit"].data["seen"].names >= names_seen(OUTPUTS)


@pytest.mark.parametrize("use", USES, ids=lambda u: u.id)
def test_a_name_the_use_does_not_see_is_refused_where_it_is_written(root, use):
    unseen = sorted({n.name for n in NAMES} - names_seen(use)) or ["fees_total"]
    expression = naming_every_name(use, unseen[0])
    message = f"services/{SLUG}/service.yaml: {WHERE[use.id]}: unknown field {unseen[0]!r}"
    with pytest.raises(DefinitionError, match=re.escape(message)) as refused:
        load_with(root, [(use, expression)])
    assert described(use) in str(refused.value)


@pytest.mark.parametrize(("use", "name"), [
    (FEES, "fees_total"), (GUARDS, "fees_total"), (FORMS, "applicant"), (FEES, "applicant"),
    (DOCUMENTS, "paid"), (OUTPUTS, "agency"), (OUTPUTS, "paid"),
], ids=lambda x: getattr(x, "id", x))
def test_the_names_nothing_ever_provided_are_refused(root, use, name):
    """They loaded before issue 15 and were always empty when evaluated: a rule on them was never true."""
    with pytest.raises(DefinitionError, match=re.escape(f"unknown field {name!r}")):
        load_with(root, [(use, f"{name} != null")])


def test_the_message_says_what_the_use_knows(root):
    with pytest.raises(DefinitionError) as refused:
        load_with(root, [(GUARDS, "fees_total > 0")])
    assert str(refused.value) == (
        f"services/{SLUG}/service.yaml: workflow.transitions[0].guards[0]: unknown field 'fees_total' in "
        "'fees_total > 0' (in a transition's guards only the answers, the computed values and applicant, "
        "documents_checked, paid, today are known)")


@pytest.mark.parametrize("name", sorted(n.name for n in NAMES))
def test_an_answer_may_not_take_a_name_the_portal_provides(root, name):
    path = root / SLUG / "service.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["steps"][1]["fields"][2]["id"] = name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DefinitionError, match=re.escape(
            f"steps[1].fields[2].id: {name!r} is a name the portal provides to expressions")):
        load_catalogue(root)


def test_every_expression_is_evaluated_on_the_values_of_its_use():
    """The runtime builds values only through `values_for(use, ...)`: a call of the lower
    `expression_values` elsewhere would hand some use values the declaration did not promise."""
    callers = [str(path.relative_to(PROJECT_ROOT)) for path in (PROJECT_ROOT / "portal").rglob("*.py")
               if "expression_values(" in path.read_text(encoding="utf-8")]
    assert callers == ["portal/domain/fields/values.py"]
