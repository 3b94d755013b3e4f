"""Issue 15, item 8: every name the loader lets an expression of some use name (forms, fees, documents,
guards, outputs) is among the values the portal evaluates that expression on. The names come from the
declaration (`portal.domain.expression_contexts`), not from a list in this test: a name added to a use
is checked here with no change to the test."""

from __future__ import annotations

import shutil

import pytest

from portal.data.db import db
from portal.domain.applications import display, journey, naming, transitions
from portal.domain.catalogue import get_catalogue
from portal.domain.catalogue.expressions import Expression
from portal.domain.expression_contexts import GUARDS, USES, names_seen
from portal.domain.fields import builder
from portal.domain.workflow import engine
from portal.payments import assessments
from tests.every_name import SLUG, naming_every_name, rewrite
from tests.service_roots import FIXTURE_ROOT, services_root

ANSWERS = {"name_km": "សុខ ចាន់ធី", "name_latin": "Sok Chanthy", "national_id": "012345678",
           "phone": "+85512345678", "market": "olympic", "stall_number": "B12", "goods": "clothes",
           "months": 3, "equity_card": "yes", "declaration": True}


@pytest.fixture
def every_name_root(tmp_path):
    root = tmp_path / "services"
    shutil.copytree(FIXTURE_ROOT, root)
    rewrite(root, [(use, naming_every_name(use)) for use in USES])
    return root


@pytest.fixture
def seen(monkeypatch):
    """{expression source: the names of every set of values it was evaluated on}."""
    found: dict[str, list[frozenset[str]]] = {}
    evaluate = Expression.evaluate

    def recording(self, values):
        found.setdefault(self.source, []).append(frozenset(values))
        return evaluate(self, values)

    monkeypatch.setattr(Expression, "evaluate", recording)
    return found


def test_each_use_is_evaluated_with_every_name_it_may_name(app, factories, every_name_root, seen):
    with services_root(app, every_name_root, sync_agencies=True):
        service = get_catalogue().get(SLUG)
        application = journey.start(service, factories.person(name_km="សុខ ចាន់ធី"))
        application.answers = dict(ANSWERS)
        application.state = service.workflow.start
        db.session.flush()
        answers = application.answers
        steps = journey.visible_steps(service, answers)
        # The forms: the step page, the summary, what is missing, the name staff see.
        with app.test_request_context():
            builder.build_step_form(service, service.steps[2], answers, "en")
        display.summary(service, steps, answers, "en")
        display.missing(service, steps, answers, set())
        naming.subject_names(service, application)
        # The fees, the documents asked for, the guards on the case page, an issued document.
        assessments.assess(service, application)
        display.documents_needed(service, answers)
        clerk = engine.Actor.staff(1, {(service.agencies[0], "clerk")})
        assert engine.available_actions(service, transitions.snapshot(service, application), clerk)
        transitions.request_document(service, application, service.outputs["permit"])
        db.session.rollback()

    for use in USES:
        evaluations = [names for source, each in seen.items() if naming_every_name(use) in source for names in each]
        assert evaluations, f"no expression of {use.id} was evaluated"
        for names in evaluations:
            assert names_seen(use) <= names, f"{use.id}: missing {sorted(names_seen(use) - names)}"


def test_a_guard_reads_the_facts_of_the_case(app, factories, every_name_root):
    """Not only present: the guard sees what the case says (here, a business applies)."""
    with services_root(app, every_name_root, sync_agencies=True):
        service = get_catalogue().get(SLUG)
        owner = factories.person()
        application = journey.start(service, owner, organisation=factories.business(owner=owner))
        application.answers = dict(ANSWERS)
        application.state = service.workflow.start
        application.paid = True
        db.session.flush()
        snapshot = transitions.snapshot(service, application)
        assert set(snapshot.facts) == names_seen(GUARDS)
        assert snapshot.facts["applicant"] == {"kind": "organisation"} and snapshot.facts["paid"] is True
        db.session.rollback()
