"""Messages about an answer name its field once, by its label, first: "“label”: what is wrong".

A label may itself be a question or an instruction ("Say what the certificate is for",
"សូមបញ្ជាក់គោលបំណង"): a message that wraps it in another instruction ("Enter “Say what …”",
"សូមបញ្ចូល “សូមបញ្ជាក់…”") reads twice. So every message that names a field starts with the label,
in both languages, and says the problem after it."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from wtforms.validators import ValidationError

from portal.domain.fields import definition_fields
from portal.domain.fields.definition_fields import clean_date, clean_number, clean_text, say

LABEL = "LABEL-UNDER-TEST"
MESSAGES_NAMING_A_FIELD = sorted(
    name for name, value in vars(definition_fields).items()
    if name.isupper() and hasattr(value, "_args") and "%(label)s" in str(value._args[0])
)


def test_messages_naming_a_field_are_found():
    assert {"REQUIRED", "REQUIRED_CHOICE", "DATE_FORMAT", "CHOICE_INVALID"} <= set(MESSAGES_NAMING_A_FIELD)


@pytest.mark.parametrize("locale", ["en", "km"])
@pytest.mark.parametrize("name", MESSAGES_NAMING_A_FIELD)
def test_a_message_names_its_field_once_and_first(app, locale, name):
    message = getattr(definition_fields, name)
    with app.test_request_context(), force_locale(locale):
        text = say(message, label=LABEL, count="5", min="1", max="9")
    assert text.count(LABEL) == 1
    assert text.startswith(f"“{LABEL}”"), text


@pytest.mark.parametrize("locale", ["en", "km"])
def test_an_instruction_as_label_is_not_wrapped_in_another_instruction(app, locale):
    # The residence certificate's follow-up question, as the walk in the browser found it.
    label = "សូមបញ្ជាក់គោលបំណង" if locale == "km" else "Say what the certificate is for"
    with app.test_request_context(), force_locale(locale):
        required = say(definition_fields.REQUIRED, label=label)
        problems = []
        for clean, value in ((clean_date, "30/02/2026"), (clean_number, "abc"), (clean_text, "🙂")):
            try:
                clean(value, label=label)
            except ValidationError as error:
                problems.append(str(error.args[0]))
    assert not required.startswith(("Enter", "សូមបញ្ចូល"))
    assert len(problems) == 3
    assert all(problem.startswith(f"“{label}”") for problem in [required, *problems])
