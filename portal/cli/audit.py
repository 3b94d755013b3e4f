"""`flask audit verify`: check the audit log's hash chain."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal import audit
from portal.cli.checks import require_database

group = AppGroup("audit", help="The hash-chained audit log.")


@group.command("verify")
def verify() -> None:
    """Walk the chain in order; exit 1 naming the first entry that was changed, removed, inserted or moved."""
    require_database()
    verdict = audit.verify()
    if verdict.problem:
        problem = verdict.problem
        raise click.ClickException(
            f"audit log broken at entry #{problem.seq} (row id {problem.entry_id}): {problem.reason}"
        )
    click.echo(f"audit log intact: {verdict.entries} entries")
