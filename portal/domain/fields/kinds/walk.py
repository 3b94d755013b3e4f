"""What is done to a list of fields, field by field, asking each its kind: the step form and each
item of a group both go through here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from portal.domain.fields.definition_fields import CompositeField, GroupField
from portal.domain.fields.kinds.base import NOT_GIVEN, FieldKind, FieldSpec
from portal.domain.i18n.formatting import pick

if TYPE_CHECKING:
    from wtforms import Form


def kind_of(spec: FieldSpec) -> FieldKind:
    """The kind of one field of a definition, made for it."""
    # Imported here: the registry imports every kind, and the group kind walks its own fields.
    from portal.domain.fields.kinds import KINDS

    kind = KINDS.get(spec.type)
    if kind is None:
        raise ValueError(f"field {spec.id!r}: unknown field type {spec.type!r}; one of {', '.join(KINDS)}")
    return kind(spec)


def unbound(spec: FieldSpec, locale: str, documents: tuple[tuple[str, str], ...]):
    """The (unbound) WTForms field for one field of the definition."""
    label = pick(spec.label, locale)
    common = {"label": label, "description": pick(spec.hint, locale) if spec.hint else ""}
    return kind_of(spec).form_field(label, common, locale, documents)


def prepare(form: Form, spec: FieldSpec, values: dict, locale: str, saved: Any, submitted: Any) -> None:
    """Drop the field if its `show_when` is false; otherwise tell it its kind and whether it is
    required, and let the kind fill what depends on the answers (places, documents, group items).

    A dropped field is not checked or read, but it is kept in `form.hidden_by_condition` so that the
    page can carry it, hidden, for the browser to show as soon as the answer it depends on is chosen;
    every field with a `show_when` gets `condition`, the same condition for the browser (or None)."""
    condition = None
    if spec.show_when is not None:
        hidden = getattr(form, "hidden_by_condition", None)
        on_page = set(form._fields) | set(hidden or ())
        condition = spec.show_when.for_browser(on_page, values)
        if not spec.show_when.is_true(values):
            field = form[spec.id]
            del form[spec.id]
            values[spec.id] = None  # a hidden field's leftover answer must not steer the fields after it
            if hidden is None:
                form.hidden_by_condition = hidden = {}
            hidden[spec.id] = field
            _describe(field, spec, values, locale, saved, submitted, condition, shown_later=True)
            return
    _describe(form[spec.id], spec, values, locale, saved, submitted, condition, shown_later=False)


def _describe(field, spec: FieldSpec, values: dict, locale: str, saved: Any, submitted: Any,
              condition: dict | None, shown_later: bool) -> None:
    kind = kind_of(spec)
    field.spec = spec
    field.kind = kind  # the step template renders it as its kind says
    field.condition = condition
    # A field shown only later is marked as it will be once its condition holds.
    field.required = kind.required_always or spec.required or (
        spec.required_when is not None and (shown_later or spec.required_when.is_true(values)))
    if not isinstance(field, (CompositeField, GroupField)):
        field.flags.required = field.required
    kind.prepare(field, values, locale, saved, submitted)


def initial_data(fields: Sequence[FieldSpec], answers: dict) -> dict:
    """The saved answers in the shapes the fields take; anything unexpected is left out."""
    data: dict[str, Any] = {}
    for spec in fields:
        value = answers.get(spec.id)
        if value is not None:
            shaped = kind_of(spec).initial(value)
            if shaped is not NOT_GIVEN:
                data[spec.id] = shaped
    return data


def read_answers(form: Form, fields: Sequence[FieldSpec], lenient: bool) -> dict[str, Any]:
    """The answers of `form` as JSON; a field not in the form (hidden) is None."""
    return {spec.id: kind_of(spec).answer(form[spec.id], lenient) if spec.id in form else None for spec in fields}


def typed_answers(fields: Sequence[FieldSpec], answers: dict) -> dict[str, Any]:
    """The answers to `fields` as expressions see them (numbers and amounts as Decimals)."""
    return {spec.id: kind_of(spec).typed(answers.get(spec.id)) for spec in fields}
