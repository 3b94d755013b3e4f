"""Field kinds live in one registry: every kind has every capability, a new kind is one class and
one line, and the loader names the kinds it knows from that registry."""

from __future__ import annotations

import inspect
import json
import re
import shutil
from decimal import Decimal
from functools import partial
from pathlib import Path

import pytest
from flask import render_template_string
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.domain.applications.display import display
from portal.domain.catalogue import DefinitionError, load_catalogue
from portal.domain.catalogue.model import Field, Step
from portal.domain.fields.builder import build_step_form, step_answers
from portal.domain.fields.definition_fields import clean_integer
from portal.domain.fields.kinds import KINDS, FieldKind, InputKind, kind_of
from portal.domain.fields.values import expression_values
from portal.domain.i18n.formatting import digits
from portal.domain.rendering.documents import document_filters, render_html
from portal.paths import PROJECT_ROOT
from portal.web.helpers import posted_form
from tests.service_roots import edit_definition as edit
from tests.unit.definition_fixture import SERVICE, options, text

RENDER = '{% from "components/definition_step.html" import render_step %}{{ render_step(form, step, locale) }}'


def spec_of(kind: str) -> Field:
    """A field of `kind` with everything any kind may need: options, a group's fields, bounds."""
    return Field("answer", kind, text("The answer", "ចម្លើយ"), options=options("a", "b", "c"), min=Decimal(0),
                 max=Decimal(1000), currencies=("KHR", "USD"), min_items=1, max_items=3,
                 fields=(Field("name", "khmer_name", text("Name", "ឈ្មោះ"), required=True),
                         Field("share", "integer", text("Share", "ភាគហ៊ុន"), min=Decimal(1), max=Decimal(100))))


class TestEveryKindInTheRegistry:
    @pytest.mark.parametrize("name", KINDS)
    def test_is_a_field_kind_with_nothing_left_abstract(self, name):
        kind = KINDS[name]
        assert issubclass(kind, FieldKind) and not inspect.isabstract(kind), f"{name}: {kind.__abstractmethods__}"
        assert kind.widget in ("input", "money", "address", "document", "group")

    @pytest.mark.parametrize("name", KINDS)
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                     HealthCheck.function_scoped_fixture])
    @given(data=st.data())
    def test_builds_its_field_shows_types_and_documents_any_answer_its_strategy_draws(self, app, name, data):
        spec = spec_of(name)
        kind = kind_of(spec)
        answer = data.draw(kind.answers(), label="answer")
        assert json.loads(json.dumps(answer)) == answer, "a saved answer is JSON"
        step = Step("one", text("One"), (spec,))
        with app.test_request_context("/?lang=km"):
            form = build_step_form(SERVICE, step, {spec.id: answer}, "km")
            assert form[spec.id].kind.spec is spec
            render_template_string(RENDER, form=form, step=step, locale="km")
            for locale in ("km", "en"):
                shown = display(spec, answer, locale)
                assert isinstance(shown, str) and shown.strip()
            assert kind.typed(answer) is not None
            if kind.document_filter:
                filters = document_filters()
                for locale in ("km", "en"):
                    written = filters[f"{locale}_{kind.document_filter}"](answer)
                    assert isinstance(written, str) and written.strip()


# --- a new kind: one class here, one line in the registry (the `kinds` fixture), nothing else ----


class PercentKind(InputKind):
    """A whole per cent, 0 to 100, shown with its sign."""

    input_attributes = {"inputmode": "numeric"}
    document_filter = "percent"

    def cleaner(self, label, locale):
        return partial(clean_integer, label=label, minimum=Decimal(0), maximum=Decimal(100))

    def typed(self, value):
        return None if value in (None, "") else Decimal(str(value))

    def display(self, value, locale):
        return self.document(value, locale)

    @classmethod
    def document(cls, value, locale, *args):
        return digits(f"{value} %", locale)

    def answers(self):
        return st.integers(0, 100)


STALL_SHARE = """
slug: stall-share
version: 1
status: live
audience: [citizen]
agencies: [phnom-penh-capital]
category: business
title: {km: ចំណែកតូប, en: Stall share}
summary: {km: ចំណែកតូប, en: Share a stall}
eligibility: {km: អ្នកលក់ដូរ, en: Traders}
requirements: [{km: អត្តសញ្ញាណប័ណ្ណ, en: ID card}]
processing_time: {working_days: 1}
fees: []
legal_basis: {km: សេចក្តីសម្រេច, en: A decision}
steps:
  - id: share
    title: {km: ចំណែក, en: Share}
    fields:
      - {id: share, type: percent, required: true, label: {km: ចំណែក, en: Your share}}
workflow:
  start: submitted
  states:
    submitted: {label: {km: បានដាក់ពាក្យ, en: Submitted}, actor: phnom-penh-capital.clerk, sla_working_days: 1}
    done: {label: {km: រួចរាល់, en: Done}, terminal: true, issue: [note]}
  transitions:
    - {action: finish, label: {km: បញ្ចប់, en: Finish}, from: submitted, to: done, roles: [phnom-penh-capital.clerk]}
outputs:
  note:
    template: note.html
    title: {km: កំណត់ចំណាំ, en: Note}
    data: {share: share}
"""


