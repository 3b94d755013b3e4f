from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal.cli.checks import require_database
from portal.data import migrate

group = AppGroup("db", help="Database migrations (Alembic).")


def _url() -> str:
    return current_app.config["PORTAL_SETTINGS"].database_url


@group.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    require_database()
    migrate.upgrade(_url(), revision)
    click.echo(f"Database is at {revision}.")


@group.command("downgrade")
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Undo migrations down to REVISION."""
    require_database()
    migrate.downgrade(_url(), revision)


@group.command("current")
def current() -> None:
    """Show the revision the database is at."""
    require_database()
    migrate.current(_url())


@group.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--rev-id", required=True, help="The next number in order, e.g. 0002.")
def revision(message: str, rev_id: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    require_database()
    migrate.revision(_url(), message, rev_id)
