"""The applicant pays by KHQR: one payment request per currency due, shown as a QR code and as the string
itself (bank apps accept a pasted string), with what it pays for, to whom, and until when.

Asking for a code is a POST (then the page, PRG); the page itself changes nothing. The status endpoint is
what the page's script polls while a code is open: the page reloads when the answer differs from the one
it was drawn with (paid, expired, or the amount due changed). Same access rule as the application page."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import abort, current_app, redirect, render_template, url_for
from flask_login import login_required

from portal.data import payment_requests as request_data
from portal.data.models import PaymentRequest
from portal.domain import clock
from portal.extensions import db
from portal.payments import account, dev_bank, khqr_image, khqr_requests
from portal.web.applicant import blueprint
from portal.web.applicant.application_forms import ConfirmForm
from portal.web.applicant.applications import own_application
from portal.web.applicant.khqr_offer import in_progress, khqr_settings
from portal.web.security.timeouts import passive

PAID, AWAITING, NEW_CODE_NEEDED = "paid", "awaiting_payment", "new_code_needed"


@dataclass(frozen=True)
class CurrencyDue:
    """What is due in one currency and the code that pays it, if one can be paid now."""

    currency: str
    amount_minor: int
    request: PaymentRequest | None  # the open request for this amount, still valid
    stale: PaymentRequest | None  # else the latest request for this currency (expired, superseded, paid)

    @property
    def why_new(self) -> str | None:
        """Why the last code cannot be paid any more: `expired`, or `changed` (the amount due is not the
        one it asks for: a counter payment, new fees). None: no code was made for this currency yet."""
        if self.stale is None:
            return None
        if self.stale.state == request_data.EXPIRED or (
                self.stale.state == request_data.OPEN and self.stale.amount_minor == self.amount_minor):
            return "expired"
        return "changed"

    @property
    def qr_code(self) -> str:
        return khqr_image.svg_data_uri(self.request.khqr)


def _payable(public_id: str):
    """The person's application and its account; 404 when it is not theirs, its service charges nothing, it
    is not submitted, it is closed (rejected, withdrawn...) with something still due, or KHQR is not offered:
    nothing here would apply. A closed application with nothing due still shows "Paid, thank you" (a clerk
    may decide the case the moment the payment arrives, while the page is open)."""
    application, service = own_application(public_id)
    found = account.account(service, application)
    closed = not in_progress(service, application)
    if found is None or application.reference is None or (closed and found.due) or khqr_settings() is None:
        abort(404)
    return application, service, found


def _naive_now():
    return clock.now().replace(tzinfo=None)


def _dues(application, found) -> list[CurrencyDue]:
    now = _naive_now()
    everything = request_data.for_application(application.id)
    dues = []
    for currency, amount in sorted(found.due.items()):
        current = request_data.open_for(application.id, currency)
        if current is not None and current.amount_minor == amount and current.expires_at > now:
            dues.append(CurrencyDue(currency, amount, current, None))
        else:
            latest = [r for r in everything if r.currency == currency]
            dues.append(CurrencyDue(currency, amount, None, latest[-1] if latest else None))
    return dues


def _status(found, dues: list[CurrencyDue]) -> dict:
    """What the page's script compares: any change means the page is out of date."""
    if not found.due:
        state = PAID
    elif all(d.request is not None for d in dues):
        state = AWAITING
    else:
        state = NEW_CODE_NEEDED
    return {"state": state, "requests": [d.request.public_id for d in dues if d.request is not None]}


def _status_json(status: dict) -> str:
    return json.dumps(status, sort_keys=True, separators=(",", ":"))


@blueprint.get("/applications/<public_id>/pay")
@login_required
def khqr_page(public_id: str):
    application, service, found = _payable(public_id)
    dues = _dues(application, found)
    status = _status(found, dues)
    return render_template("pages/applicant/applications/pay.html", application=application, service=service,
                           account=found, dues=dues, state=status["state"], status_json=_status_json(status),
                           payee=khqr_settings(), test_bank=dev_bank.enabled())


@blueprint.post("/applications/<public_id>/pay")
@login_required
def ask_for_khqr(public_id: str):
    """A code for each currency due: the open one while it is valid for that amount, else a new one."""
    application, service, found = _payable(public_id)
    if not ConfirmForm().validate():
        abort(400)
    settings, now = khqr_settings(), clock.now()
    for currency in sorted(found.due):
        try:
            khqr_requests.request_payment(service, application, currency, settings=settings, now=now)
        except khqr_requests.NotPayable:
            db.session.rollback()
            abort(404)
    db.session.commit()
    return redirect(url_for(".khqr_page", public_id=application.public_id), 303)


@blueprint.get("/applications/<public_id>/pay/status")
@login_required
@passive  # the page's script asks every few seconds: that is not the person being there
def khqr_status(public_id: str):
    application, _service, found = _payable(public_id)
    response = current_app.response_class(_status_json(_status(found, _dues(application, found))),
                                          mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response
