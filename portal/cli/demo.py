from __future__ import annotations

from flask.cli import AppGroup

group = AppGroup("demo", help="Demo data for development.")


@group.command("load")
def load() -> None:
    """Create the demo accounts (idempotent) and print them."""
