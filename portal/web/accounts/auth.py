"""Registration, signing in (a password, then a TOTP code for staff), signing out, password reset."""

from __future__ import annotations

import math
import time

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user

from portal.data import people
from portal.domain import audit
from portal.domain.i18n.formatting import current_locale, digits
from portal.domain.identity import authentication, password_reset, registration, totp
from portal.domain.identity.authentication import Outcome
from portal.domain.identity.throttle import (
    Blocked,
    RegistrationThrottle,
    ResetRequestThrottle,
    SignInThrottle,
    address_key,
)
from portal.extensions import db, login_manager, redis_connection
from portal.jobs.outbox import schedule
from portal.web.accounts import blueprint
from portal.web.accounts.auth_forms import (
    CodeForm,
    ForgotPasswordForm,
    MessageLinkForm,
    RegisterForm,
    RegistrationCodeForm,
    ResetPasswordForm,
    SignInForm,
)
from portal.web.errors import render_error
from portal.web.helpers import safe_next_url
from portal.web.locale import chosen_in_browser
from portal.web.security import timeouts

# Flask-Login flashes this on our sign-in page when a page needs a signed-in person; `str` turns the
# lazy text into the page's language before it is stored (the session keeps plain strings only).
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.localize_callback = str

PENDING = "pending_sign_in"
PENDING_SECONDS = 5 * 60
# Redis being unreachable shows up as either of these, depending on where it fails.

SIGN_IN_PAGE = "pages/accounts/sign_in.html"
CODE_PAGE = "pages/accounts/sign_in_code.html"
REGISTER_PAGE = "pages/accounts/register.html"
CONFIRM_PAGE = "pages/accounts/register_confirm.html"
FORGOT_PAGE = "pages/accounts/forgot_password.html"
RESET_PAGE = "pages/accounts/reset_password.html"
LINK_PAGE = "pages/accounts/message_link.html"


def _address() -> str:
    return address_key(request.remote_addr)


def _too_many_attempts(blocked: Blocked):
    minutes = max(1, math.ceil(blocked.retry_after / 60))
    body, status = render_error(
        429,
        _("Too many attempts"),
        ngettext("For your security, please wait %(minutes)s minute before you try again.",
                 "For your security, please wait %(minutes)s minutes before you try again.",
                 minutes, minutes=digits(minutes)),
    )
    return body, status, {"Retry-After": str(blocked.retry_after)}


def start_session(person) -> None:
    """A new session id, then the login: a session id seen before sign-in never carries a login.
    The CSRF secret is renewed too, so a token seen before sign-in is no use afterwards. Every way into a
    session uses this: the sign-in pages, registration, and a kiosk guest (portal/web/kiosk/guests.py)."""
    session.regenerate()
    session.pop("csrf_token", None)
    _keep_language_chosen_before(person)
    login_user(person)
    timeouts.start(person)
    authentication.record_sign_in(person)


def _keep_language_chosen_before(person) -> None:
    """A language chosen in this browser before signing in (the `lang` cookie, set only by the
    language switch or `?lang=`) is the person's newest choice: it becomes their saved choice, which
    every page after sign-in follows. Without one, the saved choice stands."""
    chosen = chosen_in_browser()
    if chosen is not None and chosen != person.locale:
        people.set_locale(person, chosen)


# --- registration -------------------------------------------------------------------------------

REGISTERING = "registration"


@blueprint.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = RegisterForm()
    if request.method == "GET":
        return render_template(REGISTER_PAGE, form=form)
    if not form.validate_on_submit():
        return render_template(REGISTER_PAGE, form=form), 400
    blocked = RegistrationThrottle(redis_connection.client).allow(_address(), form.contact.contact.value)
    if blocked:
        return _too_many_attempts(blocked)
    # The same answer whether or not the contact has an account: the message sent to it differs.
    pending = registration.start(form.contact.contact, form.password.data, current_locale())
    db.session.commit()
    session[REGISTERING] = pending.public_id
    return redirect(url_for("accounts.confirm_registration"))


def _registration_or_restart():
    pending = registration.pending_for(session.get(REGISTERING))
    if pending is None:
        session.pop(REGISTERING, None)
        flash(_("Your registration has timed out. Please start again."), "info")
    return pending


