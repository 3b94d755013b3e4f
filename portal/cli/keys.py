from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.domain.rendering.documents import get_keyring

group = AppGroup("keys", help="The keys that sign issued documents.")


@group.command("generate")
@click.option("--id", "key_id", help="1-8 lower-case letters and digits (default: k<yymm>).")
def generate(key_id: str | None) -> None:
    """Make a new signing key and use it for new documents; old keys keep verifying."""
    try:
        made = get_keyring().generate(key_id)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Key {made} is now the active signing key.")


@group.command("list")
def list_keys() -> None:
    """List the published public keys."""
    for key in get_keyring().published():
        click.echo(f"{key['kid']:10} {'active' if key['active'] else 'verify only':12} {key['x']}")
