"""A Cambodian mobile number (kept as +855...) and an email address (kept in lower case)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from portal.domain.fields.definition_fields import with_messages
from portal.domain.fields.kinds.base import InputKind
from portal.domain.identity import contacts as contact


class _ContactKind(InputKind):
    parse: ClassVar[Callable[[str], str]]  # from `portal.domain.identity.contacts`, as sign-up and the profile use
    saved: ClassVar[str]  # a regular expression of the answers it keeps, for the property tests

    def cleaner(self, label, locale):
        return with_messages(self.parse, contact.ContactError)

    def answers(self):
        from hypothesis import strategies as st

        return st.from_regex(self.saved, fullmatch=True)


class PhoneKind(_ContactKind):
    input_attributes = {"type": "tel", "autocomplete": "tel", "inputmode": "tel"}
    parse = staticmethod(contact.parse_phone)
    saved = r"\+855(1[0-2]|7[0-9]|9[2-9])[0-9]{6}"


class EmailKind(_ContactKind):
    input_attributes = {"type": "email", "autocomplete": "email", "inputmode": "email"}
    parse = staticmethod(contact.parse_email)
    saved = r"[a-z][a-z0-9]{0,15}(\.[a-z0-9]{1,8})?@[a-z]{2,10}\.(com|org|gov\.kh)"
