"""A signed-in person changing their own password or authenticator app. The caller commits.

Either change ends every other session of the person (`people.end_sessions`; the web layer keeps
the current one with `timeouts.restamp`) and tells the person through every channel they have, so
that someone who changed it behind their back cannot go unnoticed.
"""

from __future__ import annotations

from portal.data import people
from portal.domain.identity.passwords import hash_password
from portal.domain.notify.service import notify


def change_password(person, new_password: str) -> None:
    """The new password must already satisfy the policy, and the current one have been checked."""
    people.set_password(person, hash_password(new_password))
    notify(person, "password_changed", {})


def replace_authenticator(person, sealed_secret: str) -> None:
    """`sealed_secret` from `totp.new_sealed(person)`, confirmed with a code from the new app."""
    people.set_totp_secret(person, sealed_secret)
    people.end_sessions(person)
    notify(person, "authenticator_changed", {})
