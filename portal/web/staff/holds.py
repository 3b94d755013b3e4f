"""Legal holds on the case page (issue 18): a supervisor of an agency handling the case places one, with a
reason, and it stops the case's removal under retention until a supervisor or an administrator lifts it."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.data import people, queues
from portal.domain.applications import versions
from portal.domain.retention import holds
from portal.extensions import db
from portal.web.staff import blueprint
from portal.web.staff.access import staff_only, supervised_agencies
from portal.web.staff.forms import HoldForm

PLACE, LIFT = "hold", "lift-hold"


def held_case_or_404(public_id: str):
    """The case, if the person supervises an agency that handles it; else 404."""
    application = queues.case_for_staff(public_id, supervised_agencies())
    if application is None:
        abort(404)
    return application


def hold_view(application, failed: HoldForm | None = None) -> dict:
    """What the case page shows of holds: the hold in force, and the form a supervisor may use."""
    hold = holds.in_force(application)
    may = queues.case_for_staff(application.public_id, supervised_agencies()) is not None
    form = failed or (HoldForm(formdata=None, id_prefix=LIFT if hold else PLACE) if may else None)
    return {"hold": hold, "hold_form": form,
            "hold_placed_by": people.get_by_id(hold.placed_by_id) if hold and hold.placed_by_id else None}


def _again(application, form: HoldForm):
    from portal.web.staff.cases import case_page

    db.session.rollback()
    return case_page(application, versions.definition_for(application), failed_hold=form, status=400)


@blueprint.post("/cases/<public_id>/hold")
@staff_only
def place_hold(public_id: str):
    application = held_case_or_404(public_id)
    form = HoldForm(id_prefix=PLACE)
    if not form.validate():
        return _again(application, form)
    try:
        holds.place(application, form.reason.data, current_user._get_current_object())
    except holds.AlreadyHeld:
        flash(_("This case was already on legal hold. Nothing was changed by you."), "info")
        return redirect(url_for(".case", public_id=public_id, _anchor="legal-hold"))
    db.session.commit()
    flash(_("The case is on legal hold: nothing of it is removed until the hold is lifted."), "success")
    return redirect(url_for(".case", public_id=public_id, _anchor="legal-hold"))


@blueprint.post("/cases/<public_id>/hold/lift")
@staff_only
def lift_hold(public_id: str):
    application = held_case_or_404(public_id)
    form = HoldForm(id_prefix=LIFT)
    hold = holds.in_force(application)
    if hold is None:
        flash(_("This case was not on legal hold any more. Nothing was changed by you."), "info")
        return redirect(url_for(".case", public_id=public_id, _anchor="legal-hold"))
    if not form.validate():
        return _again(application, form)
    if holds.lift(hold, form.reason.data, current_user._get_current_object()):
        db.session.commit()
        flash(_("The legal hold was lifted: the service's retention applies to the case again."), "success")
    else:
        flash(_("This case was not on legal hold any more. Nothing was changed by you."), "info")
    return redirect(url_for(".case", public_id=public_id, _anchor="legal-hold"))
