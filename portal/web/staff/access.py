"""Who may use the back office, and which cases they may open."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from portal.data import queues
from portal.domain.applications import versions
from portal.domain.workflow.engine import SUPERVISOR


def staff_only(view):
    """Signed-in people with at least one agency role; anyone else signed in gets 404."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.staff_roles:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def my_agencies() -> set[str]:
    return {role.agency.slug for role in current_user.staff_roles}


def supervised_agencies() -> set[str]:
    return {role.agency.slug for role in current_user.staff_roles if role.role == SUPERVISOR}


def case_or_404(public_id: str):
    """The case and its pinned definition, or 404 when no agency of the viewer handles it."""
    application = queues.case_for_staff(public_id, my_agencies())
    if application is None:
        abort(404)
    return application, versions.definition_for(application)
