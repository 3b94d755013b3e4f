"""`flask data-keys ...`: the keys that encrypt secrets kept in the database (TOTP secrets).

See `portal/domain/keys/data_keys.py` and docs/operations.md ("Data keys").
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from portal.cli.checks import require_database
from portal.domain.identity import totp
from portal.domain.keys.data_keys import DataKeyError, current_ring
from portal.extensions import db

group = AppGroup("data-keys", help="Keys that encrypt TOTP secrets in the database.")


@group.command("generate")
@click.option("--id", "key_id", help="1-8 lower-case letters and digits (default: d<yymm>).")
@click.option("--inactive", is_flag=True,
              help="Do not use it yet: copy it to every machine first, then run `activate`.")
def generate(key_id: str | None, inactive: bool) -> None:
    """Make a new data key and seal new secrets with it; run `reseal` next to move the old ones."""
    try:
        made = current_ring().generate(key_id, activate=not inactive)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    if inactive:
        click.echo(f"Data key {made} was made. Copy {made}.key to every machine, then run "
                   f"`flask data-keys activate {made}`.")
        return
    _activated(made)


@group.command("activate")
@click.argument("key_id")
def activate(key_id: str) -> None:
    """Seal new secrets with KEY_ID, a key already in DATA_KEYS_PATH."""
    try:
        current_ring().activate(key_id)
    except DataKeyError as error:
        raise click.ClickException(str(error)) from None
    _activated(key_id)


def _activated(key_id: str) -> None:
    click.echo(f"Data key {key_id} is now the active data key. Run `flask data-keys reseal` to seal every "
               "TOTP secret with it; keep the older keys until then.")


@group.command("list")
def list_keys() -> None:
    """The data keys, which one is active, and how many TOTP secrets each seals."""
    require_database()
    ring = current_ring()
    try:
        active = ring.active_id() if (ring.directory / "active").exists() else None
    except DataKeyError as error:
        raise click.ClickException(str(error)) from None
    counts = totp.secrets_by_key()
    for key_id in ring.ids():
        click.echo(f"{key_id:10} {'active' if key_id == active else 'older':8} {counts.pop(key_id, 0)} secret(s)")
    for key_id, count in sorted(counts.items(), key=lambda item: str(item[0])):
        where = "still in plain text: run `flask data-keys reseal`" if key_id == totp.PLAIN \
            else f"sealed with data key {key_id!r}, which is MISSING from DATA_KEYS_PATH"
        click.echo(f"{count} secret(s) {where}")


@group.command("reseal")
def reseal() -> None:
    """Seal every TOTP secret with the active key: plain-text ones (run once after upgrading to
    migration 0013) and ones sealed with older keys. Safe to run again."""
    require_database()
    try:
        done = totp.reseal_all()
    except DataKeyError as error:
        db.session.rollback()
        raise click.ClickException(f"{error}; nothing was changed") from None
    db.session.commit()
    click.echo(f"Sealed {done.from_plain} plain-text and {done.from_older_keys} older-key TOTP secret(s) with "
               f"data key {current_ring().active_id()}; {done.already} already were.")
