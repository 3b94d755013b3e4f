"""Creating an account from an email address or a Cambodian mobile number and a password."""

from __future__ import annotations

from portal.data import people
from portal.forms.contact import Contact
from portal.security.passwords import hash_password


class AlreadyRegistered(Exception):
    """The email address or phone number already belongs to an account."""


def register(contact: Contact, password: str, locale: str):
    """Create and return the person (not committed). The password must already satisfy the policy."""
    if people.get_by_contact(contact.kind, contact.value) is not None:
        raise AlreadyRegistered
    person = people.create_unless_taken(
        password_hash=hash_password(password), locale=locale, **{contact.kind: contact.value}
    )
    if person is None:
        raise AlreadyRegistered
    return person
