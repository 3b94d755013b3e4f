"""The contract of a field kind. Read `FieldKind` before adding one."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

from portal.domain.fields.definition_fields import REQUIRED, CleanedField, say
from portal.domain.i18n.formatting import pick

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

# A service definition's objects as `portal.domain.catalogue.model` makes them (`Field`, `Step`,
# `Service`). Named here, not imported: the catalogue's loader asks the kinds what a definition may
# say, and the domain's packages import each other one way only (the contracts in pyproject.toml).
FieldSpec: TypeAlias = Any
StepSpec: TypeAlias = Any
ServiceSpec: TypeAlias = Any

BLANK = (None, "", [], {})
NOT_GIVEN = object()  # what `initial` returns for a saved answer that does not fit the field any more
Posted: TypeAlias = list[tuple[str, str]]  # (input name, text) pairs, as a browser posts a form


class WrongShape(ValueError):
    """An answer given as JSON (the API) that no input of its field could hold: a list for a text, a
    number for an address. `pointer` is where, under the field (JSON Pointer, "" for the field itself)."""

    def __init__(self, pointer: str = "") -> None:
        super().__init__(pointer)
        self.pointer = pointer


def pointer_part(key: str) -> str:
    """A key as one part of a JSON Pointer (RFC 6901): "~" and "/" escaped."""
    return str(key).replace("~", "~0").replace("/", "~1")


def scalar_text(value: Any) -> str:
    """A JSON scalar as the text a person would have typed; anything else is `WrongShape`."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise WrongShape
    return str(value)


