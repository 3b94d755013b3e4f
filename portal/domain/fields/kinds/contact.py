"""A Cambodian mobile number (kept as +855...) and an email address (kept in lower case)."""

from __future__ import annotations

from portal.domain.fields import contact
from portal.domain.fields.definition_fields import with_messages
from portal.domain.fields.kinds.base import InputKind


class PhoneKind(InputKind):
    input_attributes = {"type": "tel", "autocomplete": "tel", "inputmode": "tel"}

    def cleaner(self, label, locale):
        return with_messages(contact.parse_phone, contact.ContactError)

    def answers(self):
        from hypothesis import strategies as st

        return st.from_regex(r"\+855(1[0-2]|7[0-9]|9[2-9])[0-9]{6}", fullmatch=True)


class EmailKind(InputKind):
    input_attributes = {"type": "email", "autocomplete": "email", "inputmode": "email"}

    def cleaner(self, label, locale):
        return with_messages(contact.parse_email, contact.ContactError)

    def answers(self):
        from hypothesis import strategies as st

        return st.from_regex(r"[a-z][a-z0-9.]{0,15}@[a-z]{2,10}\.(com|org|gov\.kh)", fullmatch=True)
