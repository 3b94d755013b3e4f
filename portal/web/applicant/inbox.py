"""The in-portal inbox: every notification a person was sent, in their language."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required

from portal.data import notifications
from portal.domain.i18n.formatting import current_locale
from portal.domain.notify.messages import render
from portal.extensions import db
from portal.web.applicant import blueprint


@blueprint.get("/inbox")
@login_required
def inbox():
    locale = current_locale()
    items = [(n, render(n.message, n.params, locale)) for n in notifications.inbox(current_user.id)]
    return render_template("pages/applicant/inbox.html", items=items,
                           unread=notifications.unread_count(current_user.id))


@blueprint.post("/inbox/read")
@login_required
def mark_read():
    notifications.mark_all_read(current_user.id)
    db.session.commit()
    return redirect(url_for(".inbox"))
