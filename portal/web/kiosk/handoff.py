""""Continue on my phone" (issue 14): a kiosk shows a QR code of a short-lived, single-use link; the person
opens it on their own phone, confirms, and the draft is there while the kiosk's session ends.

Kiosk side (on an enrolled kiosk, for a draft of the signed-in person's own): "Continue on my phone" (POST)
makes the link (portal.domain.handoff: 256-bit secret, LIFETIME, the draft's earlier links cancelled) and
answers with the QR page. The secret is shown only in that response, never stored, so the page is not
reached by a redirect. The page's script asks `handoff_status` every few seconds (`passive`: it never moves
an idle clock); when the link is used, it calls the kiosk's finish, so the kiosk goes home with
Clear-Site-Data. Status and cancel answer only the browser session that made the link.

Not while an operator assists: the kiosk's browser session is then the operator's (signed in with password
and TOTP), not the citizen's, so using the link would end the operator's sign-in, and a draft of an assisted
session carries that session's consent and "filed with help" record, which belong at the kiosk. When the
assisted session ends the draft is the citizen's and they can open it on their phone by signing in.

Phone side: GET `/continue/<secret>` only shows a confirmation (a link previewer must never use the link);
the POST uses it. A draft of an account holder needs that account signed in on the phone; a guest's draft
signs the phone in as the guest (a guest has no password). Opening the link on a kiosk is refused.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.domain import audit, handoff, links
from portal.domain.applications import versions
from portal.extensions import db
from portal.payments import khqr_image
from portal.web.accounts.auth import start_session
from portal.web.applicant.application_forms import ConfirmForm
from portal.web.applicant.applications import own_application
from portal.web.errors import render_error
from portal.web.helpers import keep_private
from portal.web.kiosk import device
from portal.web.kiosk.routes import blueprint
from portal.web.security import sessions
from portal.web.security.timeouts import passive

phone = Blueprint("handoff", __name__)
STATUS_EVERY_SECONDS = 3


def _kiosk_session_digest() -> str | None:
    """The web_sessions.id_digest of this browser's session, from its cookie (the row may be gone)."""
    sid = request.cookies.get(current_app.session_interface.get_cookie_name(current_app))
    return sessions.digest(sid) if sid else None


def end_on_finish() -> None:
    """Kiosk "finish and clear" or idle: the links of guests' drafts this browser's session made stop working
    (portal.domain.handoff.cancel_for_session says why only those)."""
    digest = _kiosk_session_digest()
    if digest:
        handoff.cancel_for_session(digest, current_user if current_user.is_authenticated else None)
        db.session.commit()


def offered(application) -> bool:
    """Whether a draft's pages show "Continue on my phone" (templates call this)."""
    return (device.current() is not None and g.get("assisting_operator") is None and current_user.is_authenticated
            and handoff.may_hand_off(application, current_user))


@blueprint.post("/applications/<public_id>/handoff")
@login_required
def handoff_make(public_id: str):
    application, service = own_application(public_id)
    if not offered(application):
        abort(404)  # not a kiosk, an operator assisting, not a draft of the person's own
    if not ConfirmForm().validate():
        abort(400)
    link, secret = handoff.make(application, current_user, device.current(), _kiosk_session_digest())
    db.session.commit()
    url = links.external_url("handoff.confirm", secret=secret)
    minutes = int(handoff.LIFETIME.total_seconds() // 60)
    response = current_app.make_response(render_template(
        "pages/kiosk/handoff.html", application=application, service=service, link=link,
        qr_code=khqr_image.svg_data_uri(url), minutes=minutes, confirm=ConfirmForm(),
        status_every=STATUS_EVERY_SECONDS))
    return keep_private(response)


def _link_of_this_kiosk_session(link_id: str):
    link = handoff.for_kiosk_session(link_id, device.current(), _kiosk_session_digest())
    if link is None:
        abort(404)
    return link


@blueprint.get("/handoff/<link_id>/status")
@passive  # the page's script asks every few seconds: that is not the person being there
def handoff_status(link_id: str):
    """open, used, cancelled or expired. No sign-in needed: once the link is used the kiosk's session is
    gone, and the page must still learn it. Only the browser session that made the link is answered."""
    link = _link_of_this_kiosk_session(link_id)
    response = current_app.response_class(f'{{"state":"{handoff.state(link)}"}}', mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/handoff/<link_id>/cancel")
@login_required
def handoff_cancel(link_id: str):
    link = _link_of_this_kiosk_session(link_id)
    if link.person_id != current_user.id or not ConfirmForm().validate():
        abort(404 if link.person_id != current_user.id else 400)
    if handoff.cancel(link, current_user):
        db.session.commit()
        flash(_("The QR code was cancelled. You can go on here."), "info")
    application = link.application
    return redirect(url_for("applicant.application", public_id=application.public_id), 303)


# --- the phone -----------------------------------------------------------------------------------

NOT_USABLE = (_l("This link does not work"),
              _l("It was already used, it expired or it was cancelled. Make a new QR code at the kiosk, or sign "
                 "in on this phone and open your application from “My applications”."))


@phone.route("/continue/<secret>", methods=["GET", "POST"])
def confirm(secret: str):
    """GET shows what will happen and a button; only the POST (CSRF) uses the link."""
    if device.current() is not None:
        return render_error(403, _l("Open this link on your own phone"),
                            _l("This link moves an application from a kiosk to your phone. It cannot be opened on "
                               "a kiosk."))
    try:
        link = handoff.usable(secret)
    except handoff.NotUsable:
        db.session.rollback()
        return render_error(410, *NOT_USABLE)
    owner = handoff.owner(link)
    signed_in = current_user.is_authenticated
    if owner.is_guest:
        if signed_in and current_user.id != owner.id:
            return render_error(403, _l("You are signed in with another account"),
                                _l("This application was started at the kiosk without an account. Sign out on this "
                                   "phone first, then scan the QR code again."))
    elif not signed_in:
        flash(_("Sign in to continue your application on this phone."), "info")
        return redirect(url_for("accounts.sign_in", next=url_for(".confirm", secret=secret)))
    elif current_user.id != owner.id:
        audit.record_refusal(current_user, "handoff_link", link.public_id, application=link.application_id)
        db.session.commit()
        return render_error(403, _l("This application is not yours"),
                            _l("The account signed in on this phone is not the one that started this application. "
                               "Sign out, then sign in with the account you used at the kiosk."))
    form = ConfirmForm()
    if request.method == "GET":
        response = current_app.make_response(render_template(
            "pages/kiosk/handoff_confirm.html", form=form, service=versions.definition_for(link.application),
            guest=owner.is_guest))
        return keep_private(response)
    if not form.validate():
        abort(400)
    try:
        handoff.redeem(link, owner)
    except handoff.NotUsable:
        db.session.rollback()
        return render_error(410, *NOT_USABLE)
    if not signed_in:
        start_session(owner)  # a guest: as the sign-in page starts a session
        audit.record_sign_in(owner)
    public_id = link.application.public_id
    db.session.commit()
    flash(_("Your application is now on this phone. The kiosk was cleared."), "success")
    return redirect(url_for("applicant.application", public_id=public_id), 303)
