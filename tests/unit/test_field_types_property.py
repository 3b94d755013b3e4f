"""Whatever is submitted for a field of any type (Khmer, emoji, control characters, huge strings,
forged choices, files where text belongs), the form gives a clean value or a clear message, and
the page still renders: never an exception."""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

import pytest
from flask import render_template_string
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms.validators import ValidationError

from portal.domain.catalogue.model import Step
from portal.domain.fields import definition_fields as fields
from portal.domain.fields.builder import (
    build_step_form,
    handle_group_buttons,
    pending_uploads,
    posted_answers,
    step_answers,
)
from portal.domain.fields.kinds import KINDS
from portal.web.helpers import posted_form
from tests.unit.definition_fixture import FIELDS, SERVICE, a_place_chain, text

RENDER = '{% from "components/definition_step.html" import render_step %}{{ render_step(form, step, locale) }}'
TODAY = date(2026, 11, 26)

KHMER = st.text(alphabet=st.characters(min_codepoint=0x1780, max_codepoint=0x17FF), max_size=80)
DIGITS = st.text(alphabet="0123456789០១២៣៤៥៦៧៨៩ ,.-$៛", max_size=24)
CONTROL = st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "So"]), max_size=20)
HUGE = st.builds(lambda piece, times: piece * times, st.text(min_size=1, max_size=4), st.integers(1000, 30_000))
SPECIAL = st.sampled_from([
    "", " ", "\u200b", "0", "-0", "NaN", "Infinity", "1e9", "1" * 5000, "១" * 40, "🙂", "<script>alert(1)</script>",
    "2026-02-30", "0000-01-01", "31/12/9999", "+855 12 345 678", "a@b", "\x00", "\r\n", "meta", "__class__",
])
# `codec="utf-8"` keeps out lone surrogates, which no browser can send.
ANY_TEXT = st.one_of(st.text(st.characters(codec="utf-8")), KHMER, DIGITS, CONTROL, HUGE, SPECIAL)

BY_TYPE = {spec.type: spec for spec in reversed(FIELDS)}  # the first field of each type


def inputs(spec) -> list[str]:
    """The names the form reads for a field, and its buttons."""
    if spec.type == "money":
        return [f"{spec.id}-amount", f"{spec.id}-currency"]
    if spec.type == "address":
        return [f"{spec.id}-{part}" for part in ("province", "district", "commune", "village", "street")] + [
            "refresh"]
    if spec.type == "file":
        return [f"{spec.id}-existing"]
    if spec.type == "group":
        items = [f"{spec.id}-{i}-{inner}" for i in (0, 1, 7) for inner in ("name", "share", "id_card-existing")]
        return [*items, f"add:{spec.id}", f"remove:{spec.id}:0", f"remove:{spec.id}:7"]
    return [spec.id]


@pytest.fixture(autouse=True)
def _no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    app.config["WTF_CSRF_ENABLED"] = True


def submit(app, spec, data, lang):
    """Post `data` to a step holding only `spec`; validate, read the answers, render the page."""
    step = Step("one", text("One"), (spec,))
    with app.test_request_context(f"/?lang={lang}", method="POST", data=data) as context:
        form = build_step_form(SERVICE, step, {}, lang, documents=[("doc1", "mine.pdf")], posted=posted_form())
        handle_group_buttons(form, step)
        valid = form.validate()
        for upload in pending_uploads(form):
            upload.attach("doc2", upload.file.filename)
        if valid:
            answers = step_answers(form, step)
            assert json.loads(json.dumps(answers)) == answers
        else:
            messages = _messages(form.errors)
            assert messages and all(isinstance(m, str) and m.strip() for m in messages)
            answers = None
        render_template_string(RENDER, form=form, step=step, locale=lang)
        context.request.environ["wsgi.input"].close()
    return answers


