"""Payments at the counter on the case page: a clerk (any staff of the agency holding the case) records
cash or a bank transfer with the receipt number they wrote; a supervisor reverses one with a reason."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from portal.data import payments as payment_data
from portal.extensions import db
from portal.payments import account, counter, money
from portal.web.staff import blueprint
from portal.web.staff.access import case_or_404, staff_only
from portal.web.staff.forms import CounterPaymentForm, ReversalForm

CURRENCY_NAMES = {"KHR": _l("Riel (KHR)"), "USD": _l("US dollars (USD)")}


def payment_form(service, application, *, formdata=None) -> CounterPaymentForm | None:
    """The counter form for staff of the agency holding the case, on a service that charges fees."""
    currencies = counter.currencies_accepted(service, application)
    if not currencies or not counter.can_record(current_user, application) or application.submitted_at is None:
        return None
    options = {"id_prefix": "payment"} if formdata is not None else {"id_prefix": "payment", "formdata": None}
    form = CounterPaymentForm(**options)
    form.currency.choices = [SelectChoice(c, str(CURRENCY_NAMES.get(c, c))) for c in currencies]
    if formdata is None:
        found = account.account(service, application)
        due = found.due if found else {}
        currency = next(iter(due), currencies[0])
        form.currency.data = currency
        form.method.data = "counter_cash"
        if currency in due:  # what is still due, as the cashier would type it
            form.amount.data = format(money.to_major(due[currency], currency), "f")
    return form


def reversal_forms(application, payments) -> dict:
    """Payment public id -> its reversal form, for a supervisor of the agency holding the case."""
    if not counter.can_reverse(current_user, application):
        return {}
    return {p.public_id: ReversalForm(formdata=None, id_prefix=f"reverse-{p.public_id}")
            for p in payments if p.reversed_at is None}


def _back(application):
    return redirect(url_for(".case", public_id=application.public_id) + "#payment", 303)


@blueprint.post("/cases/<public_id>/payments")
@staff_only
def record_payment(public_id: str):
    from portal.web.staff.cases import case_page

    application, service = case_or_404(public_id)
    form = payment_form(service, application, formdata=request.form)
    if form is None:
        abort(403 if counter.currencies_accepted(service, application) else 404)
    valid = form.validate()
    amount = None
    if valid:
        try:
            amount = money.parse(form.amount.data, form.currency.data)
        except money.NotAnAmount:
            form.amount.errors = [_("Write an amount such as 10000 (riel) or 12.50 (dollars).")]
    if amount is None:
        return case_page(application, service, payment_form=form, status=400)
    try:
        _payment, recorded = counter.record(
            service, application, current_user, amount_minor=amount, currency=form.currency.data,
            method=form.method.data, receipt_number=form.receipt_number.data.strip(),
            transfer_reference=(form.transfer_reference.data or "").strip() if form.method.data == "counter_transfer"
            else None)
    except counter.ReferenceUsed:
        db.session.rollback()
        form.transfer_reference.errors = [_("This transfer reference already paid for another application.")]
        return case_page(application, service, payment_form=form, status=400)
    except counter.NotAllowed:
        db.session.rollback()
        abort(403)
    db.session.commit()
    if recorded:
        flash(_("Payment recorded: %(amount)s.", amount=money.shown(amount, form.currency.data)), "success")
    else:
        flash(_("This receipt was already recorded."), "info")
    return _back(application)


@blueprint.post("/cases/<public_id>/payments/<payment_id>/reverse")
@staff_only
def reverse_payment(public_id: str, payment_id: str):
    from portal.web.staff.cases import case_page

    application, service = case_or_404(public_id)
    payment = payment_data.get_for_application(payment_id, application.id)
    if payment is None:
        abort(404)
    if not counter.can_reverse(current_user, application):
        abort(403)
    form = ReversalForm(id_prefix=f"reverse-{payment.public_id}")
    if not form.validate():
        return case_page(application, service, failed_reversal=(payment.public_id, form), status=400)
    if counter.reverse(service, application, current_user, payment, form.reason.data):
        db.session.commit()
        flash(_("The payment was reversed."), "success")
    else:
        db.session.rollback()
        flash(_("This was already recorded."), "info")
    return _back(application)
