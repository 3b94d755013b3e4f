"""Payments at the counter on the case page: a clerk or cashier (any staff of the agency holding the case)
records cash or a bank transfer with the receipt number they wrote; a supervisor reverses one with a
reason. A cashier who works no case sees the case as the counter needs it: its payment section only."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from portal.data import payments as payment_data
from portal.data import people
from portal.domain.applications.labels import staff_state_label
from portal.extensions import db
from portal.payments import account, counter, money
from portal.web.staff import blueprint
from portal.web.staff.access import payment_case_or_404, staff_only, works_on
from portal.web.staff.forms import CounterPaymentForm, ReversalForm

CURRENCY_NAMES = {"KHR": _l("Riel (KHR)"), "USD": _l("US dollars (USD)")}


def payment_form(service, application, *, formdata=None) -> CounterPaymentForm | None:
    """The counter form for staff of the agency holding the case, on a service that charges fees: shown
    while something is due; read when posted whatever is due then (a second click is told it was recorded)."""
    currencies = counter.currencies_accepted(service, application)
    if not currencies or not counter.can_record(current_user, application) or application.submitted_at is None:
        return None
    found = account.account(service, application)
    if formdata is None and not (found and found.due):
        return None
    options = {"id_prefix": "payment"} if formdata is not None else {"id_prefix": "payment", "formdata": None}
    form = CounterPaymentForm(**options)
    form.currency.choices = [SelectChoice(c, str(CURRENCY_NAMES.get(c, c))) for c in currencies]
    if formdata is None:
        due = found.due
        currency = next(iter(due), currencies[0])
        form.currency.data = currency
        form.method.data = "counter_cash"
        if currency in due:  # what is still due, as the cashier would type it
            form.amount.data = format(money.to_major(due[currency], currency), "f")
    return form


_counter_form = payment_form  # as `cashier_page` names it (its keyword of the same name is the posted form)


def reversal_forms(application, payments) -> dict:
    """Payment public id -> its reversal form, for a supervisor of the agency holding the case."""
    if not counter.can_reverse(current_user, application):
        return {}
    return {p.public_id: ReversalForm(formdata=None, id_prefix=f"reverse-{p.public_id}")
            for p in payments if p.reversed_at is None}


def cashier_page(application, service, *, payment_form=None, status: int = 200):
    """The case as a cashier sees it: who applied for what, its status, and its payment section (a
    cashier reverses nothing: supervisors, who see the full case page, do)."""
    owed = account.account(service, application)
    form = payment_form if payment_form is not None else _counter_form(service, application)
    return render_template(
        "pages/staff/case_payment.html", application=application, service=service,
        state_text=staff_state_label(service, application.state),
        applicant=people.get_by_id(application.applicant_person_id), account=owed,
        payment_form=form, reversal_forms={},
        people_by_id=lambda person_id: people.get_by_id(person_id) if person_id else None,
    ), status


def _page(application, service, **kwargs):
    """The case page again (a form refused): the full one for who works the case, else the cashier's."""
    from portal.web.staff.cases import case_page

    return (case_page if works_on(application) else cashier_page)(application, service, **kwargs)


def _back(application):
    return redirect(url_for(".case", public_id=application.public_id) + "#payment", 303)


@blueprint.post("/cases/<public_id>/payments")
@staff_only
def record_payment(public_id: str):
    application, service = payment_case_or_404(public_id)
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
        return _page(application, service, payment_form=form, status=400)
    try:
        _payment, recorded = counter.record(
            service, application, current_user, amount_minor=amount, currency=form.currency.data,
            method=form.method.data, receipt_number=form.receipt_number.data.strip(),
            transfer_reference=(form.transfer_reference.data or "").strip() if form.method.data == "counter_transfer"
            else None)
    except counter.ReferenceUsed:
        db.session.rollback()
        form.transfer_reference.errors = [_("This transfer reference already paid for another application.")]
        return _page(application, service, payment_form=form, status=400)
    except counter.NotAllowed:
        db.session.rollback()
        abort(403)
    except counter.NothingDue:
        # Nothing was due in this currency any more (a page left open while it was paid): not taken.
        db.session.rollback()
        form.amount.errors = [_("Nothing is due on this case in this currency: the payment was not recorded.")]
        return _page(application, service, payment_form=form, status=400)
    db.session.commit()
    if recorded:
        flash(_("Payment recorded: %(amount)s.", amount=money.shown(amount, form.currency.data)), "success")
    else:
        flash(_("This receipt was already recorded."), "info")
    return _back(application)


@blueprint.post("/cases/<public_id>/payments/<payment_id>/reverse")
@staff_only
def reverse_payment(public_id: str, payment_id: str):
    application, service = payment_case_or_404(public_id)
    payment = payment_data.get_for_application(payment_id, application.id)
    if payment is None:
        abort(404)
    if not counter.can_reverse(current_user, application):
        abort(403)
    form = ReversalForm(id_prefix=f"reverse-{payment.public_id}")
    if not form.validate():
        return _page(application, service, failed_reversal=(payment.public_id, form), status=400)
    if counter.reverse(service, application, current_user, payment, form.reason.data):
        db.session.commit()
        flash(_("The payment was reversed."), "success")
    else:
        db.session.rollback()
        flash(_("This was already recorded."), "info")
    return _back(application)
