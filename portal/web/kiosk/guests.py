"""Applying without an account at a kiosk (issue 14; rules in portal/domain/guests.py).

On an enrolled kiosk the home offers "Apply without an account" for the services whose definition says
`without_account: true`. Starting makes a guest person, signs the kiosk's browser in as them with the
sign-in pages' own `start_session`, and starts the application with the ordinary `journey.start`; from
there on the guest uses the ordinary applicant pages.

What a guest may open (`_guard`) is keyed only on `current_user.is_guest`, whatever way the guest's session
was started: the service and start pages of services that allow guests, the pages of their own applications
(the routes themselves refuse anyone else's), the kiosk receipt, payment pages, finishing and signing out.
Anything else is a 404 (the portal's home goes to the kiosk home on a kiosk).

At submission the tracking secret is made (`issue_tracking`, called by the submit route) and kept, grouped,
in the server-side session for the rest of this kiosk session only: the confirmation and the receipt show it;
it is never in a URL the server sees, nor in a log.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import abort, current_app, redirect, request, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.domain import guests, links
from portal.domain.applications import journey
from portal.domain.catalogue import get_catalogue
from portal.domain.i18n.formatting import current_locale
from portal.extensions import db
from portal.web.kiosk import device
from portal.web.kiosk.routes import blueprint

TRACKING = "_guest_tracking"  # {application public_id: grouped tracking secret}, this session only

_OPEN = {
    "static", "public.font", "public.choose_language", "kiosk.home", "kiosk.still_here", "kiosk.finish",
    "kiosk.guest_start", "accounts.sign_out", "track.form", "track.check", "track.document", "geo.children",
    # "Continue on my phone": status and cancel answer only the kiosk session that made the link; the phone's
    # page checks the link's secret and its owner itself.
    "kiosk.handoff_status", "kiosk.handoff_cancel", "handoff.confirm",
}
# The routes of these check that the application is the person's own (own_application, can_read).
_OWN = {
    "applicant.application", "applicant.application_documents", "applicant.remove_document", "applicant.step",
    "applicant.review", "applicant.submit", "applicant.act", "applicant.khqr_page", "applicant.khqr_status",
    "applicant.ask_for_khqr", "applicant.download", "applicant.view", "kiosk.receipt", "kiosk.receipt_khqr",
    "kiosk.handoff_make",
}
_SERVICE = {"public.service", "applicant.start"}


class StartForm(FlaskForm):
    """Only the CSRF token: which service is in the path."""


def is_guest() -> bool:
    return bool(current_user.is_authenticated and getattr(current_user, "is_guest", False))


def _guard():
    if not is_guest():
        return None
    endpoint = request.endpoint
    if endpoint in _OPEN or endpoint in _OWN:
        return None
    if endpoint in _SERVICE:
        if guests.allows_guests(get_catalogue().get((request.view_args or {}).get("slug", ""))):
            return None
        abort(404)
    if endpoint == "public.home" and device.current() is not None:
        return redirect(url_for("kiosk.home"))
    abort(404)


@blueprint.post("/guest/<slug>")
def guest_start(slug: str):
    """"Apply without an account" for `slug`: a guest, signed in here, and the application started."""
    from portal.web.accounts.auth import start_session  # the sign-in pages' own way into a session

    kiosk = device.current()
    service = get_catalogue().get(slug)
    if kiosk is None or not guests.allows_guests(service):
        abort(404)
    if not StartForm().validate():
        abort(400)
    if current_user.is_authenticated and not is_guest():
        return redirect(url_for("applicant.start", slug=slug), 303)  # someone signed in applies as themselves
    person = current_user if is_guest() else guests.new_guest(current_locale(), kiosk)
    if not is_guest():
        start_session(person)
    application = journey.start(service, person, None, None)
    db.session.commit()
    return redirect(url_for("applicant.step", public_id=application.public_id, step_id=service.steps[0].id), 303)


def issue_tracking(application) -> None:
    """At a guest's submission (the submit route calls this before it commits): the tracking secret, kept
    for this session only."""
    if not is_guest() or application.applicant_person_id != current_user.id:
        return
    secret = guests.issue_tracking_secret(application, current_app.config["SECRET_KEY"])
    kept = dict(session.get(TRACKING) or {})
    kept[application.public_id] = secret
    session[TRACKING] = kept


def tracking_secret(application) -> str | None:
    """The grouped tracking secret of `application`, while the session that submitted it lasts."""
    if application is None or not is_guest():
        return None
    return (session.get(TRACKING) or {}).get(application.public_id)


def track_url(application, secret: str | None) -> str:
    """The /track link for the receipt's QR code: reference and secret in the fragment, which a browser
    never sends to the server (static/js/track.js fills the form from it)."""
    base = links.external_url("track.form")
    if not secret:
        return base
    return base + "#" + urlencode({"ref": application.reference, "secret": secret})


def init_app(app) -> None:
    app.before_request(_guard)
    app.jinja_env.globals["guest_services"] = lambda: guests.guest_services(get_catalogue())
    app.jinja_env.globals["tracking_secret"] = tracking_secret
    app.jinja_env.globals["external_track_url"] = lambda: links.external_url("track.form")
    app.jinja_env.globals["guest_start_form"] = lambda: StartForm(formdata=None)
