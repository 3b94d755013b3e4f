"""Administration: staff accounts and their agency roles."""

from __future__ import annotations

from flask import Flask

from portal.admin.routes import blueprint


def init_app(app: Flask) -> None:
    app.register_blueprint(blueprint)
