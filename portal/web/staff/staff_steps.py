"""Staff steps on the case page (a definition's `staff_steps`): what is filled in, and a form for each step
this staff member may fill in the case's current state (its roles at the case's concrete office, as for
transitions). Saved only whole: bad input comes back with the field messages, a stale form as a conflict."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.domain.applications import staff_data, transitions
from portal.domain.catalogue.staff_steps import StaffStep, step_of
from portal.domain.fields.builder import build_step_form, handle_group_buttons, step_answers
from portal.domain.i18n.formatting import current_locale, pick
from portal.domain.workflow import engine
from portal.extensions import db
from portal.payments import submission
from portal.web.staff import blueprint
from portal.web.staff.access import case_or_404, staff_only


@dataclass
class StaffStepView:
    step: StaffStep
    rows: list  # staff_data.Shown
    form: object | None  # None: this person cannot fill it now


def _form(service, application, step, posted=None):
    values = {**(application.answers or {}), **(application.staff_data or {})}
    return build_step_form(staff_data.form_service(service), step, values, current_locale(), posted=posted)


def views(service, application, snapshot, actor, failed: tuple[str, object] | None = None) -> list[StaffStepView]:
    found = []
    for step in service.staff_steps:
        form = None
        if engine.staff_step_role(step, snapshot, actor) is not None:
            form = failed[1] if failed and failed[0] == step.id else _form(service, application, step)
        # Beside its form, a step shows only the numbers the portal assigned (the form holds the rest).
        found.append(StaffStepView(step, staff_data.rows(service, application.staff_data, current_locale(),
                                                         step=step, numbers_only=form is not None), form))
    return found


def labels(service) -> dict[str, dict]:
    """Step and numbered field ids -> their titles, for the case's timeline ("Saved: Site inspection")."""
    found = {}
    for step in service.staff_steps:
        found[step.id] = step.title
        found.update({s.id: s.label for s in step.sequences})
    return found


@blueprint.post("/cases/<public_id>/staff-steps/<step_id>")
@staff_only
def save_staff_step(public_id: str, step_id: str):
    from portal.web.staff.cases import _conflict, case_page

    application, service = case_or_404(public_id)
    step = step_of(service, step_id)
    if step is None:
        abort(404)
    via = engine.staff_step_role(step, transitions.snapshot(service, application),
                                 transitions.actor_for(current_user, False))
    if request.form.get("seen_state") != application.state or \
            request.form.get("seen_version") != str(application.staff_data_version):
        return _conflict(application)
    if via is None:
        abort(403)
    form = _form(service, application, step, posted=request.form)
    if handle_group_buttons(form, step):
        return case_page(application, service, failed_staff=(step.id, form))
    if not form.validate():
        return case_page(application, service, failed_staff=(step.id, form), status=400)
    try:
        submission.save_staff_step(service, application, current_user, step, step_answers(form, step),
                                   acted_as=".".join(via), seen_version=application.staff_data_version,
                                   seen_state=application.state)
    except staff_data.Stale:
        return _conflict(application)
    db.session.commit()
    flash(_("Saved: %(step)s.", step=pick(step.title)), "success")
    return redirect(url_for(".case", public_id=public_id, _anchor=f"staff-step-{step.id}"), 303)
