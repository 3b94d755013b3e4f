"""The "email address or mobile phone number" form field; what counts as one is
`portal.domain.identity.contacts`."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import StopValidation

from portal.domain.identity.contacts import Contact, ContactError, parse_contact


class ContactField(StringField):
    """"Email address or mobile phone number". After validation, `contact` holds the parsed value;
    the field keeps what the person typed, so a form shown again shows their text, not ours."""

    contact: Contact | None = None

    def pre_validate(self, form) -> None:
        self.contact = None
        try:
            self.contact = parse_contact(self.data or "")
        except ContactError as error:
            raise StopValidation(str(error.message)) from None
