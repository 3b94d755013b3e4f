"""Who may use the back office, and which cases they may open.

Clerks and supervisors work cases. A cashier works none: of a case of their agency he sees only what
taking a payment needs (`payment_case_or_404` and the case page's payment view), never its answers,
documents, notes or workflow; he has the finance page (portal.web.staff.finance)."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from portal.data import queues
from portal.domain.applications import versions
from portal.domain.catalogue import agency_roles, get_catalogue
from portal.domain.workflow.engine import CLERK, SUPERVISOR

CASHIER = "cashier"
WORKING_ROLES = (CLERK, SUPERVISOR)
# Who sees an agency's finance page (its payments, reversals, refunds owed): not its clerks, who take
# payments on the case page but keep no books.
FINANCE_ROLES = (SUPERVISOR, CASHIER)


def staff_only(view):
    """Signed-in people with at least one agency role; anyone else signed in gets 404."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.staff_roles:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def _acting_as(*built_ins: str) -> set[str]:
    """The agencies where the person holds one of `built_ins`, or a role the agency declares that acts as
    one (services/agencies.yaml: a technical officer acts as a clerk, a governor as a supervisor)."""
    catalogue = get_catalogue()
    return {role.agency.slug for role in current_user.staff_roles
            if agency_roles.acts_as(catalogue, role.agency.slug, role.role) in built_ins}


def acts_as_any(*built_ins: str) -> bool:
    """The signed-in person holds, somewhere, one of `built_ins` or a role acting as one (the navigation)."""
    return bool(current_user.is_authenticated and _acting_as(*built_ins))


def my_agencies() -> set[str]:
    """The agencies whose cases the person works (as a clerk or supervisor)."""
    return _acting_as(*WORKING_ROLES)


def finance_agencies() -> set[str]:
    return _acting_as(*FINANCE_ROLES)


def cashier_agencies() -> set[str]:
    return _acting_as(CASHIER)


def supervised_agencies() -> set[str]:
    return _acting_as(SUPERVISOR)


def case_workers(agency: str) -> list:
    """Who may be assigned a case of this agency: its clerks and supervisors, and the roles it declares
    that act as one."""
    return queues.agency_staff(agency, agency_roles.acting_as(get_catalogue(), agency, WORKING_ROLES))


def case_or_404(public_id: str):
    """The case and its pinned definition, or 404 when no agency of the viewer handles it."""
    application = queues.case_for_staff(public_id, my_agencies())
    if application is None:
        abort(404)
    return application, versions.definition_for(application)


def works_on(application) -> bool:
    """The person works this case (a clerk or supervisor of an agency that may open it), not only takes
    payments for it."""
    return queues.case_for_staff(application.public_id, my_agencies()) is not None


def payment_case_or_404(public_id: str):
    """The case, for the counter: those who work it and the cashiers of its agencies; 404 for anyone else."""
    application = queues.case_for_staff(public_id, my_agencies() | cashier_agencies())
    if application is None:
        abort(404)
    return application, versions.definition_for(application)
