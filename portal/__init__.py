"""One Window: the application factory."""

from __future__ import annotations

import click
from flask import Flask

from portal.config import ConfigError, Settings, load_settings
from portal.paths import PROJECT_ROOT


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
    from portal.web.i18n import init_i18n
    from portal.web.security import init_security
    from portal.web.widget_params import install as install_widget_params

    db.init_app(app, settings.database_url)
    redis_connection.init_app(settings.redis_url, settings.instance_path)
    csrf.init_app(app)
    login_manager.init_app(app)
    init_i18n(app)
    init_security(app)
    install_widget_params()
    if settings.production:
        from portal.web import static_files

        static_files.init_app(app)

    from portal.web import register_blueprints

    register_blueprints(app)

    from portal.cli import register_commands

    register_commands(app)
    return app


def _require_keys(settings: Settings) -> None:
    from portal.domain.keys.readiness import missing_keys

    missing = missing_keys(settings)
    if missing:
        raise ConfigError(missing[0])
