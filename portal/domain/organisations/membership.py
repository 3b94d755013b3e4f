"""Who belongs to a business, and the rules for changing that.

Only owners change members (the web layer checks the acting person's role before calling).
Nobody is made a member by someone else: owners invite, and the invited person accepts
(`portal.domain.organisations.invitations`). A business always keeps at least one owner.
"""

from __future__ import annotations

from portal.data import organisations
from portal.domain import api_tokens, audit

# As the database allows them (`OrganisationMember.role`).
ROLES = ("owner", "member")


class MembershipError(Exception):
    """A change to the members that the rules refuse."""


class NotAMember(MembershipError):
    pass


class LastOwner(MembershipError):
    pass


MEMBER_REMOVED = "member_removed"


def remove(organisation, acting_person, person_public_id: str):
    """Remove the member whose account has this public id (`acting_person` is an owner, or the member
    leaving); returns the removed person."""
    member = organisations.member_by_person_public_id(organisation, person_public_id)
    if member is None:
        raise NotAMember
    if member.role == "owner":
        owners = organisations.owners(organisation, lock=True)
        if len(owners) <= 1:
            raise LastOwner
    person, role = member.person, member.role
    organisations.remove_member(member)
    # The tokens they made stop with their membership: the business's software must not keep acting on the
    # word of someone who no longer belongs to it (the remaining owners make new ones).
    api_tokens.revoke_made_by(organisation, person, acting_person)
    audit.record(MEMBER_REMOVED, actor=acting_person, subject_type="organisation", subject_id=organisation.public_id,
                 details={"person": person.public_id, "role": role})
    return person
