"""`/track`: following an application made without an account (a kiosk guest, issue 14), from any device.

The person types (or the receipt's QR code fills, from the link's fragment: static/js/track.js) the
reference and the tracking secret printed on their receipt. Both right: the application's state, office,
expected decision date, what is still due and the documents issued (the application page's own parts,
components/application_status.html and components/payment_account.html). Anything else is one and the same
message, whichever of the two was wrong. Wrong tries are counted per client address (TrackingThrottle):
past the limit, a 429 with the wait, and nothing is checked.

The documents are downloaded in the same browser session: a right answer names the application in the
server-side session (never in a URL), and `/track/documents/<id>` serves only documents issued for an
application named there.
"""

from __future__ import annotations

import math
import re

from flask import Blueprint, abort, current_app, render_template, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from portal.data import applications as application_data
from portal.data import documents as document_data
from portal.domain import guests
from portal.domain.applications import versions
from portal.domain.applications.decision_date import expected_decision
from portal.domain.i18n.formatting import digits
from portal.domain.identity.throttle import TrackingThrottle, address_key
from portal.extensions import redis_connection
from portal.payments import account
from portal.web.applicant.documents import _file_response, attachment_header
from portal.web.errors import render_error

blueprint = Blueprint("track", __name__, url_prefix="/track")
TRACKED = "_tracked"  # public ids of the applications this browser session opened here
MAX_TRACKED = 5
PAGE = "pages/public/track.html"
PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # what new_public_id makes; anything else is not looked up


class TrackForm(FlaskForm):
    reference = StringField(
        _l("Reference"), validators=[InputRequired(_l("Enter the reference on your receipt.")), Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})
    secret = StringField(
        _l("Tracking secret"),
        validators=[InputRequired(_l("Enter the tracking secret on your receipt.")), Length(max=40)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _page(form, status=200, **found):
    return _no_store(current_app.make_response((render_template(PAGE, form=form, **found), status)))


@blueprint.get("")
def form():
    return _page(TrackForm(formdata=None))


@blueprint.post("")
def check():
    form = TrackForm()
    if not form.validate():
        return _page(form, 400)
    throttle = TrackingThrottle(redis_connection.client)
    address = address_key(request.remote_addr)
    blocked = throttle.blocked(address)
    if blocked is not None:
        minutes = max(1, math.ceil(blocked.retry_after / 60))
        body, status = render_error(
            429, _("Too many attempts"),
            ngettext("Too many wrong references or tracking secrets were tried from here. Please wait "
                     "%(minutes)s minute before you try again.",
                     "Too many wrong references or tracking secrets were tried from here. Please wait "
                     "%(minutes)s minutes before you try again.", minutes, minutes=digits(minutes)))
        return _no_store(current_app.make_response((body, status, {"Retry-After": str(blocked.retry_after)})))
    application = guests.tracked(form.reference.data, form.secret.data, current_app.config["SECRET_KEY"])
    if application is None:
        throttle.record_failure(address)
        form.form_errors.append(_("This reference and tracking secret do not match an application. Check both "
                                  "on your receipt and try again."))
        return _page(form, 400)
    tracked = [p for p in (session.get(TRACKED) or []) if p != application.public_id][-(MAX_TRACKED - 1):]
    session[TRACKED] = [*tracked, application.public_id]
    service = versions.definition_for(application)
    return _page(TrackForm(formdata=None), application=application, service=service,
                 account=account.account(service, application),
                 expected_decision=expected_decision(service, application),
                 agency=versions.agency_for(application, application.current_agency),
                 issued=document_data.for_application(application.id))


@blueprint.get("/documents/<public_id>")
def document(public_id: str):
    """A document issued for an application this browser session opened with its tracking secret."""
    found = document_data.get_by_public_id(public_id) if PUBLIC_ID.match(public_id) else None
    tracked = session.get(TRACKED) or []
    application = application_data.get_by_id(found.application_id) if found and found.application_id else None
    # `application_id` is the application a document was issued for (documents.for_application).
    if application is None or application.public_id not in tracked or application.tracking_digest is None:
        abort(404)
    return _no_store(_file_response(found, attachment_header(found.original_name)))
