"""`flask audit verify`: check the audit log's hash chain."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal import audit
from portal.cli.checks import require_database

group = AppGroup("audit", help="The hash-chained audit log.")


def _anchors(values: tuple[str, ...]) -> tuple[audit.Anchor, ...]:
    try:
        return tuple(audit.Anchor.parse(value) for value in values)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--anchor") from None


@group.command("verify")
@click.option("--anchor", "anchors", multiple=True, metavar="SEQ:HASH",
              help="An entry's position and hash printed by an earlier run and kept outside the database; "
                   "the log must still contain it. Catches the end of the log cut off or rewritten.")
def verify(anchors: tuple[str, ...]) -> None:
    """Walk the chain in order; exit 1 naming the first entry that was changed, removed, inserted or moved."""
    require_database()
    verdict = audit.verify(_anchors(anchors))
    if verdict.problem:
        problem = verdict.problem
        row = f" (row id {problem.entry_id})" if problem.entry_id else ""
        raise click.ClickException(f"audit log broken at entry #{problem.seq}{row}: {problem.reason}")
    click.echo(f"audit log intact: {verdict.entries} entries")
    if verdict.head:
        click.echo(f"head: {verdict.head}  (keep this outside the database; pass it as --anchor next time)")