class FieldKind(ABC):
    """One kind of field a service definition can ask for (`type: money`), in every place a field
    of that kind appears: the definition, the form, the answers, the summary, the documents and
    the property tests.

    A kind is a class, made for one field of a definition: `kind_of(spec)` gives
    `KINDS[spec.type](spec)`, where `spec` is the definition's `Field`. To add a kind, subclass
    `FieldKind` (or `InputKind` for one text input whose text is cleaned into a value), implement
    the abstract methods, and add one line to `KINDS` in `portal.domain.fields.kinds` (and a field of
    the new kind to `tests/unit/definition_fixture.py`, which covers every kind). Nothing else changes: the
    loader accepts the new `type`, the step form builds it, the summary shows it, the documents and
    the expressions read it, and `tests/unit/test_field_kinds.py` checks it has every capability below.
    `answer` and `value_of` (reading the bound field back) and `typed`, `initial` have defaults for
    a single input; a composite kind overrides them.

    What a definition may say (class attributes; the loader checks them):
      `takes_options`  the field must list `options` (and no other kind may);
      `takes_fields`   the field must list `fields`, asked once per item (and no other kind may);
      `in_groups`      it may be one of a group's fields;
      `counts`         a fee may be charged `per` item of it (its value is a number or a list).
      `many`           its answer is a list (of options, of items), not one value.
    Other keys (`min`, `max_length`, `pattern`, ...) are read for every kind into the `Field`; a
    kind uses those it understands.

    The form (`portal.domain.fields.builder`):
      `form_field(label, common, locale, documents)`  the unbound WTForms field; abstract;
      `required_always`  required whatever the definition says (a declaration);
      `prepare(field, values, locale, saved, submitted)`  fill what depends on the answers
        (place lists, documents, group items) once the field is bound;
      `initial(value)`  a saved answer in the shape the field takes, or `NOT_GIVEN`;
      `answer(field, lenient)`  the validated field's value as JSON;
      `posted(name, value)`  an answer given as JSON (the API) as the inputs a browser would post, so
        that it is checked by the very same form (`builder.posted_answers`);
      `widget`, `input_attributes`, `default_hint`  how `components/definition_step.html` renders it.
    The values:
      `typed(value)`  what expressions and documents see for a saved answer (numbers as Decimal).
    People:
      `display(value, locale)`  the answer written out for a person, in km or en; abstract;
      `in_summary`  shown in the summary of answers.
    Documents:
      `document_filter`  a name: document templates get the filters `km_<name>` and `en_<name>`,
        which call `document(value, locale, ...)`.
    Tests:
      `answers()`  a hypothesis strategy of well-formed saved answers for this field; abstract.
    """

    takes_options: ClassVar[bool] = False
    takes_fields: ClassVar[bool] = False
    in_groups: ClassVar[bool] = True
    counts: ClassVar[bool] = False
    many: ClassVar[bool] = False  # the answer is a list (of options or of items), not one value
    required_always: ClassVar[bool] = False
    in_summary: ClassVar[bool] = True
    widget: ClassVar[str] = "input"  # "input", or the macro of a composite: money, address, document, group
    input_attributes: ClassVar[Mapping[str, str]] = {}  # type, inputmode, autocomplete, lang, class_
    default_hint: ClassVar[Any] = None  # shown when the definition gives no hint
    document_filter: ClassVar[str | None] = None

    def __init__(self, spec: FieldSpec) -> None:
        self.spec = spec

    # --- the form ---------------------------------------------------------------------------------

    @abstractmethod
    def form_field(self, label: str, common: dict, locale: str, documents: tuple[tuple[str, str], ...]):
        """The unbound WTForms field. `common` holds the label and the description (the hint);
        `documents` are the person's documents, (public_id, name) pairs, for file inputs."""

    def prepare(self, field, values: dict, locale: str, saved: Any, submitted: Any) -> None:
        """Called once the field is bound and shown; `saved` is the saved answer (for a field in a
        group, the list of its answers in every item), `submitted` what was just posted, read leniently.
        Most kinds have nothing to fill."""
        return

    def initial(self, value: Any) -> Any:
        """A saved answer (not None) as the form's data; `NOT_GIVEN` if it does not fit."""
        if isinstance(value, (str, int, Decimal)) and not isinstance(value, bool):
            return str(value)
        return NOT_GIVEN

    def answer(self, field, lenient: bool) -> Any:
        """The bound field's value as JSON, after validation. Lenient (for conditions while the
        page is being filled in): a field with errors is None."""
        if lenient and field.errors:
            return None
        return self.value_of(field, lenient)

    def posted(self, name: str, value: Any) -> Posted:
        """`value` (JSON, in the shape `answer` gives; not None) as the (input name, text) pairs a browser
        posts for this field under `name`. Raises `WrongShape` when no input of the kind could hold it."""
        return [(name, scalar_text(value))]

    def value_of(self, field, lenient: bool) -> Any:
        value = field.data
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return format(value, "f")
        return value if value is None or isinstance(value, (str, int)) else None

    # --- values, people, documents ----------------------------------------------------------------

    def show(self, value: Any, locale: str) -> str:
        """`display`, or nothing for a blank answer."""
        return "" if value in BLANK else self.display(value, locale)

    def typed(self, value: Any) -> Any:
        """The answer as expressions see it; blank is None."""
        return None if value in (None, "") else value

    @abstractmethod
    def display(self, value: Any, locale: str) -> str:
        """A saved answer (not blank) written out for a person. Never raises: an answer saved under
        an older definition may not fit; show it as it is."""

    @classmethod
    def document(cls, value: Any, locale: str, *args: Any) -> str:
        """The filter `<locale>_<document_filter>` of document templates."""
        return "" if value is None else str(value)

    # --- tests ------------------------------------------------------------------------------------

    @abstractmethod
    def answers(self) -> SearchStrategy:
        """Hypothesis: well-formed saved answers of this field (imported here: a test dependency)."""


class InputKind(FieldKind):
    """One text input whose text `clean(...)` turns into the value, or refuses with a message."""

    input_class: ClassVar[type] = CleanedField

    @abstractmethod
    def cleaner(self, label: str, locale: str):
        """The function that takes what was typed and returns the value or raises ValidationError."""

    def form_field(self, label, common, locale, documents):
        return self.input_class(clean=self.cleaner(label, locale), required_message=say(REQUIRED, label=label),
                                **common)

    def display(self, value, locale):
        return str(value)


def option_label(spec: FieldSpec, value: Any, locale: str) -> str:
    label = spec.option_label(value)
    return pick(label, locale) if label else str(value)

