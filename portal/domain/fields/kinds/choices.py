"""Answers chosen, not typed: one of a list (`choice`), any of a list (`multi_choice`), and the
box a person ticks to confirm a declaration."""

from __future__ import annotations

from wtforms import SelectChoice

from portal.domain.fields.address import CHOOSE
from portal.domain.fields.definition_fields import (
    CHOICE_INVALID,
    REQUIRED_CHOICE,
    REQUIRED_CHOICES,
    DeclarationField,
    MultiCheckboxField,
    OptionRadioField,
    OptionSelectField,
    say,
)
from portal.domain.fields.kinds.base import NOT_GIVEN, FieldKind, WrongShape, option_label, scalar_text
from portal.domain.i18n.formatting import pick

RADIO_LIMIT = 5  # more options than this are a select


class ChoiceKind(FieldKind):
    takes_options = True

    def form_field(self, label, common, locale, documents):
        options = self.spec.options
        field_class = OptionRadioField if len(options) <= RADIO_LIMIT else OptionSelectField
        choices = [SelectChoice(o.value, pick(o.label, locale)) for o in options]
        if self.spec.options_from:
            choices = in_reading_order(choices)
        if field_class is OptionSelectField:
            choices.insert(0, SelectChoice("", str(CHOOSE)))
        return field_class(choices=choices, required_message=say(REQUIRED_CHOICE, label=label),
                           invalid_message=say(CHOICE_INVALID, label=label), **common)

    def display(self, value, locale):
        return option_label(self.spec, value, locale)

    def answers(self):
        from hypothesis import strategies as st

        return st.sampled_from([o.value for o in self.spec.options])


def in_reading_order(choices: list[SelectChoice]) -> list[SelectChoice]:
    """A shipped list (`options_from`) is written in the order of its codes, which no reader follows: its
    options are shown by their label in the page's language, with `other` ("Another make") kept last."""
    return sorted(choices, key=lambda c: (c.value == "other", c.label.casefold(), c.value))


class MultiChoiceKind(FieldKind):
    takes_options = True
    many = True

    def form_field(self, label, common, locale, documents):
        return MultiCheckboxField(choices=[SelectChoice(o.value, pick(o.label, locale)) for o in self.spec.options],
                                  required_message=say(REQUIRED_CHOICES, label=label),
                                  invalid_message=say(CHOICE_INVALID, label=label), **common)

    def initial(self, value):
        return [str(v) for v in value] if isinstance(value, list) else NOT_GIVEN

    def value_of(self, field, lenient):
        return list(field.data or [])

    def posted(self, name, value):
        chosen = value if isinstance(value, list) else [value]  # one chosen value may be given alone
        return [(name, scalar_text(item)) for item in chosen]

    def display(self, value, locale):
        if not isinstance(value, list):
            return str(value)
        return ", ".join(option_label(self.spec, v, locale) for v in value)

    def answers(self):
        from hypothesis import strategies as st

        values = [o.value for o in self.spec.options]
        # Kept in the order of the options, as the form gives them.
        return st.sets(st.sampled_from(values), min_size=1).map(lambda chosen: [v for v in values if v in chosen])


class DeclarationKind(FieldKind):
    required_always = True  # the point of a declaration is that it is made
    in_groups = False

    def form_field(self, label, common, locale, documents):
        return DeclarationField(**common)

    def initial(self, value):
        return value is True

    def value_of(self, field, lenient):
        return True if field.data else None

    def posted(self, name, value):
        if not isinstance(value, bool):
            raise WrongShape
        return [(name, "y")] if value else []

    def display(self, value, locale):
        return "✓"

    def answers(self):
        from hypothesis import strategies as st

        return st.just(True)
