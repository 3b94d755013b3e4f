"""Provider confirmations that match no payment request (a forged or unreadable message, a request we
never made): no agency's finance page can show them, so the administrators see them here."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _

from portal.domain.clock import today
from portal.payments import reconciliation
from portal.web.admin.routes import blueprint
from portal.web.staff.finance import SOURCE_NAMES, parse_day, reason_name


@blueprint.get("/payments/unplaced")
def unplaced_confirmations():
    now = today()
    first = parse_day(request.args.get("start"), now)
    last = parse_day(request.args.get("end"), first or now)
    problem = None
    if first is None or last is None:
        problem = _("Write the date as year-month-day, for example %(example)s.", example=now.isoformat())
    else:
        try:
            reconciliation.check_period(first, last)
        except reconciliation.BadPeriod as bad:
            problem = _("The last day cannot be before the first.") if bad.code == "order" else \
                _("Choose at most %(days)s days.", days=reconciliation.MAX_DAYS)
    found = reconciliation.unplaced(first, last) if problem is None else []
    return render_template(
        "pages/admin/unplaced_confirmations.html", found=found, problem=problem,
        start=(first or now).isoformat(), end=(last or first or now).isoformat(), reason_name=reason_name,
        source_names=SOURCE_NAMES,
    ), (400 if problem else 200)
