"""Who belongs to a business, and the rules for changing that.

Only owners change members (the web layer checks the acting person's role before calling).
Members are added by the email address or phone number of an account that already exists:
nobody gets an account made for them here. A business always keeps at least one owner.
"""

from __future__ import annotations

from portal.data import organisations, people

# As the database allows them (`OrganisationMember.role`).
ROLES = ("owner", "member")


class MembershipError(Exception):
    """A change to the members that the rules refuse."""


class NoSuchAccount(MembershipError):
    pass


class AddingYourself(MembershipError):
    pass


class AlreadyMember(MembershipError):
    pass


class NotAMember(MembershipError):
    pass


class LastOwner(MembershipError):
    pass


def add(organisation, acting_person, contact_kind: str, contact_value: str, role: str):
    """Add the account with this normalised contact ("email" lower-cased or "phone" in E.164)
    as a member with `role`; returns the new membership."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    person = people.get_by_contact(contact_kind, contact_value)
    if person is None or not person.is_active:
        raise NoSuchAccount
    if person.id == acting_person.id:
        raise AddingYourself
    member = organisations.add_member_unless_present(organisation, person, role)
    if member is None:
        raise AlreadyMember
    return member


def remove(organisation, person_public_id: str):
    """Remove the member whose account has this public id; returns the removed person."""
    member = organisations.member_by_person_public_id(organisation, person_public_id)
    if member is None:
        raise NotAMember
    if member.role == "owner":
        owners = organisations.owners(organisation, lock=True)
        if len(owners) <= 1:
            raise LastOwner
    person = member.person
    organisations.remove_member(member)
    return person