@pytest.fixture
def services(tmp_path) -> Path:
    """A services root holding only the tiny `stall-share` service."""
    root = tmp_path / "services"
    root.mkdir()
    for name in ("agencies.yaml", "categories.yaml"):
        shutil.copy(PROJECT_ROOT / "tests" / "fixtures" / "services" / name, root / name)
    (root / "stall-share").mkdir()
    (root / "stall-share" / "service.yaml").write_text(STALL_SHARE, encoding="utf-8")
    (root / "stall-share" / "note.html").write_text("{{ share|km_percent }} / {{ share|en_percent }}",
                                                    encoding="utf-8")
    return root


@pytest.fixture
def kinds(monkeypatch):
    monkeypatch.setitem(KINDS, "percent", PercentKind)  # the one line


@pytest.fixture
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    app.config["WTF_CSRF_ENABLED"] = True


@pytest.mark.usefixtures("no_csrf")
class TestANewKind:
    def test_is_refused_by_the_loader_until_it_is_in_the_registry(self, services):
        with pytest.raises(DefinitionError, match=r"steps\[0\]\.fields\[0\]\.type: 'percent' is not one of text, "):
            load_catalogue(services)

    def test_walks_through_the_loader_the_form_the_summary_the_values_and_a_document(self, app, services, kinds):
        service = load_catalogue(services).get("stall-share")
        step = service.steps[0]
        spec = step.fields[0]
        with app.test_request_context("/?lang=km", method="POST", data={"share": "១២"}):
            form = build_step_form(service, step, {}, "km", posted=posted_form())
            assert form.validate()
            answers = step_answers(form, step)
            page = render_template_string(RENDER, form=form, step=step, locale="km")
        assert answers == {"share": 12}
        assert 'inputmode="numeric"' in page
        assert display(spec, 12, "km") == "១២ %" and display(spec, 12, "en") == "12 %"
        values = expression_values(service, answers)
        assert values["share"] == Decimal(12)
        saved_path, app.config["SERVICES_PATH"] = app.config["SERVICES_PATH"], services
        app.extensions.pop("pdf_templates", None)
        try:
            with app.app_context():
                html, _folder = render_html("stall-share/note.html", {"share": output_value(service, values)})
        finally:
            app.config["SERVICES_PATH"] = saved_path
            app.extensions.pop("pdf_templates", None)
        assert html == "១២ % / 12 %"

    def test_refuses_what_its_cleaning_refuses_with_a_message(self, app, services, kinds):
        service = load_catalogue(services).get("stall-share")
        step = service.steps[0]
        with app.test_request_context("/?lang=en", method="POST", data={"share": "120"}):
            form = build_step_form(service, step, {}, "en", posted=posted_form())
            assert not form.validate()
        assert form.errors == {"share": ["“Your share” must be 100 or less"]}


def output_value(service, values):
    expression = service.outputs["note"].data["share"]
    return format(expression.evaluate(values), "f")


# --- the loader and the registry -------------------------------------------------------------


@pytest.fixture
def shipped(tmp_path) -> Path:
    root = tmp_path / "shipped"
    shutil.copytree(PROJECT_ROOT / "services", root)
    return root


class TestTheLoader:
    @pytest.mark.parametrize("registered", [False, True])
    def test_refuses_an_unknown_kind_naming_the_known_ones_from_the_registry(self, shipped, monkeypatch,
                                                                              registered):
        if registered:
            monkeypatch.setitem(KINDS, "percent", PercentKind)
        edit(shipped, "tax-filing", lambda d: d["steps"][0]["fields"][0].update(type="colour"))
        with pytest.raises(DefinitionError) as refused:
            load_catalogue(shipped)
        message = str(refused.value)
        assert re.search(r"steps\[0\]\.fields\[0\]\.type: 'colour' is not one of ", message)
        assert message.endswith(", ".join(KINDS))
        assert ("percent" in message) is registered

    def test_says_which_kinds_take_options_and_fields(self, shipped):
        edit(shipped, "tax-filing", lambda d: d["steps"][0]["fields"][0].update(options=[]))
        with pytest.raises(DefinitionError, match="only choice and multi_choice fields have options, not "):
            load_catalogue(shipped)
        edit(shipped, "tax-filing", lambda d: (d["steps"][0]["fields"][0].pop("options"),
                                               d["steps"][0]["fields"][0].update(fields=[])))
        with pytest.raises(DefinitionError, match="only group fields have fields"):
            load_catalogue(shipped)


SOURCES = ["portal/domain/fields/builder.py", "portal/domain/fields/values.py", "portal/domain/applications/display.py",
           "portal/domain/catalogue/loader.py", "portal/domain/rendering/documents.py",
           "templates/components/definition_step.html"]
# A field's type compared with a name: `spec.type == "group"`, `kind in ("money", ...)`, `{% if kind == "date" %}`.
BRANCH = re.compile(r"""(\.type|\bkind|field_type)\s*(==|!=|\bin\b|\bnot in\b)\s*[("'\[]""")


@pytest.mark.parametrize("path", SOURCES)
def test_the_modules_that_handle_fields_ask_the_registry_instead_of_testing_a_type_name(path):
    source = (PROJECT_ROOT / path).read_text(encoding="utf-8")
    assert not [line.strip() for line in source.splitlines() if BRANCH.search(line)]
