"""Turn an unreachable database or Redis, or a missing key, into a one-line error naming the setting."""

from __future__ import annotations

import click
import redis
from flask import current_app
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from portal.domain.keys.readiness import missing_keys
from portal.extensions import db, redis_connection


def require_database() -> None:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        shown = make_url(str(db.engine.url)).render_as_string(hide_password=True)
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise click.ClickException(f"DATABASE_URL: cannot connect to {shown}: {reason}") from None


def require_redis() -> None:
    try:
        redis_connection.client.ping()
    except (redis.RedisError, OSError) as error:
        raise click.ClickException(f"REDIS_URL: cannot connect to {redis_connection.url}: {error}") from None


def require_keys() -> None:
    """Production's key rings all have an active key (see portal.domain.keys.readiness)."""
    settings = current_app.config["PORTAL_SETTINGS"]
    missing = missing_keys(settings) if settings.production else []
    if missing:
        raise click.ClickException(missing[0])
