"""What can go wrong when managing staff accounts. Messages are plain English for the command
line; the web pages show their own translated message for each class."""

from __future__ import annotations

from collections.abc import Iterable


class StaffingError(Exception):
    """Base class; nothing was written when one of these is raised."""


class InvalidEmail(StaffingError):
    def __init__(self, email: str, reason: str):
        super().__init__(f"{email!r} is not a usable email address: {reason}")


class InvalidName(StaffingError):
    def __init__(self, which: str, rule: str):
        self.which = which
        super().__init__(f"the {which} name {rule}")


class AccountExists(StaffingError):
    def __init__(self, email: str):
        super().__init__(f"an account with the email address {email} already exists")


class UnknownAgency(StaffingError):
    def __init__(self, slug: str, known: Iterable[str]):
        super().__init__(f"unknown agency {slug!r}; known agencies: {', '.join(sorted(known))}")


class UnknownRole(StaffingError):
    def __init__(self, role: str, known: Iterable[str]):
        super().__init__(f"unknown role {role!r}; roles: {', '.join(known)}")


class RoleNotHeld(StaffingError):
    def __init__(self):
        super().__init__("the staff member does not hold that role")


class LastRole(StaffingError):
    def __init__(self):
        super().__init__("a staff member keeps at least one role; deactivate the account instead")


class OwnAccount(StaffingError):
    def __init__(self):
        super().__init__("administrators cannot deactivate their own account")