@blueprint.route("/register/confirm", methods=["GET", "POST"])
def confirm_registration():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    pending = _registration_or_restart()
    if pending is None:
        return redirect(url_for("accounts.register"))
    form = RegistrationCodeForm()
    if request.method == "GET":
        return render_template(CONFIRM_PAGE, form=form, pending=pending)
    if not form.validate_on_submit():
        return render_template(CONFIRM_PAGE, form=form, pending=pending), 400
    try:
        person = registration.confirm(pending, form.code.code, current_app.config["SECRET_KEY"])
    except (registration.WrongCode, registration.TooManyWrongCodes) as problem:
        db.session.commit()  # the wrong code counts
        form.code.errors.append(
            _("That code is not right. Enter the code from the newest message we sent.")
            if isinstance(problem, registration.WrongCode)
            else _("Too many wrong codes. Ask for a new code, then enter the new one."))
        return render_template(CONFIRM_PAGE, form=form, pending=pending), 400
    except registration.Expired:
        session.pop(REGISTERING, None)
        flash(_("Your registration has timed out. Please start again."), "info")
        return redirect(url_for("accounts.register"))
    except registration.AlreadyRegistered:
        db.session.commit()
        session.pop(REGISTERING, None)
        flash(_("There is already an account with this email address or phone number. Sign in, or set a new "
                "password if you have forgotten it."), "info")
        return redirect(url_for("accounts.sign_in"))
    session.pop(REGISTERING, None)
    start_session(person)
    db.session.commit()
    flash(_("Your account has been created and you are signed in."), "success")
    return redirect(url_for("accounts.profile"))


@blueprint.post("/register/confirm/new-code")
def send_new_registration_code():
    pending = _registration_or_restart()
    if pending is None:
        return redirect(url_for("accounts.register"))
    blocked = RegistrationThrottle(redis_connection.client).allow_new_code(pending.contact_value)
    if blocked:
        return _too_many_attempts(blocked)
    registration.send_again(pending)
    db.session.commit()
    flash(_("We have sent a new code. Only the newest code works."), "success")
    return redirect(url_for("accounts.confirm_registration"))


# --- signing in ---------------------------------------------------------------------------------

@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    form = SignInForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
        return render_template(SIGN_IN_PAGE, form=form)
    if not form.validate_on_submit():
        return render_template(SIGN_IN_PAGE, form=form), 400

    account = authentication.throttle_key(form.contact.contact)
    throttle = SignInThrottle(redis_connection.client)
    check = throttle.check(account, _address())
    if check.account:
        return _too_many_attempts(check.account)
    result = authentication.check_password(form.contact.contact, form.password.data)
    if result.outcome is Outcome.FAILED:
        throttle.record_failure(account, _address())

    if result.outcome is Outcome.FAILED:
        audit.record_failed_sign_in(form.contact.contact.value, "credentials")
        db.session.commit()
        if check.address:
            return _too_many_attempts(check.address)
        form.form_errors.append(_("The details you entered do not match an account"))
        return render_template(SIGN_IN_PAGE, form=form), 400
    if result.outcome is Outcome.INACTIVE:
        audit.record_failed_sign_in(form.contact.contact.value, "inactive")
        db.session.commit()
        form.form_errors.append(_("This account has been closed. Contact an administrator if you need it again."))
        return render_template(SIGN_IN_PAGE, form=form), 403
    if result.outcome is Outcome.NO_SECOND_FACTOR:
        form.form_errors.append(_("Your account must use an authenticator app for a security code, but none is "
                                  "set up yet. Please contact an administrator."))
        return render_template(SIGN_IN_PAGE, form=form), 403
    next_url = safe_next_url(form.next.data, "accounts.profile")
    if result.outcome is Outcome.NEEDS_CODE:
        # Half signed in: only the session knows, for five minutes; it is not a login.
        session.regenerate()
        session[PENDING] = {"person": result.person.public_id, "account": account,
                            "until": int(time.time()) + PENDING_SECONDS, "next": next_url,
                            "stamp": result.person.session_stamp}
        db.session.commit()  # a password hash upgraded by check_password, if any
        return redirect(url_for("accounts.sign_in_code"))
    return _finish_sign_in(result.person, account, next_url)


def _finish_sign_in(person, account: str, next_url: str):
    session.pop(PENDING, None)
    start_session(person)
    SignInThrottle(redis_connection.client).record_success(account)
    audit.record_sign_in(person)
    db.session.commit()
    return redirect(next_url)


def _pending_sign_in() -> dict | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        session.pop(PENDING, None)
        return None
    return pending


