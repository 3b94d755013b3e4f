"""Enrolling a kiosk, the kiosk home, "I am still here" and "finish and clear".

Finishing answers with `Clear-Site-Data: "cache", "storage"` and expires the session and language cookies
one by one, rather than sending "cookies": that would also clear the device cookie, and whether a browser
applies a `Set-Cookie` of the same response before or after Clear-Site-Data is not something to stake the
kiosk's enrolment on (docs/kiosks.md).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from portal.domain import kiosks
from portal.extensions import csrf, db
from portal.web.errors import render_error
from portal.web.kiosk import device

blueprint = Blueprint("kiosk", __name__, url_prefix="/kiosk")
CLEAR_SITE_DATA = '"cache", "storage"'


@blueprint.get("/enrol/<secret>")
def enrol(secret: str):
    """The one-time link an administrator was shown. The secret is in the path so that the link can be
    typed or scanned on the kiosk; it works once, for ENROLMENT_HOURS, and only its digest is stored."""
    try:
        kiosk, device_secret = kiosks.enrol(secret)
    except kiosks.LinkNotUsable:
        db.session.rollback()
        return render_error(410, _l("This enrolment link does not work"),
                            _l("It was already used, it expired, or it is not a kiosk enrolment link. Ask an "
                               "administrator for a new one."))
    db.session.commit()
    response = redirect(url_for(".home"))
    device.set_cookie(response, device_secret)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _kiosk_or_404():
    kiosk = device.current()
    if kiosk is None:
        abort(404)
    return kiosk


@blueprint.get("")
def home():
    return render_template("pages/kiosk/home.html", kiosk=_kiosk_or_404())


@blueprint.get("/still-here")
def still_here():
    """Pressed "I am still here": the page stays, and the server's idle clock (device.py) moves."""
    _kiosk_or_404()
    return Response(status=204, mimetype="text/plain")


@blueprint.post("/finish")
@csrf.exempt
def finish():
    """Ends the person's time at the kiosk. No CSRF token, on purpose: the warning's countdown must end
    a session that already expired (whose token no longer matches). It does only this, and only for a
    kiosk: the device cookie is SameSite=Strict, so another site cannot make the kiosk send it here."""
    _kiosk_or_404()
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        abort(404)
    response = redirect(url_for(".home"), code=303)
    device.end_person_session(response)
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
