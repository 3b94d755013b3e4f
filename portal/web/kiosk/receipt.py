"""The kiosk receipt: what a person takes away from the centre's printer after applying.

Only on an enrolled kiosk, for the signed-in person's own application (the application page's rule: 404
for anyone else's). Elsewhere the page sends the person to the application page (303), after the access
check, so that it never tells someone else the application exists: a receipt printed at home would carry
a kiosk's layout for a printer that is not there.

The page carries the reference, the service, the submission date, what happens next (the state, the
office, the expected decision date), the fee and what is still due, and two QR codes: the KHQR to pay
from a phone (when something is due and KHQR is offered; made by a POST, as on the payment page, so that
opening or reprinting the page changes nothing) and a link to the application page, on the portal's base
URL, which the person opens on their phone after signing in there (the link names only the application's
public id). The stylesheet is chosen by the kiosk's printer kind (static/css/receipt-*.css, `@page`).
"""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from markupsafe import Markup, escape

from portal.data import payment_requests as request_data
from portal.domain import clock, links
from portal.domain.applications import versions
from portal.domain.applications.decision_date import expected_decision
from portal.extensions import db
from portal.payments import account, khqr_image, khqr_requests
from portal.web.applicant.application_forms import ConfirmForm
from portal.web.applicant.applications import own_application
from portal.web.applicant.khqr_offer import khqr_settings, offered
from portal.web.kiosk import device, guests, reprint
from portal.web.kiosk.routes import blueprint

STYLESHEETS = {"a4": "css/receipt-a4.css", "thermal80": "css/receipt-thermal80.css"}
# The labels a clerk at a counter reads, whatever language the person chose: shown in theirs, then English.
LABELS = {
    "receipt": _l("Application receipt"), "reference": _l("Reference"), "service": _l("Service"),
    "submitted": _l("Submitted"), "status": _l("Status"), "office": _l("Office"),
    "decision": _l("Expected decision by"), "secret": _l("Tracking secret"), "owed": _l("Fee"), "paid": _l("Paid"),
    "due": _l("Still to pay"),
}


def label(key: str) -> Markup:
    """`LABELS[key]` in the page's language and, when that is not English, in English after it."""
    shown = str(LABELS[key])
    with force_locale("en"):
        english = str(LABELS[key])
    if shown == english:
        return escape(shown)
    return Markup('{} <span class="receipt-en" lang="en">/ {}</span>').format(shown, english)


def _on_a_kiosk(public_id: str, *, reprint_allowed: bool = False):
    """The person's application, its definition and the kiosk; None for the kiosk when this is not one.
    With `reprint_allowed`, also an application the operator was granted to reprint (portal.web.kiosk.reprint:
    the applicant gave the code sent to their phone; only on that kiosk, for a few minutes)."""
    granted = reprint.granted(public_id) if reprint_allowed else None
    if granted is not None:
        return granted, versions.definition_for(granted), device.current()
    application, service = own_application(public_id)
    if application.reference is None:
        abort(404)  # a draft has nothing to print yet
    return application, service, device.current()


def _valid_requests(application, due: dict[str, int]) -> list:
    """The open request of each currency due that still asks for what is due and can still be paid."""
    now = clock.now().replace(tzinfo=None)
    found = []
    for currency, amount in sorted(due.items()):
        current = request_data.open_for(application.id, currency)
        if current is not None and current.amount_minor == amount and current.expires_at > now:
            found.append(current)
    return found


@blueprint.get("/applications/<public_id>/receipt")
@login_required
def receipt(public_id: str):
    application, service, kiosk = _on_a_kiosk(public_id, reprint_allowed=True)
    if kiosk is None:
        return redirect(url_for("applicant.application", public_id=public_id), 303)
    reprinting = reprint.granted(public_id) is not None
    found = account.account(service, application)
    # Reprinting shows the codes already made; making one is the applicant's (or their helper's) to do.
    khqr_offered = offered(service, application, found)
    requests = _valid_requests(application, found.due) if khqr_offered else []
    pay_by_khqr = khqr_offered and not reprinting
    # A guest (no account) follows it on /track: the QR carries the reference and the tracking secret in the
    # link's fragment, which no browser sends to a server (kiosk/guests.py).
    secret = guests.tracking_secret(application)
    guest = guests.is_guest()
    follow = guests.track_url(application, secret) if guest \
        else links.external_url("applicant.application", public_id=application.public_id)
    return render_template(
        "pages/kiosk/receipt.html", application=application, service=service, account=found,
        pay_by_khqr=pay_by_khqr, requests=requests,
        khqr_code=lambda r: khqr_image.svg_data_uri(r.khqr), follow_url=follow,
        follow_code=khqr_image.svg_data_uri(follow), guest=guest, tracking_secret=secret,
        track_address=links.external_url("track.form"), stylesheet=STYLESHEETS[kiosk.printer_kind],
        printer_kind=kiosk.printer_kind, expected_decision=expected_decision(service, application),
        agency=versions.agency_for(application, application.current_agency), confirm=ConfirmForm(), label=label,
        reprinting=reprinting)


@blueprint.post("/applications/<public_id>/receipt/khqr")
@login_required
def receipt_khqr(public_id: str):
    """Puts the KHQR to pay on the receipt: the open request per currency due, or a new one. This is what the
    payment page's POST does; off a kiosk (a page left open after the kiosk was revoked) it ends on that
    page instead of the receipt."""
    application, service, kiosk = _on_a_kiosk(public_id)
    if not ConfirmForm().validate():
        abort(400)
    found = account.account(service, application)
    if not offered(service, application, found):
        abort(404)
    settings, now = khqr_settings(), clock.now()
    for currency in sorted(found.due):
        try:
            khqr_requests.request_payment(service, application, currency, settings=settings, now=now)
        except khqr_requests.NotPayable:
            db.session.rollback()
            abort(404)
    db.session.commit()
    if kiosk is None:
        return redirect(url_for("applicant.khqr_page", public_id=public_id), 303)
    return redirect(url_for(".receipt", public_id=public_id), 303)
