from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.cli.checks import require_database
from portal.domain.documents import get_document_store

group = AppGroup("docstore", help="The common e-document store.")


@group.command("fsck")
def fsck() -> None:
    """Re-hash every stored file; list missing or damaged ones by document id; exit 1 if any."""
    require_database()
    problems = get_document_store().fsck()
    for public_id, state in problems:
        click.echo(f"{state:8} document {public_id}")
    if problems:
        raise click.ClickException(f"{len(problems)} document(s) missing or damaged")
    click.echo("All stored files match their hashes.")
