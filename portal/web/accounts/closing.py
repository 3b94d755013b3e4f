"""Closing one's own account (issue 18, portal.domain.personal_data.closing): the page says what happens, the
person gives their password (counted by the sign-in throttle like a failed sign-in) and ticks that they
understand; then they are signed out, everywhere, for good."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from portal.domain.personal_data import closing
from portal.extensions import db
from portal.web.accounts import blueprint
from portal.web.accounts.auth_forms import CloseAccountForm
from portal.web.accounts.security import _check_proof

PAGE = "pages/accounts/close.html"


@blueprint.route("/account/close", methods=["GET", "POST"])
@login_required
def close_account():
    person = current_user._get_current_object()
    form = CloseAccountForm()
    obstacles = closing.obstacles(person)
    if request.method == "GET" or obstacles:
        return render_template(PAGE, form=form, obstacles=obstacles), 200 if request.method == "GET" else 409
    if not form.validate_on_submit():
        return render_template(PAGE, form=form, obstacles=obstacles), 400
    outcome: list = []

    def proved() -> bool:
        outcome.append(closing.close(person, form.password.data))
        return outcome[0] is not None

    try:
        _proved, refused = _check_proof(person, proved)
    except closing.Refused:
        db.session.rollback()
        flash(_("Your account could not be closed now: it may have changed meanwhile. Nothing was changed."), "info")
        return redirect(url_for(".close_account"))
    if refused is not None:
        return refused
    done = outcome[0] if outcome else None
    if done is None:
        db.session.rollback()
        form.password.errors.append(_("That is not your password"))
        return render_template(PAGE, form=form, obstacles=obstacles), 400
    db.session.commit()
    closing.finish(done)
    logout_user()
    session.clear()
    session.regenerate()
    flash(_("Your account is closed. What the law requires the offices to keep stays until its time ends; the "
            "rest is gone."), "success")
    return redirect(url_for("public.home"))
