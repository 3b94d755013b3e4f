"""The finance page of an agency: its reconciliation (portal.payments.reconciliation) for a range of
Cambodian days, as a page and as a CSV file, and a way for a cashier to find a case by its reference.

Supervisors and cashiers of the agency see it; clerks and everyone else get 404, as for every
back-office page they may not open. The query string holds the office and the dates, nothing personal."""

from __future__ import annotations

import csv
import io
from datetime import date
from functools import wraps

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.data import queues
from portal.domain.applications.labels import agency_name
from portal.domain.applications.reference import normalise
from portal.domain.clock import today
from portal.domain.i18n.formatting import current_locale, pick, to_latin_digits
from portal.payments import money, reconciliation
from portal.web.staff import blueprint
from portal.web.staff.access import finance_agencies, my_agencies, payment_case_or_404, staff_only
from portal.web.staff.dashboard import spreadsheet_cell
from portal.web.staff.forms import FinancePeriodForm, FindCaseForm

METHOD_NAMES = {"counter_cash": _l("Cash at the counter"), "counter_transfer": _l("Bank transfer at the counter"),
                "khqr": "KHQR"}  # a name, the same in both languages
REASON_NAMES = {
    "forged": _l("Signature not valid"), "replayed": _l("Sent again (replayed)"), "late": _l("Arrived too late"),
    "malformed": _l("Unreadable message"), "unknown_request": _l("No such payment request"),
    "wrong_amount": _l("Wrong amount"), "wrong_currency": _l("Wrong currency"),
    "expired_request": _l("Paid after the request expired"),
    "reference_used": _l("Transaction already used for another case"),
}
SOURCE_NAMES = {"callback": _l("Callback"), "poll": _l("Status check")}


def finance_staff_only(view):
    """Supervisors and cashiers of at least one agency; other staff and everyone signed in get 404."""

    @wraps(view)
    @staff_only
    def wrapped(*args, **kwargs):
        if not finance_agencies():
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def method_name(method: str) -> str:
    return str(METHOD_NAMES.get(method, method))


def reason_name(reason: str) -> str:
    return str(REASON_NAMES.get(reason, reason))


def parse_day(text: str | None, default: date) -> date | None:
    """A day as the date input sends it (YYYY-MM-DD, Khmer digits read too); None when it is not one."""
    text = to_latin_digits((text or "").strip())
    if not text:
        return default
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def _period_form() -> tuple[FinancePeriodForm, str | None, date | None, date | None]:
    """The form as asked, and the agency and days it names (None for what is missing or wrong, with the
    form's errors saying why). The agency is one of the person's; another is 404."""
    form = FinancePeriodForm(formdata=request.args)
    agencies = sorted(finance_agencies(), key=lambda slug: pick(agency_name(slug)))
    form.agency.choices = [(slug, pick(agency_name(slug))) for slug in agencies]
    form.agency.data = form.agency.data or agencies[0]
    if form.agency.data not in agencies:
        abort(404)
    form.validate()
    now = today()
    first = parse_day(form.start.data, now)
    last = parse_day(form.end.data, first or now)
    if first is None:
        form.start.errors = [_("Write the date as year-month-day, for example %(example)s.", example=now.isoformat())]
    if last is None:
        form.end.errors = [_("Write the date as year-month-day, for example %(example)s.", example=now.isoformat())]
    if first is not None and last is not None:
        try:
            reconciliation.check_period(first, last)
        except reconciliation.BadPeriod as bad:
            form.end.errors = [_("The last day cannot be before the first.") if bad.code == "order" else
                               _("Choose at most %(days)s days.", days=reconciliation.MAX_DAYS)]
            last = None
    form.start.data, form.end.data = (first or now).isoformat(), (last or first or now).isoformat()
    return form, form.agency.data, first, last


def _page(find_form: FindCaseForm, status: int = 200):
    form, agency, first, last = _period_form()
    report = reconciliation.report(agency, first, last) if first and last else None
    return render_template(
        "pages/staff/finance.html", form=form, report=report, agency=agency, find_form=find_form,
        agency_name=agency_name, method_name=method_name, reason_name=reason_name, source_names=SOURCE_NAMES,
        several=len(form.agency.choices) > 1,
    ), (status if report is not None else 400)


@blueprint.get("/finance")
@finance_staff_only
def finance():
    return _page(FindCaseForm(formdata=None))


