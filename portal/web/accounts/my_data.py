""""Download my data" (issue 18): the person asks for an archive of everything held about them, a job
prepares it and tells them, and they download it here for a day (docs/retention.md, "Your data")."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.domain import clock
from portal.domain.personal_data import exports
from portal.extensions import db
from portal.web.accounts import blueprint
from portal.web.applicant.application_forms import ConfirmForm


@blueprint.get("/account/my-data")
@login_required
def my_data():
    latest = exports.latest(current_user)
    return render_template("pages/accounts/my_data.html", latest=latest,
                           state=exports.state(latest) if latest else None, form=ConfirmForm())


@blueprint.post("/account/my-data")
@login_required
def prepare_my_data():
    if not ConfirmForm().validate():
        abort(400)
    try:
        exports.request(current_user._get_current_object())
    except exports.InProgress:
        flash(_("Your archive is being prepared already. We will tell you when it is ready."), "info")
        return redirect(url_for(".my_data"))
    db.session.commit()
    flash(_("We are preparing your archive. We will tell you when it is ready, usually within minutes."), "success")
    return redirect(url_for(".my_data"))


@blueprint.get("/account/my-data/<public_id>/download")
@login_required
def download_my_data(public_id: str):
    found = exports.for_download(current_user, public_id)
    if found is None:
        abort(404)
    export, path = found
    exports.record_download(current_user._get_current_object(), export)
    db.session.commit()
    return send_file(path, mimetype="application/zip", as_attachment=True, max_age=0,
                     download_name=f"one-window-my-data-{clock.today().isoformat()}.zip")
