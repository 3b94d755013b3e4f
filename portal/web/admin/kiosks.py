"""The admin's kiosk pages (issue 14): centres, kiosks, their one-time enrolment links, revoking.

An enrolment link is shown once, in the answer to the POST that made it (no-store, as every page of a
signed-in person): it is not stored, so it cannot be shown again, only replaced by a new one."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.data import kiosks as kiosk_data
from portal.domain import kiosks
from portal.domain.i18n.formatting import current_locale
from portal.extensions import db
from portal.web import confirmation
from portal.web.admin.kiosk_forms import CENTRE_KIND_LABELS, PRINTER_LABELS, CentreForm, KioskActionForm, KioskForm
from portal.web.admin.routes import blueprint


def _list_page(*, link=None, linked_kiosk=None):
    return render_template("pages/admin/kiosks.html", centres=kiosk_data.centres(), link=link,
                           linked_kiosk=linked_kiosk,
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
