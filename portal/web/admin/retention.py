"""The administrators' retention page (issue 18): the last run and what it removed per service and year,
the last dry run, and the legal holds in force, which an administrator may place (by reference) and lift."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from portal.data import applications as application_data
from portal.data import people
from portal.domain.catalogue import get_catalogue
from portal.domain.retention import holds, runs
from portal.extensions import db
from portal.web.admin.routes import blueprint
from portal.web.staff.forms import HoldForm

LIFT = "lift-{}"


class PlaceHoldForm(HoldForm):
    reference = StringField(_l("Application reference"), validators=[
        DataRequired(_l("Enter the reference of the application, as on its receipt.")),
        Length(max=20, message=_l("Write at most %(max)d characters."))])


def _page(place_form=None, failed_lift: tuple[str, HoldForm] | None = None, status: int = 200):
    in_force = holds.all_in_force()
    lift_forms = {h.public_id: HoldForm(formdata=None, id_prefix=LIFT.format(h.public_id)) for h in in_force}
    if failed_lift is not None:
        lift_forms[failed_lift[0]] = failed_lift[1]
    placed_by = {h.placed_by_id: people.get_by_id(h.placed_by_id) for h in in_force if h.placed_by_id}
    return render_template(
        "pages/admin/retention.html", last=runs.last_run(), last_dry=runs.last_run(dry_run=True), holds=in_force,
        lift_forms=lift_forms, placed_by=placed_by,
        place_form=place_form or PlaceHoldForm(formdata=None, id_prefix="place"), service_title=_service_title,
    ), status


def _service_title(slug: str) -> dict:
    service = get_catalogue().get(slug)
    return dict(service.title) if service is not None else {"km": slug, "en": slug}


@blueprint.get("/retention")
def retention():
    return _page()


@blueprint.post("/retention/holds")
def place_hold():
    form = PlaceHoldForm(id_prefix="place")
    if not form.validate():
        return _page(place_form=form, status=400)
    application = application_data.get_by_reference(form.reference.data.strip().upper())
    if application is None:
        form.reference.errors.append(_("No application has this reference. Check it against the receipt."))
        return _page(place_form=form, status=400)
    try:
        holds.place(application, form.reason.data, current_user._get_current_object())
    except holds.AlreadyHeld:
        form.reference.errors.append(_("This application is on legal hold already."))
        return _page(place_form=form, status=400)
    db.session.commit()
    flash(_("Application %(reference)s is on legal hold.", reference=application.reference), "success")
    return redirect(url_for(".retention"))


@blueprint.post("/retention/holds/<public_id>/lift")
def lift_hold(public_id: str):
    hold = holds.by_public_id(public_id)
    if hold is None:
        abort(404)
    form = HoldForm(id_prefix=LIFT.format(public_id))
    if hold.lifted_at is None and not form.validate():
        return _page(failed_lift=(public_id, form), status=400)
    if hold.lifted_at is None and holds.lift(hold, form.reason.data, current_user._get_current_object()):
        db.session.commit()
        flash(_("The legal hold was lifted: the service's retention applies to the case again."), "success")
    else:
        flash(_("This case was not on legal hold any more. Nothing was changed by you."), "info")
    return redirect(url_for(".retention"))