@blueprint.post("/finance/find")
@finance_staff_only
def find_case():
    """A case of the person's agencies by its reference: its page (for a cashier, its payment view)."""
    form = FindCaseForm()
    application = None
    if form.validate():
        reference = normalise(form.reference.data)
        application = queues.case_by_reference(reference, my_agencies() | finance_agencies()) if reference else None
        if application is None:
            form.reference.errors = [_("No case of your offices has this reference.")]
    if application is None:
        return _page(form, 400)
    payment_case_or_404(application.public_id)  # a supervisor's own case, or a cashier's: the counter view
    return redirect(url_for(".case", public_id=application.public_id) + "#payment", 303)


def major(minor: int, currency: str) -> str:
    """An amount for a spreadsheet: a decimal string in the major unit (10000, 12.50)."""
    return format(money.to_major(minor, currency), "f")


# The CSV is "long", like the dashboard's: one figure per row. Columns:
#   section       received | total | method_total | reversal | refund_owed | refused_confirmation
#   day           YYYY-MM-DD in Cambodian time (of the payment, the reversal, the confirmation)
#   method        counter_cash | counter_transfer | khqr
#   service_code, service      received and refund_owed rows
#   reference     the case (reversal, refund_owed, refused_confirmation rows)
#   measure       received | reversed | net | count | amount | refund | reason (a refused confirmation's)
#   currency      KHR | USD
#   value         amounts as decimal strings in the major unit (riel without decimals), counts as integers
#   detail        who reversed and why; a refused confirmation's reason code and source
# UTF-8 with a byte order mark, as Excel needs to read Khmer.
HEADER = ("section", "day", "method", "service_code", "service", "reference", "measure", "currency", "value",
          "detail")


def csv_rows(report: reconciliation.Report):
    for line in report.lines:
        yield ("received", line.day.isoformat(), line.method, line.service, pick(line.service_title), "", "count",
               line.currency, line.count, "")
        yield ("received", line.day.isoformat(), line.method, line.service, pick(line.service_title), "", "amount",
               line.currency, major(line.amount_minor, line.currency), "")
    for total in report.totals:
        for measure, amount in (("received", total.received), ("reversed", total.reversed), ("net", total.net)):
            yield ("total", "", "", "", "", "", measure, total.currency, major(amount, total.currency), "")
    for row in report.by_method:
        yield ("method_total", "", row.method, "", "", "", "count", row.currency, row.count, "")
        yield ("method_total", "", row.method, "", "", "", "amount", row.currency,
               major(row.amount_minor, row.currency), "")
    for reversal in report.reversals:
        who = reversal.reversed_by.display_name if reversal.reversed_by is not None else ""
        yield ("reversal", reconciliation.local_day(reversal.at).isoformat(), reversal.method, "", "",
               reversal.reference or "", "reversed", reversal.currency, major(reversal.amount_minor, reversal.currency),
               f"{who}: {reversal.reason}")
    for refund in report.refunds:
        for currency, amount in refund.amounts.items():
            yield ("refund_owed", "", "", "", pick(refund.service_title), refund.reference or "", "refund", currency,
                   major(amount, currency), "")
    for refused in report.refused:
        amount = major(refused.amount_minor, refused.currency) \
            if refused.amount_minor is not None and refused.currency in money.MINOR_DIGITS else ""
        yield ("refused_confirmation", reconciliation.local_day(refused.at).isoformat(), "khqr", "", "",
               refused.reference or "", "reason", refused.currency or "", amount,
               f"{refused.reason} ({refused.source})")


def csv_text(report: reconciliation.Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    value = HEADER.index("value")
    for row in csv_rows(report):
        # Texts are guarded against spreadsheet formulas; a net amount may rightly start with "-".
        writer.writerow([cell if index == value else spreadsheet_cell(cell) for index, cell in enumerate(row)])
    return "\ufeff" + out.getvalue()


@blueprint.get("/finance.csv")
@finance_staff_only
def finance_csv():
    form, agency, first, last = _period_form()
    if not (first and last):
        errors = [error for field in (form.start, form.end) for error in field.errors]
        return Response("\n".join(errors) + "\n", status=400, mimetype="text/plain")
    report = reconciliation.report(agency, first, last)
    response = Response(csv_text(report), mimetype="text/csv")
    response.charset = "utf-8"
    name = f"finance-{agency}-{first.isoformat()}-{last.isoformat()}-{current_locale()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
