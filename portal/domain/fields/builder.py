"""A form for one step of a service, built from the service's definition.

How a step page uses it::

    form = build_step_form(service, step, answers, locale, documents=my_documents, posted=posted)
    if posted is not None:                     # the route passes what was posted, or None
        if handle_group_buttons(form, step):   # "Add another", "Remove", "Update the lists"
            return render(form), 200           # shown again, nothing saved
        valid = form.validate()                # fields, then the step's cross-field rules
        for upload in pending_uploads(form):   # files that passed the form's own checks
            try:
                document = store.add_upload(...)
            except UploadRefused as refused:
                upload.refuse(refusal_message(refused))
                valid = False
            else:
                upload.attach(document.public_id, document.original_name)
        if valid:
            save(step_answers(form, step))
        else:
            return render(form), 400

`answers` are the application's saved answers (JSON, as `step_answers` makes them). Fields whose
`show_when` is false are not in the form at all: not shown, not checked, and None in
`step_answers`, so that saving clears an answer that no longer applies. Whatever a person (or a
forged request) sends, validation ends in values or in messages in the page's language, never
in an exception; the hypothesis tests in `tests/unit/test_field_types_property.py` hold it to that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import Form

from portal.domain.expression_contexts import FORMS
from portal.domain.fields.definition_fields import CompositeField, DocumentForm, GroupField
from portal.domain.fields.kinds import kind_of
from portal.domain.fields.kinds.base import FieldSpec, ServiceSpec, StepSpec, WrongShape, pointer_part
from portal.domain.fields.kinds.walk import initial_data, prepare, read_answers, typed_answers, unbound
from portal.domain.fields.values import values_for
from portal.domain.i18n.formatting import current_locale, pick

FIELD_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


class StepForm(FlaskForm):
    """The form of one step. `validate()` checks the fields, then the step's cross-field rules;
    messages about a group's number of items and rules without a place of their own are in
    `form_errors`, which the error summary lists."""

    def validate(self, extra_validators=None) -> bool:
        self.form_errors = []
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field, GroupField):
                self.form_errors.extend(field.group_errors)
        if not valid:
            return False
        if getattr(self, "_draft", False):
            return True  # a draft keeps what is well-formed; the step's rules are for "Save and continue"
        step, service, answers = self._definition
        merged = {**answers, **read_answers(self, step.fields, lenient=True)}
        problems = apply_rules(step, merged, service=service)
        for field_id, message in problems.items():
            _add_error(self, field_id, message)
        return not problems


# Field ids become attribute names of the form: they must not hide what a form has already.
RESERVED_IDS = frozenset(name for name in dir(StepForm) if not name.startswith("__")) | {
    "csrf_token", "form_errors", "refresh"}
_RESERVED_IN_ITEMS = frozenset(name for name in dir(Form) if not name.startswith("__")) | {"form_errors"}


def build_step_form(service: ServiceSpec, step: StepSpec, answers: dict, locale: str, *,
                    documents: Iterable[tuple[str, str]] = (), posted=None, csrf: bool = True) -> StepForm:
    """The form for `step`: bound to `posted` (the submitted form fields and files, as the route read
    them from the request; None when nothing was posted), else filled from `answers`. Labels, hints
    and option names are in `locale`; `documents` are the person's documents ((public_id, name) pairs)
    offered beside each file input. `csrf=False` only for callers no browser can be tricked into
    (the API, authorised by a bearer token rather than a cookie)."""
    _check_ids(step.fields, RESERVED_IDS)
    answers = dict(answers or {})
    documents = tuple((str(public_id), str(name)) for public_id, name in documents)
    form_class = _form_class(step, locale, documents, service)
    submitted: dict = {}
    if posted is not None and _has_conditions(step.fields):
        # Which fields are shown can depend on what was just typed on this very page: read it
        # leniently first (every field optional, mistakes as None), then build the real form.
        draft = form_class(formdata=posted, meta={"csrf": False})
        for field in draft:
            if field.name != "csrf_token":
                field.validate(draft)
        submitted = read_answers(draft, step.fields, lenient=True)
    if posted is not None:
        form = form_class(formdata=posted, **({} if csrf else {"meta": {"csrf": False}}))
    else:
        form = form_class(formdata=None, data=initial_data(step.fields, answers))
    form._posted = posted
    form._definition = (step, service, answers)
    form._values = _values(service, {**answers, **submitted})
    form._locale = locale
    for spec in step.fields:
        prepare(form, spec, form._values, locale, answers.get(spec.id), submitted.get(spec.id))
    return form


def step_answers(form: StepForm, step: StepSpec) -> dict[str, Any]:
    """The step's answers as JSON values, after `form.validate()` said yes: strings, ints,
    decimals as strings, dates as `YYYY-MM-DD`, money as `{amount, currency}`, addresses as
    `{province, district, commune, village, street}`, groups as lists of dicts, files as a
    document public id (or None), a declaration as true; hidden fields as None."""
    return read_answers(form, step.fields, lenient=False)


def posted_answers(step: StepSpec, given: dict) -> tuple[MultiDict, dict[str, str]]:
    """Answers given as JSON (the API: `{field id: value}`, values in the shapes `step_answers` gives) as
    the form data a browser would post for the step, so that the very same form checks them. Also
    {JSON Pointer: reason} for what cannot be posted at all: "unknown" (not a field of the step) or
    "shape" (a value no input of the field could hold)."""
    fields = {spec.id: spec for spec in step.fields}
    posted: MultiDict = MultiDict()
    wrong: dict[str, str] = {}
    for field_id, value in given.items():
        spec = fields.get(field_id)
        if spec is None:
            wrong[f"/{pointer_part(field_id)}"] = "unknown"
        elif value is not None:
            try:
                posted.update(kind_of(spec).posted(field_id, value))
            except WrongShape as shape:
                wrong[f"/{field_id}{shape.pointer}"] = "shape"
    return posted, wrong


def errors_by_place(form: StepForm) -> list[tuple[str | None, str]]:
    """After `validate()`: each message with the JSON Pointer of its answer ("/owners/0/name_km", "/turnover");
    None for a message about the step as a whole."""
    found: list[tuple[str | None, str]] = []
    placed: set[str] = set()
    for field in form:
        if field.name == "csrf_token":
            continue
        pointer = f"/{field.name}"
        if isinstance(field, GroupField):
            found += [(pointer, str(message)) for message in field.group_errors]
            placed.update(str(message) for message in field.group_errors)
            for index, entry in enumerate(field.entries):
                for inner in entry.form:
                    found += _messages(inner, f"{pointer}/{index}/{inner.name.rsplit('-', 1)[-1]}")
        else:
            found += _messages(field, pointer)
    found += [(None, str(message)) for message in form.form_errors if str(message) not in placed]
    return found


def _messages(field, pointer: str) -> list[tuple[str, str]]:
    """A field's messages at `pointer`; a composite's (money, address) at its parts: "/turnover/amount"."""
    if isinstance(field, CompositeField) and not isinstance(field.form, DocumentForm):
        return [(f"{pointer}/{inner.name.rsplit('-', 1)[-1]}", str(message))
                for inner in field.form for message in inner.errors]
    if isinstance(field, CompositeField):  # a file: one answer, the document's id
        return [(pointer, str(message)) for inner in field.form for message in inner.errors]
    return [(pointer, str(message)) for message in field.errors]


def hidden_answers(form: StepForm, given: dict) -> list[str]:
    """JSON Pointers of the answers given to questions the other answers hide (on the step or in a group's
    items): the API refuses them rather than dropping them unsaid."""
    found = [f"/{field_id}" for field_id in getattr(form, "hidden_by_condition", {}) if given.get(field_id) is not None]
    for field in form:
        items = given.get(field.name)
        if isinstance(field, GroupField) and isinstance(items, list):
            for index, entry in enumerate(field.entries):
                item = items[index] if index < len(items) and isinstance(items[index], dict) else {}
                found += [f"/{field.name}/{index}/{inner_id}"
                          for inner_id in getattr(entry.form, "hidden_by_condition", {})
                          if item.get(inner_id) is not None]
    return found


def apply_rules(step: StepSpec, answers: dict, *, service: ServiceSpec | None = None) -> dict[str, str]:
    """{field id: message} for the step's cross-field rules that do not hold, in the current
    language. Numbers and amounts are compared as numbers: those of this step always, those of
    other steps when `service` is given. Rules about a field that is hidden are not checked."""
    values = _values(service, answers) if service is not None else {**answers, **typed_answers(step.fields, answers)}
    problems: dict[str, str] = {}
    hidden = {f.id for f in step.fields if f.show_when is not None and not f.show_when.is_true(values)}
    for rule in step.rules:
        if rule.field not in hidden and rule.field not in problems and not rule.check.is_true(values):
            problems[rule.field] = pick(rule.message, current_locale())
    return problems


def handle_group_buttons(form: StepForm, step: StepSpec) -> bool:
    """Act on the buttons that work without JavaScript: "Add another" (`add:<group>`), "Remove"
    (`remove:<group>:<item index>`) and the address lists' "Update the lists" (`refresh`).
    True when one was pressed: the page is then shown again, without errors and without saving."""
    if form._posted is None:
        return False
    pressed = next((key for key in form._posted if key == "refresh" or key.startswith(("add:", "remove:"))), None)
    if pressed is None:
        return False
    action, _sep, target = pressed.partition(":")
    if action == "add":
        group = form._fields.get(target)
        if isinstance(group, GroupField) and len(group.entries) < group.maximum:
            entry = group.append_entry()
            saved = form._definition[2].get(target)
            group.kind.prepare_item(entry, form._values, form._locale, saved if isinstance(saved, list) else [])
    elif action == "remove":
        name, _sep, index = target.rpartition(":")
        group = form._fields.get(name)
        if (isinstance(group, GroupField) and index.isdigit() and int(index) < len(group.entries)
                and len(group.entries) > group.minimum):
            group.pop_entry(int(index))
    return True


def newly_shown(form: StepForm) -> list:
    """The follow-up questions the person has not seen yet: shown now because of an answer just
    given on this page, sent without their `_shown` marker (the page had them hidden and no script
    showed them) and without an answer. Their messages are dropped: the page asks them instead of
    calling them mistakes, and each is marked `newly_shown` for the page."""
    if form._posted is None:
        return []
    seen = set(form._posted.getlist("_shown"))
    found = [field for field in _conditional_fields(form)
             if field.name not in seen and not _answered(form._posted, field.name)]
    saved = form._definition[2]
    for field in found:
        field.newly_shown = True
        _forget_errors(field)
        if field.name in saved:
            # Nothing of it was sent (it was hidden): show the saved or prefilled answer it would have had.
            field.process(None, data=initial_data([field.spec], saved).get(field.name))
    if found:
        for group in (f for f in form if isinstance(f, GroupField)):
            # A group keeps a copy of its items' messages, taken when it was checked.
            item_errors = [entry.errors for entry in group.entries]
            group.errors = [*(item_errors if any(item_errors) else []), *group.group_errors]
    return found


def relax_for_draft(form: StepForm) -> None:
    """"Save and continue later": nothing is required and the step's rules wait, but what was given
    must still be well-formed (a date that is a date), so that a draft never holds what a page could
    not show again."""
    form._draft = True
    for field in _all_fields(form):
        field.required = False
        if hasattr(field, "flags"):
            field.flags.required = False
        if isinstance(field, GroupField):
            field.minimum = 0


def _all_fields(form: Form):
    for field in form:
        yield field
        if isinstance(field, GroupField):
            for entry in field.entries:
                yield from _all_fields(entry.form)


def _conditional_fields(form: Form):
    return [field for field in _all_fields(form)
            if getattr(getattr(field, "spec", None), "show_when", None) is not None]


def _answered(posted, name: str) -> bool:
    for key in posted:
        if key == name or key.startswith(name + "-"):
            for value in posted.getlist(key):
                if getattr(value, "filename", None) or (isinstance(value, str) and value.strip()):
                    return True
    return False


def _forget_errors(field) -> None:
    if isinstance(field, CompositeField):
        for inner in field.form:  # the field's own errors are its subform's
            inner.errors = []
    elif isinstance(field, GroupField):
        field.group_errors = []
        for entry in field.entries:
            for inner in entry.form:
                _forget_errors(inner)
        field.errors = []
    else:
        field.errors = []


def pending_uploads(form: Form) -> list[DocumentForm]:
    """The file inputs that received a file which passed the form's checks and is not stored
    yet. Store each (`upload.file`), then `upload.attach(public_id, name)` or `upload.refuse(message)`."""
    found: list[DocumentForm] = []
    for field in form:
        if isinstance(field, GroupField):
            for entry in field.entries:
                found.extend(pending_uploads(entry.form))
        elif isinstance(field, CompositeField) and isinstance(field.form, DocumentForm):
            upload = field.form
            if upload.file is not None and not upload.attached and not upload.upload.errors:
                found.append(upload)
    return found


# --- building -----------------------------------------------------------------------------------


def _check_ids(fields: Sequence[FieldSpec], reserved: frozenset[str]) -> None:
    for spec in fields:
        # WTForms also calls a form's `validate_<id>` method, if there is one, to check field <id>.
        if not FIELD_ID.fullmatch(spec.id) or spec.id in reserved or f"validate_{spec.id}" in reserved:
            raise ValueError(f"field id {spec.id!r} cannot be used in a form: choose another id "
                             "(letters, digits and _, and not a name forms use themselves)")
        if kind_of(spec).takes_fields:
            if any(kind_of(inner).takes_fields for inner in spec.fields):
                raise ValueError(f"group {spec.id!r}: a group inside a group is not supported")
            _check_ids(spec.fields, _RESERVED_IN_ITEMS)


def _has_conditions(fields: Sequence[FieldSpec]) -> bool:
    return any(f.show_when is not None or f.required_when is not None or _has_conditions(f.fields) for f in fields)


# Form classes already built, per (service version, step, languages, documents offered): building one
# walks every field kind and translates every label, a few percent of a step page. The labels are in
# `locale` and WTForms' own messages in the request's language, so both are in the key. A kept class
# is used only for the very Step object it was built from (versions are parsed once per process and
# kept, versions.py), so a step parsed again, or one without a content hash, is simply built again.
_FORM_CLASSES: dict[tuple, tuple[StepSpec, type[StepForm]]] = {}
FORM_CLASSES_KEPT = 512


def _form_class(step: StepSpec, locale: str, documents: tuple[tuple[str, str], ...],
                service: ServiceSpec | None = None) -> type[StepForm]:
    content_hash = getattr(service, "content_hash", None)
    key = (getattr(service, "slug", None), content_hash, step.id, locale, current_locale(), documents)
    kept = _FORM_CLASSES.get(key) if content_hash else None
    if kept is not None and kept[0] is step:
        return kept[1]
    attributes = {spec.id: unbound(spec, locale, documents) for spec in step.fields}
    form_class = type("StepForm", (StepForm,), attributes)
    if content_hash:
        if len(_FORM_CLASSES) >= FORM_CLASSES_KEPT:
            _FORM_CLASSES.clear()  # bounded: the people's own documents are part of the key
        _FORM_CLASSES[key] = (step, form_class)
    return form_class


def _add_error(form: StepForm, field_id: str, message: str) -> None:
    field = form._fields.get(field_id)
    if isinstance(field, CompositeField):
        field = field.first_input
    if field is None or isinstance(field, GroupField):
        form.form_errors.append(message)
    else:
        field.errors = [*field.errors, message]


# --- values for conditions --------------------------------------------------------------------


def _values(service: ServiceSpec | None, answers: dict) -> dict:
    return values_for(FORMS, service, answers) if service is not None else dict(answers)


def add_error(form: StepForm, field_id: str, message: str) -> None:
    """Show `message` at the field (or at the top of the form when it has no single input)."""
    _add_error(form, field_id, message)
