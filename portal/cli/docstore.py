from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.cli.checks import require_database
from portal.domain.documents import get_document_store
from portal.domain.documents.store import ORPHAN_GRACE

group = AppGroup("docstore", help="The common e-document store.")


def _age(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 60:.0f} minutes"


@group.command("fsck")
@click.option("--repair", is_flag=True,
              help="Remove files that have no row and are older than an hour (never younger ones: an upload "
                   "writes its file before its row commits).")
def fsck(repair: bool) -> None:
    """Re-hash every stored file and look for files without rows. Lists missing or damaged files by
    document id and files without a row by name; exit 1 if any (orphans removed with --repair excepted)."""
    require_database()
    report = get_document_store().fsck(repair=repair)
    for state, kind, identifier in report.problems:
        click.echo(f"{state:8} {kind} {identifier}")
    for name, age in report.orphans:
        click.echo(f"orphan   file {name} ({_age(age)} old, no row: remove with --repair)")
    for name, age in report.removed:
        click.echo(f"removed  file {name} ({_age(age)} old, no row)")
    for name, age in report.young:
        click.echo(f"young    file {name} ({_age(age)} old, no row yet: perhaps an upload in flight; left alone)")
    if not report.healthy:
        counts = [f"{len(report.problems)} missing or damaged"] if report.problems else []
        if report.orphans:
            counts.append(f"{len(report.orphans)} file(s) without a row for over {_age(ORPHAN_GRACE.total_seconds())}")
        raise click.ClickException("; ".join(counts))
    if report.removed:
        click.echo(f"Removed {len(report.removed)} file(s) without a row.")
    click.echo("All stored files match their hashes.")
