"""One Window: the application factory."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from portal.config import ConfigError, Settings, load_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    if settings.production and click.get_current_context(silent=True) is None:
        # A web process (gunicorn app:app). Under `flask ...` the commands that serve or work check for
        # themselves, so that `flask keys generate` and its kin can run before any key exists.
        _require_keys(settings)
    app = Flask(
        __name__,
        instance_path=str(settings.instance_path),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(settings.flask_config())
    app.config["SERVICES_PATH"] = PROJECT_ROOT / "services"
    app.jinja_env.add_extension("jinja2.ext.do")

    from portal.extensions import csrf, db, login_manager, redis_connection
    from portal.i18n import init_i18n
    from portal.security import init_security

    db.init_app(app, settings.database_url)
    redis_connection.init_app(settings.redis_url, settings.instance_path)
    csrf.init_app(app)
    login_manager.init_app(app)
    init_i18n(app)
    init_security(app)

    from portal import accounts, admin, applicant, geo, public, staff

    public.init_app(app)
    accounts.init_app(app)
    admin.init_app(app)
    geo.init_app(app)
    applicant.init_app(app)
    staff.init_app(app)

    from portal.cli import register_commands

    register_commands(app)
    return app


def _require_keys(settings: Settings) -> None:
    from portal.security.readiness import missing_keys

    missing = missing_keys(settings)
    if missing:
        raise ConfigError(missing[0])