def _messages(errors) -> list:
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in (_messages(value) if isinstance(value, (dict, list)) else [value])]
    return [errors]


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("field_type", tuple(KINDS))
class TestAnyInputForEveryFieldType:
    @PROPERTY
    @given(values=st.lists(ANY_TEXT, min_size=1, max_size=3), lang=st.sampled_from(["en", "km"]),
           data=st.data())
    def test_gives_a_value_or_a_message(self, app, field_type, values, lang, data):
        spec = BY_TYPE[field_type]
        names = inputs(spec)
        posted = MultiDict()
        for name in names:
            for value in data.draw(st.lists(st.sampled_from(values), min_size=0, max_size=2), label=name):
                posted.add(name, value)
        answers = submit(app, spec, posted, lang)
        if answers is not None:
            _check_shape(spec, answers[spec.id])

    @PROPERTY
    @given(content=st.binary(max_size=2048) | st.sampled_from([b"%PDF-1.4\n%%EOF", b"\x89PNG\r\n\x1a\n"]),
           name=ANY_TEXT.filter(lambda n: len(n) < 300))
    def test_a_file_sent_to_any_of_its_inputs_is_handled(self, app, field_type, content, name):
        spec = BY_TYPE[field_type]
        targets = [*inputs(spec), f"{spec.id}-upload", f"{spec.id}-0-id_card-upload"]
        submit(app, spec, {target: (io.BytesIO(content), name or "file") for target in targets}, "en")

    @PROPERTY
    @given(saved=st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | ANY_TEXT.filter(lambda t: len(t) < 100),
        lambda children: st.lists(children, max_size=3) | st.dictionaries(
            st.sampled_from(["amount", "currency", "province", "street", "name", "share", "meta", "x"]), children,
            max_size=3),
        max_leaves=8,
    ))
    def test_any_saved_answer_shows_a_page(self, app, field_type, saved):
        """Answers saved by an older version of a definition may not fit the field any more."""
        spec = BY_TYPE[field_type]
        step = Step("one", text("One"), (spec,))
        with app.test_request_context("/?lang=km"):
            form = build_step_form(SERVICE, step, {spec.id: saved}, "km")
            render_template_string(RENDER, form=form, step=step, locale="km")


def _check_shape(spec, value) -> None:
    kind = spec.type
    if value is None:
        assert not spec.required and kind not in ("group", "multi_choice", "declaration")
    elif kind in ("text", "textarea", "khmer_name", "latin_name"):
        assert value == value.strip() and len(value) <= (spec.max_length or fields.TEXTAREA_MAX)
        assert not any(fields._bad_character(c) for c in value if c != "\n")
    elif kind == "integer":
        assert isinstance(value, int) and spec.min <= value <= spec.max
    elif kind == "number":
        assert spec.min <= Decimal(value) <= spec.max
    elif kind == "money":
        assert value["currency"] in spec.currencies and Decimal(value["amount"]) >= 0
        assert value["currency"] != "KHR" or "." not in value["amount"]
    elif kind == "date":
        assert date.fromisoformat(value).isoformat() == value
    elif kind == "choice":
        assert value in {o.value for o in spec.options}
    elif kind == "multi_choice":
        assert set(value) <= {o.value for o in spec.options}
    elif kind == "phone":
        assert value.startswith("+855") and value[1:].isdigit()
    elif kind == "email":
        assert "@" in value and value == value.lower()
    elif kind == "national_id":
        assert value.isdigit() and value.isascii() and len(value) in (9, 10)
    elif kind == "address":
        assert len(value) == 5 and value["village"]
    elif kind == "file":
        assert value in ("doc1", "doc2")
    elif kind == "group":
        assert spec.min_items <= len(value) <= spec.max_items
        for item in value:
            for inner in spec.fields:
                _check_shape(inner, item[inner.id])
    elif kind == "declaration":
        assert value is True


