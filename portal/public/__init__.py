"""Public pages: the catalogue, service pages, language choice, health, and error pages."""

from __future__ import annotations

from flask import Flask

from portal.public import errors
from portal.public.routes import blueprint
from portal.public.verify import blueprint as verify_blueprint


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
    app.register_blueprint(verify_blueprint)
    errors.init_app(app)
