"""The signed-in person's own sign-in settings: changing the password (everyone) and replacing the
authenticator app (staff and administrators).

Both ask for what the person already has (the current password; a code from the current app), counted
by the sign-in throttle like a failed sign-in, so a session left open cannot be used to take the
account over quickly. A change ends every other session of the person and keeps this one, under a new
session id; the person is told through every channel they have.

A password change does not ask for a TOTP code: ASVS 2.1.6 asks for the current password, and a staff
session already passed the second step at sign-in.
"""

from __future__ import annotations

from flask import abort, after_this_request, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.domain import audit
from portal.domain.identity import authentication, credentials, totp
from portal.domain.identity.passwords import verify_password
from portal.domain.identity.throttle import SignInThrottle
from portal.extensions import db, redis_connection
from portal.web.accounts import blueprint
from portal.web.accounts.auth import _address, _too_many_attempts
from portal.web.accounts.auth_forms import ChangePasswordForm, ReplaceAuthenticatorForm
from portal.web.accounts.qr import authenticator_setup
from portal.web.helpers import keep_private
from portal.web.security import timeouts

NEW_AUTHENTICATOR = "new_authenticator"


def _check_proof(person, proved) -> tuple[bool, object | None]:
    """Run `proved()` (does what the person typed prove who they are?) under the sign-in throttle.
    (True, None): proved. (False, None): wrong, and counted. (False, response): blocked."""
    account = authentication.throttle_key_of(person)
    throttle = SignInThrottle(redis_connection.client)
    check = throttle.check(account, _address())
    if check.account:
        return False, _too_many_attempts(check.account)
    if proved():
        return True, None
    throttle.record_failure(account, _address())
    if check.address:
        return False, _too_many_attempts(check.address)
    return False, None


def _changed(person, change: str, message: str):
    audit.record_account_change(person, change)
    timeouts.restamp(person)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("accounts.profile"))


@blueprint.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    person = current_user._get_current_object()
    form = ChangePasswordForm()
    page = "pages/accounts/change_password.html"
    if request.method == "GET":
        return render_template(page, form=form)
    if not form.validate_on_submit():
        return render_template(page, form=form), 400
    proved, refused = _check_proof(person, lambda: verify_password(person.password_hash, form.current.data))
    if refused is not None:
        return refused
    if not proved:
        form.current.errors.append(_("That is not your current password"))
        return render_template(page, form=form), 400
    credentials.change_password(person, form.password.data)
    return _changed(person, "password_changed",
                    _("Your password was changed. Anywhere else you were signed in, you are now signed out."))


@blueprint.route("/account/authenticator", methods=["GET", "POST"])
@login_required
def replace_authenticator():
    person = current_user._get_current_object()
    if not person.needs_totp:
        abort(404)
    after_this_request(keep_private)
    state = session.get(NEW_AUTHENTICATOR)
    if not isinstance(state, dict) or state.get("person") != person.public_id or not state.get("secret"):
        # Kept (sealed) in the session, so the QR code stays the same while the person tries codes.
        state = {"person": person.public_id, "secret": totp.new_sealed(person)}
        session[NEW_AUTHENTICATOR] = state
    new_secret = totp.open_sealed(person, state["secret"])
    form = ReplaceAuthenticatorForm()

    def show(status: int = 200):
        setup = authenticator_setup(new_secret, person.email or person.phone)
        return render_template("pages/accounts/authenticator.html", form=form, setup=setup), status

    if request.method == "GET":
        return show()
    if not form.validate_on_submit():
        return show(400)
    # The new app's code first: it costs nothing, and a mistake there must not use up the current code.
    if not totp.matches(new_secret, form.new_code.code):
        form.new_code.errors.append(_("That code is not from the new app. Enter the code it shows now."))
        return show(400)
    proved, refused = _check_proof(person, lambda: totp.check_person_code(person, form.current_code.code))
    if refused is not None:
        return refused
    if not proved:
        form.current_code.errors.append(_("That code is not right. Enter the code your current app shows now."))
        return show(400)
    totp.confirm_new_secret(person, new_secret, form.new_code.code)
    credentials.replace_authenticator(person, state["secret"])
    session.pop(NEW_AUTHENTICATOR, None)
    return _changed(person, "authenticator_replaced",
                    _("Your new authenticator app is set up; the old one no longer works. Anywhere else you were "
                      "signed in, you are now signed out."))
