"""Reprinting a receipt at the centre (issue 14): someone comes back with their reference; the operator asks
for a code sent to the applicant's phone and, once it is typed back, sees the kiosk receipt of that
application only, for a few minutes, and can print it.

The reference is posted, never in a URL. What the browser's (server-side) session holds: the code's HMAC
with its nonce, expiry and wrong tries (`_reprint_code`), then the grant (`_reprint`: the application, the
operator, the kiosk, until when). An unknown reference gets the same pages and answers as a wrong code (a
decoy no code matches); only an application whose applicant has no mobile number is said to be one."""

from __future__ import annotations

import time

from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from portal.data import applications as application_data
from portal.domain import assisted
from portal.domain.identity.throttle import ReprintThrottle
from portal.extensions import db, redis_connection
from portal.web.kiosk import device
from portal.web.kiosk.assist_forms import ReprintCodeForm, ReprintForm
from portal.web.kiosk.assisting import _operator_at_kiosk, filings_page, operator_person
from portal.web.kiosk.routes import blueprint

CODE = "_reprint_code"
GRANT = "_reprint"
GRANT_SECONDS = 5 * 60


@blueprint.post("/assist/reprint")
def reprint_ask():
    _kiosk, operator = _operator_at_kiosk()
    form = ReprintForm()
    if not form.validate():
        return filings_page(form, 400)
    application = assisted.reprint_target(form.normalised)
    if application is not None and assisted.applicant_phone(application) is None:
        form.reference.errors.append(_("This application's applicant has no mobile number, so no code can be sent "
                                       "and the receipt cannot be reprinted here. The applicant can see it in "
                                       "their account, or ask the office."))
        return filings_page(form, 400)
    if ReprintThrottle(redis_connection.client).allow(form.normalised):
        form.reference.errors.append(_("Three codes were sent for this reference in the last hour. Try again later."))
        return filings_page(form, 429)
    held = assisted.send_reprint_code(operator, application, current_app.config["SECRET_KEY"])
    db.session.commit()
    session.pop(GRANT, None)
    session[CODE] = {"application": held.application, "nonce": held.nonce, "digest": held.digest,
                     "until": int(time.time()) + assisted.REPRINT_MINUTES * 60, "wrong": 0,
                     "operator": operator.person.public_id}
    return redirect(url_for(".reprint_code"))


def _code_page(form, status=200):
    return render_template("pages/kiosk/reprint_code.html", form=form), status


def _held_code(operator) -> dict | None:
    held = session.get(CODE)
    if not isinstance(held, dict) or held.get("operator") != operator.person.public_id:
        return None
    return held


@blueprint.route("/assist/reprint/code", methods=["GET", "POST"])
def reprint_code():
    kiosk, operator = _operator_at_kiosk()
    held = _held_code(operator)
    if held is None:
        return redirect(url_for(".assist_filings"))
    if request.method == "GET":
        return _code_page(ReprintCodeForm(formdata=None))
    form = ReprintCodeForm()
    if not form.validate():
        return _code_page(form, 400)
    if held["wrong"] >= assisted.REPRINT_WRONG_CODES:
        form.code.errors.append(_("Too many wrong codes. Start again with the reference to send a new code."))
        return _code_page(form, 429)
    code = assisted.ReprintCode(held["application"], held["nonce"], held["digest"])
    if held["until"] < time.time() or not assisted.reprint_code_matches(current_app.config["SECRET_KEY"], code,
                                                                         form.code.code):
        held["wrong"] += 1
        session[CODE] = held
        form.code.errors.append(_("The reference or the code is not right, or the code expired."))
        return _code_page(form, 429 if held["wrong"] >= assisted.REPRINT_WRONG_CODES else 400)
    application = application_data.get_by_public_id(held["application"])
    session.pop(CODE, None)
    if application is None:
        abort(404)
    assisted.record_reprint(operator, kiosk, application)
    db.session.commit()
    session[GRANT] = {"application": application.public_id, "operator": operator.person.public_id,
                      "kiosk": kiosk.public_id, "until": int(time.time()) + GRANT_SECONDS}
    return redirect(url_for(".receipt", public_id=application.public_id))


def granted(public_id: str):
    """The application this browser may reprint now (the grant names it, this operator, this kiosk, in time)."""
    held = session.get(GRANT)
    if not isinstance(held, dict) or held.get("application") != public_id or held.get("until", 0) < time.time():
        return None
    kiosk = device.current()
    person = operator_person()
    if (kiosk is None or kiosk.public_id != held.get("kiosk") or person is None
            or person.public_id != held.get("operator")):
        return None
    operator = assisted.operator_of(person)
    if operator is None or operator.centre_id != kiosk.centre_id:
        return None
    return application_data.get_by_public_id(public_id)
