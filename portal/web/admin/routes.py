"""The admin area: staff accounts and their agency roles.

Only administrators see it. Anyone else signed in gets a 404, as if the area did not exist;
someone signed out is sent to the sign-in page.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.data import staff as staff_data
from portal.domain import audit, staff_accounts
from portal.domain.i18n.formatting import current_locale
from portal.domain.identity import enrolment
from portal.domain.staff_accounts import pickers
from portal.extensions import db
from portal.web import confirmation
from portal.web.admin.forms import AddRoleForm, ConfirmForm, NewStaffForm, RemoveRoleForm, role_title

blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@blueprint.before_request
def administrators_only():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.is_admin:
        audit.record_refusal(current_user, "admin_area", request.endpoint or "")
        db.session.commit()
        abort(404)
    return None


@blueprint.context_processor
def role_labels():
    return {"role_title": lambda role, agency: role_title(role, agency.slug if agency else None, current_locale())}


def _staff_or_404(public_id: str):
    person = staff_data.get_staff(public_id)
    if person is None:
        abort(404)
    return person


def _with_agencies(form):
    province = pickers.province_or_none(request.args.get("province"))
    form.set_agencies(pickers.agency_groups(province), current_locale(), pickers.is_assignable)
    form.picker_province = province
    return form


@blueprint.context_processor
def province_picker():
    """The provinces whose offices the agency picker can show (a GET form beside the staff forms)."""
    return {"picker_provinces": pickers.provinces}


def _detail_page(person, *, add_form=None, problem_form=None, status: int = 200):
    return render_template(
        "pages/admin/staff_detail.html",
        person=person,
        roles=staff_data.roles_of(person),
        add_form=add_form or _with_agencies(AddRoleForm(formdata=None)),
        problem_form=problem_form,
        enrolment_pending=enrolment.is_pending(person),
    ), status


def _back_to(person):
    return redirect(url_for(".staff_detail", public_id=person.public_id))


@blueprint.get("/unstaffed-offices")
def unstaffed_offices():
    """Every office in the country that holds cases while nobody works there (portal.domain.applications.unstaffed)."""
    from portal.data.db import utcnow
    from portal.domain.applications import unstaffed

    offices = unstaffed.unstaffed_offices(unstaffed.scope_of((), is_admin=True), utcnow())
    return render_template("pages/staff/unstaffed.html", offices=offices, everything=True)


@blueprint.get("/staff")
def staff_list():
    return render_template("pages/admin/staff_list.html", staff=staff_data.list_staff())


@blueprint.route("/staff/new", methods=["GET", "POST"])
def create_staff():
    form = _with_agencies(NewStaffForm())
    if not form.validate_on_submit():
        return render_template("pages/admin/staff_new.html", form=form), 400 if form.is_submitted() else 200
    try:
        person = staff_accounts.create_staff(
            email=form.email.data, name_km=form.name_km.data, name_latin=form.name_latin.data,
            roles=[(form.agency.data, form.role.data)],
        )
    except staff_accounts.AccountExists:
        db.session.rollback()
        form.email.errors.append(_("An account with this email address already exists"))
        return render_template("pages/admin/staff_new.html", form=form), 400
    audit.record_admin_change(current_user, "staff_created", person, roles=[[form.agency.data, form.role.data]])
    db.session.commit()
    # The administrator never sees a password or secret: the staff member chooses both with the link.
    flash(_("The staff account was created. An enrolment link was sent to the staff member's email address."),
          "success")
    return _back_to(person)


@blueprint.get("/staff/<public_id>")
def staff_detail(public_id: str):
    return _detail_page(_staff_or_404(public_id))


@blueprint.post("/staff/<public_id>/roles")
def add_role(public_id: str):
    person = _staff_or_404(public_id)
    form = _with_agencies(AddRoleForm())
    if not form.validate_on_submit():
        return _detail_page(person, add_form=form, status=400)
    if staff_accounts.grant_role(person, form.agency.data, form.role.data):
        audit.record_admin_change(current_user, "role_added", person, agency=form.agency.data, role=form.role.data)
        db.session.commit()
        flash(_("The role was added."), "success")
    else:
        flash(_("The staff member already has this role."), "info")
    return _back_to(person)


@blueprint.post("/staff/<public_id>/roles/remove")
def remove_role(public_id: str):
    person = _staff_or_404(public_id)
    form = RemoveRoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        staff_accounts.remove_role(person, form.agency.data, form.role.data)
    except staff_accounts.RoleNotHeld:
        form.form_errors.append(_("This staff member does not have that role."))
        return _detail_page(person, problem_form=form, status=400)
    except staff_accounts.LastRole:
        form.form_errors.append(
            _("A staff member must keep at least one role. To end their access, deactivate the account.")
        )
        return _detail_page(person, problem_form=form, status=400)
    audit.record_admin_change(current_user, "role_removed", person, agency=form.agency.data, role=form.role.data)
    db.session.commit()
    flash(_("The role was removed."), "success")
    return _back_to(person)


@blueprint.post("/staff/<public_id>/enrolment")
def send_enrolment(public_id: str):
    """A new enrolment link for the staff member (the previous one stops working): for a link that
    expired or went astray, or to set up a new password and authenticator after a lost phone."""
    person = _staff_or_404(public_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not person.is_active:
        form.form_errors.append(_("This account is deactivated. Reactivate it before you send an enrolment link."))
        return _detail_page(person, problem_form=form, status=400)
    enrolment.send_link(person)
    audit.record_admin_change(current_user, "enrolment_sent", person)
    db.session.commit()
    flash(_("A new enrolment link was sent to the staff member's email address. Earlier links no longer work."),
          "success")
    return _back_to(person)


@blueprint.post("/staff/<public_id>/deactivate")
def deactivate(public_id: str):
    person = _staff_or_404(public_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if not confirmation.confirmed():
        return confirmation.ask(
            title=_("Deactivate the account of %(name)s?", name=person.display_name),
            button=_("Yes, deactivate the account"), cancel_url=url_for(".staff_detail", public_id=public_id),
            consequences=[_("They can no longer sign in, and any session they have open ends now."),
                          _("Their work and history are kept. You can reactivate the account later.")])
    try:
        staff_accounts.deactivate(person, by=current_user)
    except staff_accounts.OwnAccount:
        form.form_errors.append(_("You cannot deactivate your own account."))
        return _detail_page(person, problem_form=form, status=400)
    audit.record_admin_change(current_user, "deactivated", person)
    db.session.commit()
    flash(_("The account was deactivated. The staff member can no longer sign in."), "success")
    return _back_to(person)


@blueprint.post("/staff/<public_id>/reactivate")
def reactivate(public_id: str):
    person = _staff_or_404(public_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    staff_accounts.reactivate(person)
    audit.record_admin_change(current_user, "reactivated", person)
    db.session.commit()
    flash(_("The account was reactivated. The staff member can sign in again."), "success")
    return _back_to(person)
