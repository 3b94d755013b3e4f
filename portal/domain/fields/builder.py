"""A form for one step of a service, built from the service's definition.

How a step page uses it::

    form = build_step_form(service, step, answers, locale, documents=my_documents)
    if request.method == "POST":
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
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict
from wtforms import Form, FormField, SelectChoice

from portal.domain.applications.values import expression_values
from portal.domain.catalogue.model import Field, Service, Step
from portal.domain.fields import identity
from portal.domain.fields.address import CHOOSE, fill_choices
from portal.domain.fields.definition_fields import (
    CHOICE_INVALID,
    REQUIRED,
    REQUIRED_CHOICE,
    REQUIRED_CHOICES,
    AddressForm,
    CleanedField,
    CleanedTextArea,
    CompositeField,
    DeclarationField,
    DocumentForm,
    GroupField,
    MoneyForm,
    MultiCheckboxField,
    OptionRadioField,
    OptionSelectField,
    check_length,
    clean_date,
    clean_integer,
    clean_number,
    clean_text,
    say,
    with_messages,
)
from portal.domain.i18n.formatting import current_locale, pick
from portal.domain.identity import contacts as contact

RADIO_LIMIT = 5  # more options than this are a select
EARLIER_DOCUMENT = _l("A file you gave before")
_FIELD_ID = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


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
        step, service, answers = self._definition
        merged = {**answers, **_step_answers(self, step.fields, lenient=True)}
        problems = apply_rules(step, merged, service=service)
        for field_id, message in problems.items():
            _add_error(self, field_id, message)
        return not problems


# Field ids become attribute names of the form: they must not hide what a form has already.
RESERVED_IDS = frozenset(name for name in dir(StepForm) if not name.startswith("__")) | {
    "csrf_token", "form_errors", "refresh"}
_RESERVED_IN_ITEMS = frozenset(name for name in dir(Form) if not name.startswith("__")) | {"form_errors"}


def build_step_form(service: Service, step: Step, answers: dict, locale: str, *,
                    documents: Iterable[tuple[str, str]] = ()) -> StepForm:
    """The form for `step`: bound to the submitted data in a POST request, else filled from
    `answers`. Labels, hints and option names are in `locale`; `documents` are the person's
    documents ((public_id, name) pairs) offered beside each file input."""
    _check_ids(step.fields, RESERVED_IDS)
    answers = dict(answers or {})
    documents = tuple((str(public_id), str(name)) for public_id, name in documents)
    form_class = _form_class(step, locale, documents)
    posted = _posted_data()
    submitted: dict = {}
    if posted is not None and _has_conditions(step.fields):
        # Which fields are shown can depend on what was just typed on this very page: read it
        # leniently first (every field optional, mistakes as None), then build the real form.
        draft = form_class(formdata=posted, meta={"csrf": False})
        for field in draft:
            if field.name != "csrf_token":
                field.validate(draft)
        submitted = _step_answers(draft, step.fields, lenient=True)
    if posted is not None:
        form = form_class(formdata=posted)
    else:
        form = form_class(formdata=None, data=_initial_data(step.fields, answers))
    form._definition = (step, service, answers)
    form._values = _values(service, {**answers, **submitted})
    form._locale = locale
    for spec in step.fields:
        _prepare(form, spec, form._values, locale, answers.get(spec.id), submitted.get(spec.id))
    return form


def step_answers(form: StepForm, step: Step) -> dict[str, Any]:
    """The step's answers as JSON values, after `form.validate()` said yes: strings, ints,
    decimals as strings, dates as `YYYY-MM-DD`, money as `{amount, currency}`, addresses as
    `{province, district, commune, village, street}`, groups as lists of dicts, files as a
    document public id (or None), a declaration as true; hidden fields as None."""
    return _step_answers(form, step.fields, lenient=False)


def apply_rules(step: Step, answers: dict, *, service: Service | None = None) -> dict[str, str]:
    """{field id: message} for the step's cross-field rules that do not hold, in the current
    language. Numbers and amounts are compared as numbers: those of this step always, those of
    other steps when `service` is given. Rules about a field that is hidden are not checked."""
    values = _values(service, answers) if service is not None else _typed(step.fields, answers)
    problems: dict[str, str] = {}
    hidden = {f.id for f in step.fields if f.show_when is not None and not f.show_when.is_true(values)}
    for rule in step.rules:
        if rule.field not in hidden and rule.field not in problems and not rule.check.is_true(values):
            problems[rule.field] = pick(rule.message, current_locale())
    return problems


def handle_group_buttons(form: StepForm, step: Step) -> bool:
    """Act on the buttons that work without JavaScript: "Add another" (`add:<group>`), "Remove"
    (`remove:<group>:<item index>`) and the address lists' "Update the lists" (`refresh`).
    True when one was pressed: the page is then shown again, without errors and without saving."""
    if not has_request_context() or request.method != "POST":
        return False
    pressed = next((key for key in request.form if key == "refresh" or key.startswith(("add:", "remove:"))), None)
    if pressed is None:
        return False
    action, _sep, target = pressed.partition(":")
    if action == "add":
        group = form._fields.get(target)
        if isinstance(group, GroupField) and len(group.entries) < group.maximum:
            entry = group.append_entry()
            saved = form._definition[2].get(target)
            _prepare_item(entry, group.spec, form._values, form._locale, saved if isinstance(saved, list) else [])
    elif action == "remove":
        name, _sep, index = target.rpartition(":")
        group = form._fields.get(name)
        if (isinstance(group, GroupField) and index.isdigit() and int(index) < len(group.entries)
                and len(group.entries) > group.minimum):
            group.pop_entry(int(index))
    return True


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


def _check_ids(fields: Sequence[Field], reserved: frozenset[str]) -> None:
    for spec in fields:
        # WTForms also calls a form's `validate_<id>` method, if there is one, to check field <id>.
        if not _FIELD_ID.fullmatch(spec.id) or spec.id in reserved or f"validate_{spec.id}" in reserved:
            raise ValueError(f"field id {spec.id!r} cannot be used in a form: choose another id "
                             "(letters, digits and _, and not a name forms use themselves)")
        if spec.type == "group":
            if any(inner.type == "group" for inner in spec.fields):
                raise ValueError(f"group {spec.id!r}: a group inside a group is not supported")
            _check_ids(spec.fields, _RESERVED_IN_ITEMS)


def _posted_data():
    if not has_request_context() or request.method != "POST":
        return None
    # Built here rather than by Flask-WTF, which would also read a JSON body as form data.
    return CombinedMultiDict((request.files, request.form))


def _has_conditions(fields: Sequence[Field]) -> bool:
    return any(f.show_when is not None or f.required_when is not None or _has_conditions(f.fields) for f in fields)


def _form_class(step: Step, locale: str, documents: tuple[tuple[str, str], ...]) -> type[StepForm]:
    attributes = {spec.id: _unbound(spec, locale, documents) for spec in step.fields}
    return type("StepForm", (StepForm,), attributes)


def _unbound(spec: Field, locale: str, documents: tuple[tuple[str, str], ...]):
    """The (unbound) WTForms field for one field of the definition."""
    label = pick(spec.label, locale)
    common = {"label": label, "description": pick(spec.hint, locale) if spec.hint else ""}
    kind = spec.type
    if kind in _CLEANERS:
        field_class = CleanedTextArea if kind == "textarea" else CleanedField
        return field_class(clean=_CLEANERS[kind](spec, label, locale), required_message=say(REQUIRED, label=label),
                           **common)
    if kind == "choice":
        field_class = OptionRadioField if len(spec.options) <= RADIO_LIMIT else OptionSelectField
        choices = [SelectChoice(o.value, pick(o.label, locale)) for o in spec.options]
        if field_class is OptionSelectField:
            choices.insert(0, SelectChoice("", str(CHOOSE)))
        return field_class(choices=choices, required_message=say(REQUIRED_CHOICE, label=label),
                           invalid_message=say(CHOICE_INVALID, label=label), **common)
    if kind == "multi_choice":
        return MultiCheckboxField(choices=[SelectChoice(o.value, pick(o.label, locale)) for o in spec.options],
                                  required_message=say(REQUIRED_CHOICES, label=label),
                                  invalid_message=say(CHOICE_INVALID, label=label), **common)
    if kind == "declaration":
        return DeclarationField(**common)
    if kind == "money":
        subform = type("MoneyForm", (MoneyForm,), {"label": label, "currencies": spec.currencies or ("KHR",),
                                                    "minimum": spec.min, "maximum": spec.max})
        return CompositeField(subform, **common)
    if kind == "address":
        return CompositeField(AddressForm, **common)
    if kind == "file":
        subform = type("DocumentForm", (DocumentForm,), {"label": label, "accept": spec.accept,
                                                          "max_mb": spec.max_mb, "documents": documents})
        return CompositeField(subform, **common)
    if kind == "group":
        item = type("GroupItemForm", (Form,), {inner.id: _unbound(inner, locale, documents) for inner in spec.fields})
        # One more item than allowed is read, so that a forged request hears "too many" rather
        # than losing items silently; more than that are not even built.
        return GroupField(FormField(item), max_entries=spec.max_items + 1,
                          min_entries=_minimum_items(spec), **common)
    raise ValueError(f"field {spec.id!r}: unknown field type {kind!r}")


def _minimum_items(spec: Field) -> int:
    return max(spec.min_items, 1 if spec.required else 0)


def _text_cleaner(spec: Field, label: str, locale: str, multiline: bool = False):
    return partial(clean_text, label=label, multiline=multiline, min_length=spec.min_length,
                   max_length=spec.max_length, pattern=spec.pattern,
                   pattern_message=pick(spec.pattern_message, locale) if spec.pattern_message else None)


def _name_cleaner(clean):
    def cleaner(spec: Field, label: str, locale: str):
        def cleaned(value: object) -> str:
            return check_length(clean(value), label=label, min_length=spec.min_length, max_length=spec.max_length)
        return cleaned
    return cleaner


# field type -> (spec, label, locale) -> the function that cleans what was typed
_CLEANERS = {
    "text": _text_cleaner,
    "textarea": partial(_text_cleaner, multiline=True),
    "khmer_name": _name_cleaner(identity.clean_khmer_name),
    "latin_name": _name_cleaner(identity.clean_latin_name),
    "national_id": lambda spec, label, locale: identity.clean_national_id,
    "phone": lambda spec, label, locale: with_messages(contact.parse_phone, contact.ContactError),
    "email": lambda spec, label, locale: with_messages(contact.parse_email, contact.ContactError),
    "integer": lambda spec, label, locale: partial(clean_integer, label=label, minimum=spec.min, maximum=spec.max),
    "number": lambda spec, label, locale: partial(clean_number, label=label, minimum=spec.min, maximum=spec.max),
    "date": lambda spec, label, locale: partial(clean_date, label=label, not_in_future=spec.not_in_future,
                                                not_in_past=spec.not_in_past),
}


def _prepare(form: Form, spec: Field, values: dict, locale: str, saved: Any, submitted: Any) -> None:
    """Drop the field if its `show_when` is false; otherwise tell it whether it is required and
    fill the lists that depend on the answers (places, documents, group items)."""
    if spec.show_when is not None and not spec.show_when.is_true(values):
        del form[spec.id]
        values[spec.id] = None  # a hidden field's leftover answer must not steer the fields after it
        return
    field = form[spec.id]
    field.spec = spec
    field.required = spec.type == "declaration" or spec.required or (
        spec.required_when is not None and spec.required_when.is_true(values))
    if not isinstance(field, (CompositeField, GroupField)):
        field.flags.required = field.required
    if spec.type == "address":
        fill_choices(field.form, locale)
    elif spec.type == "file":
        _offer_saved_documents(field.form, saved if isinstance(saved, list) else [saved])
    elif spec.type == "group":
        field.minimum = _minimum_items(spec)
        field.maximum = spec.max_items
        saved_items = saved if isinstance(saved, list) else []
        items = submitted if isinstance(submitted, list) else saved_items
        for index, entry in enumerate(field.entries):
            item = items[index] if index < len(items) and isinstance(items[index], dict) else {}
            _prepare_item(entry, spec, values, locale, saved_items, item)


def _prepare_item(entry: FormField, group: Field, values: dict, locale: str, saved_items: list,
                  item: dict | None = None) -> None:
    item_values = {**values, **_typed(group.fields, item or {})}
    for inner in group.fields:
        # Items move when one is removed: any document given in any item stays choosable in each.
        saved = [i.get(inner.id) for i in saved_items if isinstance(i, dict)] if inner.type == "file" else None
        _prepare(entry.form, inner, item_values, locale, saved, None)


def _offer_saved_documents(upload: DocumentForm, saved: list) -> None:
    """A document already given stays choosable, even if it is not among the person's own
    (a business's document, say): the answer came from us, not from the request."""
    offered = {c.value for c in upload.existing.choices}
    for public_id in saved:
        if isinstance(public_id, str) and public_id and public_id not in offered:
            upload.existing.choices = [*upload.existing.choices, SelectChoice(public_id, str(EARLIER_DOCUMENT))]
            offered.add(public_id)


def _initial_data(fields: Sequence[Field], answers: dict) -> dict:
    """The saved answers in the shapes the fields take; anything unexpected is left out."""
    data: dict[str, Any] = {}
    for spec in fields:
        value = answers.get(spec.id)
        if value is None:
            continue
        kind = spec.type
        if kind in ("money", "address"):
            if isinstance(value, dict):
                data[spec.id] = {k: v for k, v in value.items() if isinstance(v, (str, int)) and k != "meta"}
        elif kind == "file":
            if isinstance(value, str):
                data[spec.id] = {"existing": value}
        elif kind == "group":
            if isinstance(value, list):
                data[spec.id] = [_initial_data(spec.fields, item) for item in value[: spec.max_items]
                                 if isinstance(item, dict)]
        elif kind == "multi_choice":
            if isinstance(value, list):
                data[spec.id] = [str(v) for v in value]
        elif kind == "declaration":
            data[spec.id] = value is True
        elif isinstance(value, (str, int, Decimal)) and not isinstance(value, bool):
            data[spec.id] = str(value)
    return data


# --- reading answers --------------------------------------------------------------------------


def _step_answers(form: Form, fields: Sequence[Field], lenient: bool) -> dict[str, Any]:
    return {spec.id: _answer(form[spec.id], spec, lenient) if spec.id in form else None for spec in fields}


def _answer(field, spec: Field, lenient: bool) -> Any:
    """One field's value as JSON. Lenient (for conditions): a field with errors is None."""
    if isinstance(field, GroupField):
        return [_step_answers(entry.form, spec.fields, lenient) for entry in field.entries]
    if lenient and field.errors:
        return None
    if isinstance(field, CompositeField):
        subform = field.form
        return subform.answer(lenient) if isinstance(subform, DocumentForm) else subform.answer()
    if isinstance(field, DeclarationField):
        return True if field.data else None
    if isinstance(field, MultiCheckboxField):
        return list(field.data or [])
    value = field.data
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if value is None or isinstance(value, (str, int)):
        return value
    return None


def _add_error(form: StepForm, field_id: str, message: str) -> None:
    field = form._fields.get(field_id)
    if isinstance(field, CompositeField):
        field = field.first_input
    if field is None or isinstance(field, GroupField):
        form.form_errors.append(message)
    else:
        field.errors = [*field.errors, message]


# --- values for conditions --------------------------------------------------------------------


def _values(service: Service | None, answers: dict) -> dict:
    return expression_values(service, answers) if service is not None else dict(answers)


def _typed(fields: Sequence[Field], answers: dict) -> dict:
    """`answers`, with the numbers and amounts of `fields` as Decimals, for comparisons."""
    values = dict(answers)
    for spec in fields:
        value = answers.get(spec.id)
        try:
            if spec.type in ("integer", "number") and isinstance(value, (str, int)) and value != "":
                values[spec.id] = Decimal(str(value))
            elif spec.type == "money" and isinstance(value, dict) and value.get("amount") not in (None, ""):
                values[spec.id] = {**value, "amount": Decimal(str(value["amount"]))}
            elif spec.type == "group" and isinstance(value, list):
                values[spec.id] = [_typed(spec.fields, item) for item in value if isinstance(item, dict)]
        except InvalidOperation:
            values[spec.id] = None
    return values
