"""Enrolment of staff and administrators with the one-time link from their email: choose a password,
then set up an authenticator app and confirm it with a code. Only then is the account usable, and the
person is signed in.

The token must not reach a URL that access logs, browser history or a Referer keep: the link is
`/enrol/link#<token>`, whose fragment browsers never send. The page's script (or the person, pasting
the link) posts the token; it is checked, which enrolment it names is kept in the (server-side)
session, and the browser goes on to `/enrol`, which carries nothing. Every step checks again that the
enrolment is still the current one (a new link, or finishing it in another tab, ends it). The chosen
password waits in the session as its Argon2 hash, the new secret sealed with the data key; both reach
the database together, with one UPDATE deciding that the link was used once.
"""

from __future__ import annotations

import functools

from flask import after_this_request, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.domain import audit
from portal.domain.identity import enrolment, totp
from portal.domain.identity.passwords import hash_password
from portal.extensions import db
from portal.web.accounts import blueprint
from portal.web.accounts.auth import LINK_PAGE, start_session
from portal.web.accounts.auth_forms import CodeForm, MessageLinkForm, ResetPasswordForm
from portal.web.accounts.qr import authenticator_setup
from portal.web.helpers import keep_private

ENROLMENT = "enrolment"
INVALID_PAGE = "pages/accounts/enrol_link_invalid.html"


def _refusal():
    """Why this visitor cannot enrol now, as a response; None if they may go on."""
    after_this_request(keep_private)
    if current_user.is_authenticated:
        return render_template("pages/accounts/enrol_signed_in.html"), 409
    return None


def _invalid():
    session.pop(ENROLMENT, None)
    return render_template(INVALID_PAGE), 400


def _current():
    """The enrolment this session is in and its person, if it is still the current one."""
    state = session.get(ENROLMENT)
    if not isinstance(state, dict):
        return None, None, None
    claim = enrolment.Claim(str(state.get("person", "")), str(state.get("nonce", "")))
    person = enrolment.person_for(claim)
    return (state, claim, person) if person is not None else (None, None, None)


@blueprint.route("/enrol/link", methods=["GET", "POST"])
def enrol_link():
    refused = _refusal()
    if refused:
        return refused
    form = MessageLinkForm()
    page = {"form": form, "heading": _("Set up your staff account")}
    if request.method == "GET":
        return render_template(LINK_PAGE, **page)
    if not form.validate_on_submit():
        return render_template(LINK_PAGE, **page), 400
    claim = enrolment.claim_for_token(form.link.token)
    if claim is None:
        return _invalid()
    session.regenerate()
    session[ENROLMENT] = {"person": claim.person_public_id, "nonce": claim.nonce}
    return redirect(url_for("accounts.enrol_password"), 303)


def _in_enrolment(view):
    """The view runs for a signed-out visitor whose session holds a current enrolment, and is given
    the session's state, the claim and the person; anyone else is told why not."""
    @functools.wraps(view)
    def checked():
        refused = _refusal()
        if refused:
            return refused
        state, claim, person = _current()
        if person is None:
            return _invalid()
        return view(state, claim, person)
    return checked


@blueprint.route("/enrol", methods=["GET", "POST"])
@_in_enrolment
def enrol_password(state, _claim, person):
    form = ResetPasswordForm()
    page = "pages/accounts/enrol_password.html"
    if request.method == "GET":
        return render_template(page, form=form, person=person)
    if not form.validate_on_submit():
        return render_template(page, form=form, person=person), 400
    session[ENROLMENT] = {**state, "password_hash": hash_password(form.password.data)}
    return redirect(url_for("accounts.enrol_authenticator"))


@blueprint.route("/enrol/authenticator", methods=["GET", "POST"])
@_in_enrolment
def enrol_authenticator(state, claim, person):
    if not state.get("password_hash"):
        return redirect(url_for("accounts.enrol_password"))
    if not state.get("secret"):
        # Made once per enrolment session, so the QR code stays the same while the person tries codes.
        state = {**state, "secret": totp.new_sealed(person)}
        session[ENROLMENT] = state
    secret = totp.open_sealed(person, state["secret"])
    form = CodeForm()
    page = "pages/accounts/enrol_authenticator.html"

    def show(status: int = 200):
        return render_template(page, form=form, person=person, setup=authenticator_setup(secret, person.email)), status

    if request.method == "GET":
        return show()
    if not form.validate_on_submit():
        return show(400)
    confirmed = totp.confirm_new_secret(person, secret, form.code.code)
    if not confirmed:
        form.code.errors.append(_("That code is not right. Enter the code the app shows now for One Window."))
        return show(400)
    if not enrolment.finish(person, claim, state["password_hash"], state["secret"]):
        return _invalid()
    session.pop(ENROLMENT, None)
    audit.record_account_change(person, "enrolled")
    start_session(person)
    audit.record_sign_in(person)
    db.session.commit()
    flash(_("Your account is ready and you are signed in. Next time, sign in with your email address, your "
            "password and a code from your authenticator app."), "success")
    return redirect(url_for("staff.queue") if person.is_staff else url_for("accounts.profile"))
