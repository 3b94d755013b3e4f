"""Running Alembic from the portal (the `flask db ...` commands and the tests)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from portal.paths import PROJECT_ROOT


def alembic_config(database_url: str, connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["database_url"] = database_url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(database_url: str, revision: str = "head", connection=None) -> None:
    command.upgrade(alembic_config(database_url, connection), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def revision(database_url: str, message: str, rev_id: str) -> None:
    command.revision(alembic_config(database_url), message=message, autogenerate=True, rev_id=rev_id)


def current(database_url: str) -> None:
    command.current(alembic_config(database_url), verbose=False)
