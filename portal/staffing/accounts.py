"""Creating staff and administrator accounts and managing their agency roles. Callers commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from portal.data import agencies as agency_data
from portal.data import people
from portal.data import staff as staff_data
from portal.security.passwords import hash_password
from portal.staffing.credentials import new_password, new_totp_secret, otpauth_uri
from portal.staffing.errors import (
    AccountExists,
    LastRole,
    OwnAccount,
    RoleNotHeld,
    StaffingError,
    UnknownAgency,
    UnknownRole,
)
from portal.staffing.rules import ROLES, clean_email, clean_name_km, clean_name_latin, is_office


@dataclass(frozen=True)
class NewAccount:
    """A new account and the secrets to hand over once; only their hashes and the TOTP secret are kept."""

    person: object
    password: str
    totp_secret: str

    @property
    def otpauth_uri(self) -> str:
        return otpauth_uri(self.totp_secret, self.person.email)


def assignable_agencies() -> list:
    """The agencies staff can work in, in a stable order."""
    return [a for a in agency_data.all_agencies() if is_office(a)]


def _agency(slug: str):
    agency = agency_data.get_by_slug(slug) if slug else None
    if agency is None or not is_office(agency):
        raise UnknownAgency(slug, [a.slug for a in assignable_agencies()])
    return agency


def _role(role: str) -> str:
    if role not in ROLES:
        raise UnknownRole(role, ROLES)
    return role


def _new_account(email: str, name_km, name_latin, roles, *, is_admin: bool, names_required: bool,
                 password: str | None, password_hash: str | None, totp_secret: str | None) -> NewAccount:
    # Everything is checked before anything is written, so a refusal leaves no half-made account.
    email = clean_email(email)
    name_km = clean_name_km(name_km, required=names_required)
    name_latin = clean_name_latin(name_latin, required=names_required)
    resolved = [(_agency(slug), _role(role)) for slug, role in roles]
    if people.email_taken(email):
        raise AccountExists(email)
    password = password or new_password()
    totp_secret = totp_secret or new_totp_secret()
    try:
        person = staff_data.create_account(
            email=email, password_hash=password_hash or hash_password(password), totp_secret=totp_secret,
            name_km=name_km, name_latin=name_latin, roles=list(dict.fromkeys(resolved)), is_admin=is_admin,
        )
    except staff_data.DuplicateAccount:
        raise AccountExists(email) from None
    return NewAccount(person=person, password=password, totp_secret=totp_secret)


def create_staff(*, email: str, name_km: str, name_latin: str, roles: Iterable[tuple[str, str]],
                 password: str | None = None, password_hash: str | None = None,
                 totp_secret: str | None = None) -> NewAccount:
    """A staff account with one or more (agency slug, role) pairs, a random initial password
    and a random TOTP secret. The demo data passes its documented password instead, with its
    hash made once for all the demo staff (Argon2 is slow on purpose)."""
    roles = list(roles)
    if not roles:
        raise StaffingError("a staff account needs at least one agency and role")
    return _new_account(email, name_km, name_latin, roles, is_admin=False, names_required=True,
                        password=password, password_hash=password_hash, totp_secret=totp_secret)


def create_admin(*, email: str, name_km: str | None = None, name_latin: str | None = None,
                 password: str | None = None, totp_secret: str | None = None) -> NewAccount:
    return _new_account(email, name_km, name_latin, (), is_admin=True, names_required=False,
                        password=password, password_hash=None, totp_secret=totp_secret)


def grant_role(person, agency_slug: str, role: str) -> bool:
    """Give `person` the role in the agency; False when they already held it."""
    agency, role = _agency(agency_slug), _role(role)
    if staff_data.find_role(person, agency, role) is not None:
        return False
    agency_data.grant_role(person, agency, role)
    return True


def remove_role(person, agency_slug: str, role: str) -> None:
    agency = agency_data.get_by_slug(agency_slug) if agency_slug else None
    held = staff_data.find_role(person, agency, role) if agency is not None else None
    if held is None:
        raise RoleNotHeld()
    if len(person.staff_roles) == 1:
        raise LastRole()
    staff_data.remove_role(held)


def deactivate(person, *, by) -> None:
    """The person can no longer sign in; an open session ends at its next request."""
    if person.id == by.id:
        raise OwnAccount()
    staff_data.set_active(person, False)


def reactivate(person) -> None:
    staff_data.set_active(person, True)
