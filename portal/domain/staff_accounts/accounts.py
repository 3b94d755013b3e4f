"""Creating staff and administrator accounts and managing their agency roles. Callers commit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from portal.data import agencies as agency_data
from portal.data import people
from portal.data import staff as staff_data
from portal.domain.catalogue import agency_roles, get_catalogue
from portal.domain.identity import enrolment, totp
from portal.domain.identity.passwords import UNUSABLE_HASH
from portal.domain.staff_accounts.errors import (
    AccountExists,
    InvalidName,
    LastRole,
    OwnAccount,
    RoleNotHeld,
    StaffingError,
    UnknownAgency,
    UnknownRole,
)
from portal.domain.staff_accounts.rules import ROLES, clean_email, clean_name_km, clean_name_latin, is_office


@dataclass(frozen=True)
class PresetCredentials:
    """Demo data only (`flask demo load`): a published password, as its hash, and a TOTP secret, instead of
    an enrolment link. Real accounts never get credentials someone else chose."""

    password_hash: str
    totp_secret: str


def _agency(slug: str):
    agency = agency_data.get_by_slug(slug) if slug else None
    if agency is None or not is_office(agency):
        # The agencies agencies.yaml lists by name; the ~1,900 generated local offices by their pattern.
        listed = [a.slug for a in get_catalogue().agencies.values() if is_office(a)]
        raise UnknownAgency(slug, [*listed, "commune-<commune code>", "district-<district code>",
                                   "province-<province code>"])
    return agency


def roles_at(agency_slug: str) -> tuple[str, ...]:
    """The roles that may be given at this agency: the built-in ones and those it declares (agencies.yaml:
    its own `roles` and those of its kind, `office_roles`)."""
    return (*ROLES, *agency_roles.of(get_catalogue(), agency_slug)) if agency_slug else ROLES


def _role(role: str, agency_slug: str) -> str:
    allowed = roles_at(agency_slug)
    if role not in allowed:
        raise UnknownRole(role, allowed)
    return role


def _new_account(email: str, name_km, name_latin, roles, *, is_admin: bool, names_required: bool,
                 preset: PresetCredentials | None):
    # Everything is checked before anything is written, so a refusal leaves no half-made account.
    email = clean_email(email)
    name_km = clean_name_km(name_km, required=names_required)
    name_latin = clean_name_latin(name_latin, required=names_required)
    resolved = [(_agency(slug), _role(role, slug)) for slug, role in roles]
    if people.email_taken(email):
        raise AccountExists(email)
    try:
        person = staff_data.create_account(
            email=email, password_hash=preset.password_hash if preset else UNUSABLE_HASH,
            name_km=name_km, name_latin=name_latin, roles=list(dict.fromkeys(resolved)), is_admin=is_admin,
        )
    except staff_data.DuplicateAccount:
        raise AccountExists(email) from None
    if preset:
        totp.store(person, preset.totp_secret)
    return person


def create_staff(*, email: str, name_km: str, name_latin: str, roles: Iterable[tuple[str, str]],
                 preset: PresetCredentials | None = None):
    """A staff account with one or more (agency slug, role) pairs and no usable credentials: the staff
    member gets an enrolment link by email (after the caller commits) and chooses them."""
    roles = list(roles)
    if not roles:
        raise StaffingError("a staff account needs at least one agency and role")
    person = _new_account(email, name_km, name_latin, roles, is_admin=False, names_required=True, preset=preset)
    if preset is None:
        enrolment.send_link(person)
    return person


def create_admin(*, email: str, name_km: str | None = None, name_latin: str | None = None,
                 preset: PresetCredentials | None = None):
    """An administrator account with an enrolment started but not sent: the first administrator has
    nobody to send it and perhaps no mail server yet, so `flask users create-admin` prints the link."""
    person = _new_account(email, name_km, name_latin, (), is_admin=True, names_required=False, preset=preset)
    if preset is None:
        enrolment.start(person)
    return person


def create_operator_account(*, email: str, name_km: str | None, name_latin: str | None):
    """A new account for a centre's operator (portal.domain.assisted.add_operator): no agency role, no usable
    credentials; an enrolment is started (the caller sends or prints its link) with which the person chooses
    a password and sets up an authenticator, as staff do. At least one of the two names."""
    if not (name_km or "").strip() and not (name_latin or "").strip():
        raise InvalidName("Khmer or Latin", "is empty")
    person = _new_account(email, name_km, name_latin, (), is_admin=False, names_required=False, preset=None)
    enrolment.start(person)
    return person


def grant_role(person, agency_slug: str, role: str) -> bool:
    """Give `person` the role in the agency; False when they already held it."""
    agency, role = _agency(agency_slug), _role(role, agency_slug)
    return agency_data.grant_role(person, agency, role)[1]


def remove_role(person, agency_slug: str, role: str) -> None:
    agency = agency_data.get_by_slug(agency_slug) if agency_slug else None
    held = staff_data.find_role(person, agency, role) if agency is not None else None
    if held is None:
        raise RoleNotHeld()
    if len(person.staff_roles) == 1:
        raise LastRole()
    staff_data.remove_role(held)


def deactivate(person, *, by) -> None:
    """The person can no longer sign in; an open session ends at its next request, and stays ended
    if the account is reactivated later."""
    if person.id == by.id:
        raise OwnAccount()
    staff_data.set_active(person, False)
    people.end_sessions(person)


def reactivate(person) -> None:
    staff_data.set_active(person, True)
