"""The admin's kiosk pages (issue 14): centres, kiosks, their one-time enrolment links, revoking.

An enrolment link is shown once, in the answer to the POST that made it (no-store, as every page of a
signed-in person): it is not stored, so it cannot be shown again, only replaced by a new one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.data import kiosks as kiosk_data
from portal.data import people
from portal.domain import assisted, kiosks, staff_accounts
from portal.domain.i18n.formatting import current_locale
from portal.domain.identity import enrolment
from portal.extensions import db
from portal.web import confirmation
from portal.web.admin.kiosk_forms import (
    CENTRE_KIND_LABELS,
    PRINTER_LABELS,
    CentreForm,
    KioskActionForm,
    KioskForm,
    OperatorActionForm,
    OperatorForm,
)
from portal.web.admin.routes import blueprint


def _list_page(*, link=None, linked_kiosk=None, operator_link=None, linked_operator=None):
    by_centre: dict[int, list] = {}
    for operator in assisted.operators():
        by_centre.setdefault(operator.centre_id, []).append(operator)
    return render_template("pages/admin/kiosks.html", centres=kiosk_data.centres(), link=link,
                           linked_kiosk=linked_kiosk, operators=by_centre, operator_link=operator_link,
                           linked_operator=linked_operator,
                           kind_labels=CENTRE_KIND_LABELS, printer_labels=PRINTER_LABELS)


def _link_url(secret: str) -> str:
    return url_for("kiosk.enrol", secret=secret, _external=True)


@blueprint.get("/kiosks")
def kiosks_list():
    return _list_page()


@blueprint.route("/kiosks/centres/new", methods=["GET", "POST"])
def create_centre():
    form = CentreForm().prepare(current_locale())
    if not form.validate_on_submit():
        return render_template("pages/admin/centre_new.html", form=form), 400 if form.is_submitted() else 200
    try:
        kiosks.create_centre(current_user, slug=form.slug.data, name_km=form.name_km.data, name_en=form.name_en.data,
                             kind=form.kind.data, province=form.province.data, district=form.district.data,
                             commune=form.commune.data)
    except kiosks.SlugTaken:
        db.session.rollback()
        form.slug.errors.append(_("A centre with this short name already exists"))
        return render_template("pages/admin/centre_new.html", form=form), 400
    db.session.commit()
    flash(_("The centre was created."), "success")
    return redirect(url_for(".kiosks_list"))


@blueprint.route("/kiosks/new", methods=["GET", "POST"])
def register_kiosk():
    centres = kiosk_data.centres()
    form = KioskForm().prepare(centres, current_locale())
    if not form.validate_on_submit():
        return render_template("pages/admin/kiosk_new.html", form=form), 400 if form.is_submitted() else 200
    centre = kiosk_data.centre_by_slug(form.centre.data)
    kiosk, secret = kiosks.register_kiosk(current_user, centre=centre, name=form.name.data,
                                          printer_kind=form.printer_kind.data, province=form.province.data,
                                          district=form.district.data, commune=form.commune.data)
    db.session.commit()
    return _list_page(link=_link_url(secret), linked_kiosk=kiosk)


def _kiosk_from_form():
    form = KioskActionForm()
    if not form.validate_on_submit():
        abort(400)
    kiosk = kiosk_data.kiosk(form.kiosk.data)
    if kiosk is None:
        abort(404)
    return kiosk


@blueprint.post("/kiosks/link")
def new_link():
    kiosk = _kiosk_from_form()
    secret = kiosks.issue_link(current_user, kiosk)
    db.session.commit()
    return _list_page(link=_link_url(secret), linked_kiosk=kiosk)


@blueprint.post("/kiosks/revoke")
def revoke():
    kiosk = _kiosk_from_form()
    if not confirmation.confirmed():
        return confirmation.ask(
            title=_("Revoke the kiosk %(name)s?", name=kiosk.name), button=_("Yes, revoke the kiosk"),
            cancel_url=url_for(".kiosks_list"),
            consequences=[_("The kiosk stops working at once; whoever is using it is signed out."),
                          _("To use it again, issue a new enrolment link and open it on the kiosk.")])
    kiosks.revoke(current_user, kiosk)
    db.session.commit()
    flash(_("The kiosk was revoked. It stopped working at once; a new enrolment link brings it back."), "success")
    return redirect(url_for(".kiosks_list"))


@blueprint.route("/kiosks/operators/new", methods=["GET", "POST"])
def add_operator():
    """An existing account (by email or phone) becomes an operator of a centre, or a new account is made from
    an email address. Whoever has no authenticator yet gets an enrolment link: by email, or shown here once."""
    centres = kiosk_data.centres()
    form = OperatorForm().prepare(centres, current_locale())
    page = "pages/admin/operator_new.html"
    if not form.validate_on_submit():
        return render_template(page, form=form), 400 if form.is_submitted() else 200
    centre = kiosk_data.centre_by_slug(form.centre.data)
    try:
        added = assisted.add_operator(current_user, centre, form.parsed.kind, form.parsed.value,
                                      name_km=form.name_km.data, name_latin=form.name_latin.data)
    except assisted.OperatorChangeRefused as refused:
        db.session.rollback()
        form.contact.errors.append(_operator_refusal(refused))
        return render_template(page, form=form), 400
    except staff_accounts.InvalidName as refused:
        db.session.rollback()
        field = form.name_km if refused.which == "Khmer" else form.name_latin
        field.errors.append(_("Write the Khmer name in Khmer script only") if refused.which == "Khmer"
                            else _("Write the name in Latin letters only") if refused.which == "Latin"
                            else _("Enter the operator's name in Khmer, in Latin letters, or both"))
        return render_template(page, form=form), 400
    db.session.commit()
    person = added.operator.person
    if added.enrolment_started and not added.link_sent:
        # No email address to send it to: shown once, here, for the administrator to hand over.
        return _list_page(operator_link=enrolment.link(person), linked_operator=person)
    if added.link_sent:
        flash(_("%(name)s is now an operator. An enrolment link was sent to their email address to choose a "
                "password and set up an authenticator app.", name=person.display_name), "success")
    else:
        flash(_("%(name)s is now an operator.", name=person.display_name), "success")
    return redirect(url_for(".kiosks_list"))


def _operator_refusal(refused) -> str:
    if isinstance(refused, assisted.NeedsEmail):
        return _("No account has this mobile number. To make a new account, enter the person's email address.")
    if isinstance(refused, assisted.CannotBeOperator):
        return _("This account cannot become an operator: it is deactivated or has no way to sign in.")
    if isinstance(refused, assisted.AlreadyOperator):
        name = refused.centre.name_en if current_locale() == "en" else refused.centre.name_km
        return _("This person is already an operator of %(centre)s. A person is an operator of one centre at most.",
                 centre=name)
    return _("This change could not be made.")


@blueprint.post("/kiosks/operators/remove")
def remove_operator():
    form = OperatorActionForm()
    if not form.validate_on_submit():
        abort(400)
    person = people.get_by_public_id(form.person.data)
    if person is None or assisted.operator_of(person) is None:
        abort(404)
    if not confirmation.confirmed():
        return confirmation.ask(
            title=_("Remove %(name)s as an operator?", name=person.display_name), button=_("Yes, remove"),
            cancel_url=url_for(".kiosks_list"),
            consequences=[_("They can no longer help citizens at the centre's kiosks; a session they have open "
                            "ends now."),
                          _("The applications they helped with keep saying who helped."),
                          _("Their account stays; they can still use the portal for themselves.")])
    assisted.remove_operator(current_user, person)
    db.session.commit()
    flash(_("%(name)s is no longer an operator.", name=person.display_name), "success")
    return redirect(url_for(".kiosks_list"))