@blueprint.route("/sign-in/code", methods=["GET", "POST"])
def sign_in_code():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.profile"))
    pending = _pending_sign_in()
    person = people.get_by_public_id(pending["person"]) if pending else None
    if pending is None or not authentication.first_step_still_valid(person, pending.get("stamp")):
        session.pop(PENDING, None)
        flash(_("Your sign-in has timed out. Please enter your details again."), "info")
        return redirect(url_for("accounts.sign_in"))
    form = CodeForm()
    if request.method == "GET":
        return render_template(CODE_PAGE, form=form)
    if not form.validate_on_submit():
        return render_template(CODE_PAGE, form=form), 400

    if not authentication.may_finish_second_step(person):
        session.pop(PENDING, None)
        flash(_("You cannot sign in with this account now. Contact an administrator."), "error")
        return redirect(url_for("accounts.sign_in"))
    throttle = SignInThrottle(redis_connection.client)
    check = throttle.check(pending["account"], _address())
    if check.account:
        session.pop(PENDING, None)
        return _too_many_attempts(check.account)
    accepted = totp.check_person_code(person, form.code.code)
    if not accepted:
        throttle.record_failure(pending["account"], _address())
    if not accepted:
        audit.record_failed_sign_in(None, "code", person)
        db.session.commit()
        if check.address:
            return _too_many_attempts(check.address)
        form.code.errors.append(_("That code is not right. Enter the code your authenticator app shows now."))
        return render_template(CODE_PAGE, form=form), 400
    return _finish_sign_in(person, pending["account"], pending["next"])


# --- signing out --------------------------------------------------------------------------------

@blueprint.post("/sign-out")
def sign_out():
    logout_user()
    session.clear()
    session.regenerate()
    flash(_("You have signed out"), "success")
    return redirect(url_for("public.home"))


# --- password reset -----------------------------------------------------------------------------

@blueprint.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if request.method == "GET":
        return render_template(FORGOT_PAGE, form=form)
    if not form.validate_on_submit():
        return render_template(FORGOT_PAGE, form=form), 400
    contact = form.contact.contact
    # Counted for every contact, known or not, so that the answer is the same either way.
    allowed = ResetRequestThrottle(redis_connection.client).allow(contact.value)
    person = people.get_by_contact(contact.kind, contact.value)
    if allowed and person is not None and person.is_active:
        schedule(password_reset.send_reset_link, person.id)
        db.session.commit()
    return redirect(url_for("accounts.password_link_sent"))


@blueprint.get("/password/forgot/sent")
def password_link_sent():
    return render_template("pages/accounts/password_link_sent.html")


# The link in the message is `/password/reset#<token>`: a fragment never leaves the browser, so the
# token reaches no access log, proxy log or Referer. The page's script (or the person, pasting the
# link) sends it by POST; the session then holds it while the person chooses a password at a URL
# without it.
RESET_IN_SESSION = "password_reset"
RESET_SESSION_SECONDS = 15 * 60


@blueprint.after_request
def _keep_reset_pages_private(response):
    if request.endpoint in ("accounts.reset_password", "accounts.choose_new_password"):
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/r")
def short_reset():
    """The short address of text messages' reset links: the browser keeps the `#token` across the
    redirect (a Location without a fragment inherits it)."""
    return redirect(url_for("accounts.reset_password"))


@blueprint.route("/password/reset", methods=["GET", "POST"])
def reset_password():
    form = MessageLinkForm()
    page = {"form": form, "heading": _("Reset your password"), "ask_again": "accounts.forgot_password"}
    if request.method == "GET":
        return render_template(LINK_PAGE, **page)
    if not form.validate_on_submit():
        return render_template(LINK_PAGE, **page), 400
    person = password_reset.person_for_token(current_app.config["SECRET_KEY"], form.link.token)
    if person is None:
        return render_template("pages/accounts/reset_link_invalid.html"), 400
    session[RESET_IN_SESSION] = {"token": form.link.token, "until": int(time.time()) + RESET_SESSION_SECONDS}
    return redirect(url_for("accounts.choose_new_password"))


def _person_resetting():
    held = session.get(RESET_IN_SESSION)
    if not isinstance(held, dict) or held.get("until", 0) < time.time():
        session.pop(RESET_IN_SESSION, None)
        return None
    return password_reset.person_for_token(current_app.config["SECRET_KEY"], held.get("token", ""))


@blueprint.route("/password/new", methods=["GET", "POST"])
def choose_new_password():
    person = _person_resetting()
    if person is None:
        return render_template("pages/accounts/reset_link_invalid.html"), 400
    form = ResetPasswordForm()
    if request.method == "GET":
        return render_template(RESET_PAGE, form=form)
    if not form.validate_on_submit():
        return render_template(RESET_PAGE, form=form), 400
    password_reset.set_new_password(person, form.password.data)
    session.pop(RESET_IN_SESSION, None)
    db.session.commit()
    # Whoever holds the link controls the account's email or phone: lift a lock-out on it.
    SignInThrottle(redis_connection.client).record_success(authentication.throttle_key_of(person))
    if current_user.is_authenticated:
        logout_user()
        session.clear()
        session.regenerate()
    flash(_("Your password has been changed. You can now sign in with your new password."), "success")
    return redirect(url_for("accounts.sign_in"))
