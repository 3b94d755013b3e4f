"""The supervisor's dashboard: the load, the delays and the work done in the agencies they supervise, as a
page (tables and a server-drawn chart) and as a CSV file for a spreadsheet.

Only supervisors see it; anyone else gets 404, as for every back-office page they may not open. It shows
no applicant's data: counts, durations and the names of the agencies' own staff."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from functools import wraps

from flask import Response, abort, render_template
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.data.db import utcnow
from portal.domain.applications import workload
from portal.domain.i18n.formatting import current_locale, date, number, pick
from portal.web.staff import blueprint, charts
from portal.web.staff.access import staff_only, supervised_agencies

# A tick label under every 7th bar, counted back from today, so the labels never crowd.
LABEL_EVERY = 7
# A spreadsheet runs a cell starting with one of these as a formula: such a text gets a leading
# apostrophe (a staff member's name is typed by an administrator, not by us).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def supervisors_only(view):
    """Signed-in supervisors of at least one agency; other staff and everyone signed in get 404."""

    @wraps(view)
    @staff_only
    def wrapped(*args, **kwargs):
        if not supervised_agencies():
            abort(404)
        return view(*args, **kwargs)

    return wrapped


def duration(value: timedelta) -> str:
    """A processing time as people say it: `45 minutes`, `7 hours`, `1 day 6 hours`, `12 days`; calendar
    time rounded to the hour once it is an hour or more, with Khmer digits in Khmer."""
    minutes = round(value.total_seconds() / 60)
    if minutes < 60:
        return ngettext("%(count)s minute", "%(count)s minutes", minutes, count=number(minutes))
    hours = round(minutes / 60)
    days, hours = divmod(hours, 24)
    parts = []
    if days:
        parts.append(ngettext("%(count)s day", "%(count)s days", days, count=number(days)))
    if hours:
        parts.append(ngettext("%(count)s hour", "%(count)s hours", hours, count=number(hours)))
    return " ".join(parts)


def _chart(board: workload.Dashboard):
    last = len(board.per_day) - 1
    bars = [charts.Bar(date(day, "d MMM"), count, show_label=(last - index) % LABEL_EVERY == 0)
            for index, (day, count) in enumerate(board.per_day)]
    total = sum(count for _day, count in board.per_day)
    busiest_day, busiest = max(board.per_day, key=lambda item: (item[1], item[0]))
    description = _("%(total)s actions on cases in the last %(days)s days; the most in one day: %(most)s, on %(day)s.",
                    total=number(total), days=number(len(board.per_day)), most=number(busiest),
                    day=date(busiest_day, "long")) if total else \
        _("No actions on cases in the last %(days)s days.", days=number(len(board.per_day)))
    return charts.bar_chart(
        bars, title=_("Actions on cases per day, last %(days)s days", days=number(len(board.per_day))),
        description=description, x_label=_("Day"), y_label=_("Actions"), number=number, chart_id="actions-chart",
    )


@blueprint.get("/dashboard")
@supervisors_only
def dashboard():
    board = workload.dashboard(supervised_agencies(), utcnow())
    from portal.web.staff.unstaffed import supervisor_scope

    return render_template(
        "pages/staff/dashboard.html", board=board, chart=_chart(board), duration=duration,
        window_days=workload.PROCESSING_WINDOW_DAYS, oversees_offices=bool(supervisor_scope()),
    )


def spreadsheet_cell(value) -> str:
    """A CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _hours(value: timedelta) -> str:
    return f"{value.total_seconds() / 3600:.1f}"


# The CSV is "long": one figure per row, so a spreadsheet can filter and pivot it. Columns:
#   section        open_cases | processing_time | actions_per_day | actions_per_person
#   agency_code, agency                the agency (code, and name in the page's language)
#   service_code, service              open_cases and processing_time rows
#   state_code, state                  open_cases rows (the state's staff label)
#   staff_member                       actions_per_person rows: the display name, nothing else about them
#   day                                actions_per_day rows, YYYY-MM-DD in Cambodian time
#   measure                            open, due_soon, breached | completed, median_hours, p90_hours | actions
#   value                              Latin digits; hours with one decimal
# Codes and numbers are Latin for machines; names and labels are in the page's language. UTF-8 with a
# byte order mark: without it Excel reads the file as the local code page and garbles Khmer.
HEADER = ("section", "agency_code", "agency", "service_code", "service", "state_code", "state", "staff_member",
          "day", "measure", "value")


def _csv_rows(board: workload.Dashboard):
    for row in board.load:
        for measure, value in (("open", row.open), ("due_soon", row.due_soon), ("breached", row.breached)):
            yield ("open_cases", row.agency, pick(row.agency_name), row.service, pick(row.service_title),
                   row.state, pick(row.state_label), "", "", measure, value)
    for row in board.times:
        for measure, value in (("completed", row.completed), ("median_hours", _hours(row.median)),
                               ("p90_hours", _hours(row.p90))):
            yield ("processing_time", row.agency, pick(row.agency_name), row.service, pick(row.service_title),
                   "", "", "", "", measure, value)
    for day, count in board.per_day:
        yield ("actions_per_day", "", "", "", "", "", "", "", day.isoformat(), "actions", count)
    for person in board.per_person:
        name = pick(person.name) or _("Former staff member")
        yield ("actions_per_person", "", "", "", "", "", "", name, "", "actions", person.actions)


@blueprint.get("/dashboard.csv")
@supervisors_only
def dashboard_csv():
    now = utcnow()
    board = workload.dashboard(supervised_agencies(), now)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in _csv_rows(board):
        writer.writerow([spreadsheet_cell(value) for value in row])
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.charset = "utf-8"
    name = f"dashboard-{board.per_day[-1][0].isoformat()}-{current_locale()}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
