"""`/dev/khqr-bank`: the test bank's pages (`portal.payments.dev_bank`), registered only when the settings offer
the development gateway (never in production). A person pastes a KHQR string, as bank apps accept, or arrives
from the payment page at `/dev/khqr-bank/pay/<md5>`; sees what a bank app shows; presses Pay. The bank's status
endpoint answers the portal's poll in Bakong's shape."""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.data import payment_requests as request_data
from portal.data.db import db
from portal.domain import clock
from portal.extensions import csrf
from portal.payments import dev_bank, khqr

blueprint = Blueprint("dev_bank", __name__, url_prefix="/dev/khqr-bank")
_MD5 = re.compile(r"[0-9a-f]{32}")
LONGEST_STRING = 1000  # a KHQR string is a few hundred characters


class PasteForm(FlaskForm):
    khqr = TextAreaField(_l("KHQR code"), validators=[
        InputRequired(_l("Paste the KHQR code you copied.")), Length(max=LONGEST_STRING, message=_l(
            "This is not a KHQR code: it is too long."))])


class PayForm(FlaskForm):
    khqr = HiddenField(validators=[InputRequired(), Length(max=LONGEST_STRING)])


@blueprint.before_request
def only_where_offered():
    if not dev_bank.enabled():  # the settings changed after the routes were registered (tests)
        abort(404)


def _bill(string: str, status: int = 200):
    """The bank app's view of a KHQR string: payee, amount, bill number, expiry, and Pay."""
    decoded = dev_bank.read(string)
    paid = dev_bank.transaction(khqr.md5(string.strip()))
    expires = datetime.fromtimestamp(decoded.expires_ms / 1000, UTC)
    form = PayForm(formdata=None, khqr=string.strip())
    return render_template("pages/dev_bank/bill.html", bill=decoded, expires=expires, paid=paid, form=form,
                           expired=decoded.expired(clock.now())), status


@blueprint.route("", methods=["GET", "POST"])
def paste():
    form = PasteForm()
    if form.validate_on_submit():
        try:
            return _bill(form.khqr.data)
        except khqr.KhqrError:
            form.khqr.errors.append(_l("This is not a KHQR code the bank can pay. Copy the whole code again."))
    status = 400 if request.method == "POST" else 200
    return render_template("pages/dev_bank/paste.html", form=form), status


@blueprint.get("/pay/<md5>")
def from_the_payment_page(md5: str):
    """Where the portal's payment page links to: the request's string, as if its QR code was scanned."""
    found = request_data.by_md5(md5) if _MD5.fullmatch(md5) else None
    if found is None:
        abort(404)
    return _bill(found.khqr)


@blueprint.post("/pay")
def pay():
    form = PayForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        paid = dev_bank.pay(form.khqr.data, clock.now())
    except khqr.KhqrError:
        abort(400)
    except dev_bank.Expired:
        return _bill(form.khqr.data, 400)
    except dev_bank.AlreadyPaid:
        return _bill(form.khqr.data, 409)
    db.session.commit()  # the callback job, scheduled through the outbox
    return redirect(url_for("dev_bank.receipt", md5=paid.md5), 303)


@blueprint.get("/paid/<md5>")
def receipt(md5: str):
    paid = dev_bank.transaction(md5) if _MD5.fullmatch(md5) else None
    if paid is None:
        abort(404)
    paid_at = datetime.fromtimestamp(paid.created_ms / 1000, UTC)
    return render_template("pages/dev_bank/receipt.html", paid=paid, paid_at=paid_at)


@blueprint.post("/v1/check_transaction_by_md5")
@csrf.exempt
def check_transaction_by_md5():
    """Bakong's status endpoint, answered from the test bank's store (what the portal's poll asks)."""
    token = current_app.config["PORTAL_SETTINGS"].khqr.status_token
    if token and not hmac.compare_digest(request.headers.get("Authorization", ""), f"Bearer {token}"):
        return jsonify({"responseCode": 1, "responseMessage": "Unauthorized", "errorCode": 6, "data": None}), 401
    asked = request.get_json(silent=True)
    md5 = asked.get("md5") if isinstance(asked, dict) else None
    if not isinstance(md5, str) or not _MD5.fullmatch(md5):
        return jsonify({"responseCode": 1, "responseMessage": "Invalid md5", "errorCode": 5, "data": None}), 400
    paid = dev_bank.transaction(md5)
    if paid is None:
        return jsonify({"responseCode": 1, "responseMessage": "Transaction could not be found. Please check and "
                        "try again.", "errorCode": 1, "data": None})
    return jsonify({"responseCode": 0, "responseMessage": "Getting transaction successfully.", "errorCode": None,
                    "data": paid.bakong_data()})
