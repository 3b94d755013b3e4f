"""Staff and administrator accounts: creating them with their agency roles (the person then enrols
with a one-time link), granting and removing roles, deactivating. Plain Python: the admin pages and
the `flask users` commands both call it, and it never looks at a request.
"""

from __future__ import annotations

from portal.domain.staff_accounts.accounts import (
    PresetCredentials,
    create_admin,
    create_operator_account,
    create_staff,
    deactivate,
    grant_role,
    reactivate,
    remove_role,
    roles_at,
)
from portal.domain.staff_accounts.errors import (
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
from portal.domain.staff_accounts.rules import ROLES

__all__ = [
    "ROLES",
    "AccountExists",
    "InvalidEmail",
    "InvalidName",
    "LastRole",
    "OwnAccount",
    "PresetCredentials",
    "RoleNotHeld",
    "StaffingError",
    "UnknownAgency",
    "UnknownRole",
    "create_admin",
    "create_operator_account",
    "create_staff",
    "deactivate",
    "grant_role",
    "reactivate",
    "remove_role",
    "roles_at",
]
