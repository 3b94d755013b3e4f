"""`flask payments reconcile DATE [--to DATE] [--agency SLUG]`: the finance page's report
(portal.payments.reconciliation) as plain tables, for an operator or a nightly mail. Amounts are decimal
strings in the major unit with their currency code, dates ISO and Cambodian, as in the page's CSV.
Without --agency: every agency that has something to report, then the confirmations no agency can be
given (those that match no payment request). A bad date or an unknown agency exits with status 2."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from portal.cli.checks import require_database
from portal.data import agencies as agency_data
from portal.domain.catalogue import get_catalogue
from portal.payments import reconciliation
from portal.payments.money import MINOR_DIGITS, to_major

group = AppGroup("payments", help="Payments: the finance offices' reconciliation.")


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD", param_hint=name) from None


def _amount(minor: int | None, currency: str | None) -> str:
    if minor is None or currency not in MINOR_DIGITS:
        return ""
    return f"{format(to_major(minor, currency), 'f')} {currency}"


def _table(title: str, headers: tuple[str, ...], rows: list[tuple]) -> None:
    click.echo(f"\n{title}")
    if not rows:
        click.echo("  (none)")
        return
    texts = [tuple(str(cell) for cell in row) for row in rows]
    widths = [max(len(r[i]) for r in [headers, *texts]) for i in range(len(headers))]
    for row in [headers, *texts]:
        click.echo("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def _print_report(report: reconciliation.Report) -> None:
    click.echo(f"== {report.agency}: {report.first.isoformat()} to {report.last.isoformat()} (Asia/Phnom_Penh)")
    _table("Totals", ("CURRENCY", "RECEIVED", "REVERSED", "NET"),
           [(t.currency, _amount(t.received, t.currency), _amount(t.reversed, t.currency), _amount(t.net, t.currency))
            for t in report.totals])
    _table("By method", ("METHOD", "CURRENCY", "COUNT", "AMOUNT"),
           [(m.method, m.currency, m.count, _amount(m.amount_minor, m.currency)) for m in report.by_method])
    _table("Received per day", ("DAY", "METHOD", "SERVICE", "COUNT", "AMOUNT"),
           [(line.day.isoformat(), line.method, line.service, line.count, _amount(line.amount_minor, line.currency))
            for line in report.lines])
    _table("Reversals", ("DAY", "REFERENCE", "METHOD", "AMOUNT", "BY", "REASON"),
           [(reconciliation.local_day(r.at).isoformat(), r.reference or "", r.method,
             _amount(r.amount_minor, r.currency), r.reversed_by.display_name if r.reversed_by is not None else "",
             r.reason) for r in report.reversals])
    _table("Refunds owed (now)", ("REFERENCE", "SERVICE", "AMOUNT"),
           [(r.reference or "", r.service_title.get("en", ""), " / ".join(_amount(a, c) for c, a in r.amounts.items()))
            for r in report.refunds])
    _print_refused("Refused or late confirmations", report.refused)


def _print_refused(title: str, refused: list[reconciliation.Refused]) -> None:
    _table(title, ("DAY", "REFERENCE", "SOURCE", "REASON", "AMOUNT", "PROVIDER REFERENCE"),
           [(reconciliation.local_day(r.at).isoformat(), r.reference or "", r.source, r.reason,
             _amount(r.amount_minor, r.currency), r.provider_reference or "") for r in refused])


@group.command("reconcile")
@click.argument("day", metavar="DATE")
@click.option("--to", "to", default=None, metavar="DATE", help="The last day of the period (default: DATE).")
@click.option("--agency", default=None, metavar="SLUG", help="One agency (default: every one with something).")
def reconcile(day: str, to: str | None, agency: str | None) -> None:
    """Print the reconciliation of the Cambodian days DATE..--to (YYYY-MM-DD)."""
    first = _day(day, "DATE")
    last = _day(to, "--to") or first
    try:
        reconciliation.check_period(first, last)
    except reconciliation.BadPeriod as bad:
        message = ("--to is before DATE" if bad.code == "order"
                   else f"a period is at most {reconciliation.MAX_DAYS} days")
        raise click.BadParameter(message, param_hint="--to") from None
    require_database()
    if agency is not None and agency_data.get_by_slug(agency) is None:
        raise click.BadParameter(f"no agency has the slug {agency!r}", param_hint="--agency")
    # Every agency that can have anything to report: those agencies.yaml lists, and the local offices that
    # ever held a case, a payment or a staff role (not all ~1,900 of them).
    slugs = [agency] if agency is not None else sorted(
        {a.slug for a in agency_data.all_agencies() if a.kind in ("ministry", "department")}
        | {a.slug for a in get_catalogue().agencies.values()} | agency_data.slugs_in_use())
    shown = 0
    for slug in sorted(slugs):
        report = reconciliation.report(slug, first, last)
        if agency is None and report.empty:
            continue
        _print_report(report)
        shown += 1
    if agency is None:
        if not shown:
            click.echo(f"No agency received, reversed or owes anything for {first.isoformat()} to {last.isoformat()}.")
        _print_refused("Confirmations that match no payment request (no agency's)",
                       reconciliation.unplaced(first, last))
