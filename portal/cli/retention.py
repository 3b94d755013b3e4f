"""`flask retention run [--dry-run]`: what the daily retention job does, by hand (docs/retention.md)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from portal.cli.checks import require_database
from portal.domain.retention import runs

group = AppGroup("retention", help="Removing what the services' retention no longer keeps.")


@group.command("run")
@click.option("--dry-run", is_flag=True, help="Print what would go, per service and year of closing; remove nothing.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Apply retention as on this day (YYYY-MM-DD) instead of today, e.g. to see what a day will take.")
def run(dry_run: bool, as_of) -> None:
    """Remove (or reduce to a record) the applications and documents whose retention has run out, but those
    under a legal hold. Each removal is an audit entry. Exit 1 if some could not be done."""
    require_database()
    day: date | None = as_of.date() if as_of else None
    outcome = runs.run(day, dry_run=dry_run, started_by="cli")
    click.echo(("Would go" if dry_run else "Gone") + " (service, year closed: applications removed, reduced to a "
               "record; documents; files; held):")
    for line in outcome.lines:
        service = line.service or "(documents no application uses)"
        click.echo(f"  {service:40} {line.year}: {line.removed} removed, {line.reduced} reduced; "
                   f"{line.documents} documents; {line.files} files; {line.held} held")
    total = outcome.totals
    click.echo(f"Total: {total.removed} removed, {total.reduced} reduced, {total.documents} documents, "
               f"{total.files} files; {total.held} held.")
    click.echo(f"Kiosk sessions no kept application was filed in, with their consent forms: {outcome.sessions}.")
    click.echo(f"Closed accounts no kept record points at any more: {outcome.accounts}.")
    if outcome.failed:
        raise click.ClickException(f"{outcome.failed} could not be done (see the log); the next run tries again")
