"""Staff and administrator accounts: creating them with their agency roles and their TOTP secret,
granting and removing roles, deactivating. Plain Python: the admin pages and the `flask users`
commands both call it, and it never looks at a request.
"""

from __future__ import annotations

from portal.staffing.accounts import (
    NewAccount,
    assignable_agencies,
    create_admin,
    create_staff,
    deactivate,
    grant_role,
    reactivate,
    remove_role,
)
from portal.staffing.credentials import otpauth_uri
from portal.staffing.errors import (
    AccountExists,
    InvalidEmail,
    InvalidName,
    LastRole,
    OwnAccount,
    RoleNotHeld,
    StaffingError,
    UnknownAgency,
    UnknownRole,
)
from portal.staffing.rules import ROLES

__all__ = [
    "ROLES",
    "AccountExists",
    "InvalidEmail",
    "InvalidName",
    "LastRole",
    "NewAccount",
    "OwnAccount",
    "RoleNotHeld",
    "StaffingError",
    "UnknownAgency",
    "UnknownRole",
    "assignable_agencies",
    "create_admin",
    "create_staff",
    "deactivate",
    "grant_role",
    "otpauth_uri",
    "reactivate",
    "remove_role",
]