class TestValidInputIsKeptWhateverTheDigits:
    @settings(max_examples=200, deadline=None)
    @given(st.integers(0, 120), st.booleans())
    def test_integers_in_khmer_or_latin_digits(self, app, value, khmer):
        typed = str(value).translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")) if khmer else str(value)
        assert submit(app, BY_TYPE["integer"], {"years": typed}, "km") == {"years": value}

    @settings(max_examples=200, deadline=None)
    @given(st.integers(0, 10**12), st.sampled_from(["KHR", "USD"]), st.integers(0, 99))
    def test_amounts(self, app, whole, currency, cents):
        typed = f"{whole:,}" + (f".{cents:02d}" if currency == "USD" else "")
        answers = submit(app, BY_TYPE["money"], {"capital-amount": typed, "capital-currency": currency}, "en")
        assert Decimal(answers["capital"]["amount"]) == Decimal(typed.replace(",", ""))

    @settings(max_examples=100, deadline=None)
    @given(st.dates(date(1900, 1, 1), TODAY))
    def test_past_dates(self, app, day):
        assert submit(app, BY_TYPE["date"], {"started": day.isoformat()}, "en") == {"started": day.isoformat()}

    def test_a_whole_address(self, app):
        province, district, commune, village = a_place_chain()
        data = {"address-province": province, "address-district": district, "address-commune": commune,
                "address-village": village}
        assert submit(app, BY_TYPE["address"], data, "km")["address"]["village"] == village


CLEANERS = {
    "text": lambda v: fields.clean_text(v, label="X", max_length=50, pattern=r"[A-Za-z ]*"),
    "textarea": lambda v: fields.clean_text(v, label="X", multiline=True),
    "integer": lambda v: fields.clean_integer(v, label="X", minimum=Decimal(-5), maximum=Decimal(5)),
    "number": lambda v: fields.clean_number(v, label="X"),
    "riel": lambda v: fields.clean_amount(v, "KHR", label="X"),
    "dollars": lambda v: fields.clean_amount(v, "USD", label="X", maximum=Decimal(100)),
    "date": lambda v: fields.clean_date(v, label="X", not_in_future=True, today=TODAY),
}


@pytest.mark.parametrize("cleaner", CLEANERS)
class TestTheCleanersAlone:
    @pytest.fixture(autouse=True)
    def _page(self, app):
        with app.test_request_context("/?lang=km"):
            yield

    @settings(max_examples=500, deadline=None)
    @given(ANY_TEXT)
    def test_give_a_value_or_a_validation_error(self, cleaner, value):
        try:
            cleaned = CLEANERS[cleaner](value)
        except ValidationError as error:
            assert isinstance(error.args[0], str) and error.args[0]
        else:
            assert cleaned is not None
            # What they give back, they accept again unchanged.
            again = cleaned.isoformat() if isinstance(cleaned, date) else format(cleaned, "f") if isinstance(
                cleaned, Decimal) else str(cleaned)
            assert CLEANERS[cleaner](again) == cleaned


ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT.filter(lambda t: len(t) < 200),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["amount", "currency", "province", "district", "street", "name", "share", "x"]), children,
        max_size=3),
    max_leaves=10,
)


@pytest.mark.parametrize("field_type", tuple(KINDS))
class TestAnswersGivenAsJson:
    """The API's answers go through `posted_answers` into the very form the page uses (issue 17)."""

    @PROPERTY
    @given(data=st.data(), lang=st.sampled_from(["en", "km"]))
    def test_a_well_formed_answer_comes_back_as_itself(self, app, field_type, data, lang):
        spec = BY_TYPE[field_type]
        answer = data.draw(KINDS[field_type](spec).answers(), label="answer")
        if field_type == "file":
            answer = "doc1"  # one of the documents the form offers
        posted, wrong = posted_answers(Step("one", text("One"), (spec,)), {spec.id: answer})
        assert wrong == {}
        given = submit(app, spec, posted, lang)
        # A generated saved answer may break the field's own limits (a date in the future where it may not be,
        # a document not offered): the form then says so, as it would to a person. What it takes comes back whole.
        assume(given is not None)
        assert given == {spec.id: answer}

    @PROPERTY
    @given(value=ANY_JSON, lang=st.sampled_from(["en", "km"]))
    def test_any_json_gives_a_value_a_message_or_a_named_wrong_shape(self, app, field_type, value, lang):
        spec = BY_TYPE[field_type]
        posted, wrong = posted_answers(Step("one", text("One"), (spec,)), {spec.id: value, "not_a_field": 1})
        assert wrong.get("/not_a_field") == "unknown"
        assert all(pointer.startswith(f"/{spec.id}") for pointer in set(wrong) - {"/not_a_field"})
        answers = submit(app, spec, posted, lang)
        if answers is not None:
            _check_shape(spec, answers[spec.id])
